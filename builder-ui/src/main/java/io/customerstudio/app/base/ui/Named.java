package io.customerstudio.app.base.ui;

import com.vaadin.flow.component.Component;
import com.vaadin.flow.component.combobox.ComboBox;
import com.vaadin.flow.component.html.Div;
import com.vaadin.flow.component.html.Span;
import com.vaadin.flow.component.select.Select;
import com.vaadin.flow.data.renderer.ComponentRenderer;
import java.util.Locale;
import java.util.Map;

/**
 * Pickers and titles of things that have a key and a name (audiences, destinations, syncs): people
 * look for the name, so it leads; the key follows as secondary text, since two names may be alike
 * and the API and the files use the key. The picked value stays the key.
 */
public final class Named {

  private Named() {}

  /** The options of {@code box} are keys; it shows and filters them by name and key. */
  public static void picker(ComboBox<String> box, Map<String, String> names) {
    box.setItems(
        (key, filter) -> {
          String f = filter.toLowerCase(Locale.ROOT);
          return key.toLowerCase(Locale.ROOT).contains(f)
              || names.getOrDefault(key, key).toLowerCase(Locale.ROOT).contains(f);
        },
        names.keySet());
    box.setItemLabelGenerator(key -> names.getOrDefault(key, key));
    box.setRenderer(new ComponentRenderer<>(key -> nameAndKey(names.getOrDefault(key, key), key)));
  }

  /** The options of {@code select} are keys; it shows them by name, the key below. */
  public static void picker(Select<String> select, Map<String, String> names) {
    select.setItems(names.keySet());
    select.setItemLabelGenerator(key -> names.getOrDefault(key, key));
    select.setRenderer(
        new ComponentRenderer<>(key -> nameAndKey(names.getOrDefault(key, key), key)));
  }

  /** The name, and the key in smaller, secondary text. */
  public static Component nameAndKey(String name, String key) {
    Span k = new Span(key);
    k.addClassName("secondary-key");
    k.getStyle()
        .set("font-size", "var(--lumo-font-size-s)")
        .set("color", "var(--lumo-secondary-text-color)")
        .set("margin-left", "0.5em");
    return new Div(new Span(name), k);
  }

  /** "Name (key)" where a plain text must hold both, or just the name when they read alike. */
  public static String text(String name, String key) {
    return name == null || name.equals(key) ? key : name + " (" + key + ")";
  }
}
