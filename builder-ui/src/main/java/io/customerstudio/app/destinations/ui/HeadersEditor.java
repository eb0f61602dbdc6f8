package io.customerstudio.app.destinations.ui;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.vaadin.flow.component.HasValidation;
import com.vaadin.flow.component.button.Button;
import com.vaadin.flow.component.button.ButtonVariant;
import com.vaadin.flow.component.html.Span;
import com.vaadin.flow.component.icon.VaadinIcon;
import com.vaadin.flow.component.orderedlayout.FlexComponent;
import com.vaadin.flow.component.orderedlayout.HorizontalLayout;
import com.vaadin.flow.component.orderedlayout.VerticalLayout;
import com.vaadin.flow.component.textfield.PasswordField;
import com.vaadin.flow.component.textfield.TextField;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A webhook's extra headers. Header values are secrets: a saved header shows its name and a masked
 * value, never the value; typing a value replaces it, leaving it masked keeps it, and the remove
 * button drops the header. New headers take a name and a value.
 */
final class HeadersEditor extends VerticalLayout {

  static final String MASK = "••••••••";

  private record Row(TextField name, PasswordField value, boolean saved) {}

  private final List<Row> rows = new ArrayList<>();
  private final Set<String> removed = new LinkedHashSet<>();
  private final VerticalLayout list = new VerticalLayout();

  HeadersEditor(Collection<String> savedNames) {
    setPadding(false);
    setSpacing(false);
    list.setPadding(false);
    list.setSpacing(false);
    Button add = new Button("Add header", VaadinIcon.PLUS.create(), e -> addRow("", false));
    add.setId("destination-add-header");
    add.addThemeVariants(ButtonVariant.LUMO_SMALL, ButtonVariant.LUMO_TERTIARY);
    Span label = new Span("Extra headers (values are kept secret)");
    label.getStyle().set("font-size", "var(--lumo-font-size-s)");
    add(label, list, add);
    savedNames.forEach(n -> addRow(n, true));
  }

  private void addRow(String header, boolean saved) {
    TextField name = new TextField();
    name.setPlaceholder("Name, such as Authorization");
    name.setValue(header);
    name.setReadOnly(saved);
    name.addClassName("destination-header-name");
    PasswordField value = new PasswordField();
    value.addClassName("destination-header-value");
    value.setRevealButtonVisible(!saved);
    if (saved) {
      // a masked placeholder: the value itself never leaves the server
      value.setPlaceholder(MASK);
      value.setHelperText("Saved. Type a new value to replace it.");
    } else {
      value.setPlaceholder("Value");
    }
    Row row = new Row(name, value, saved);
    HorizontalLayout line = new HorizontalLayout(name, value);
    Button remove =
        new Button(
            VaadinIcon.CLOSE_SMALL.create(),
            e -> {
              rows.remove(row);
              if (saved) {
                removed.add(header);
              }
              list.remove(e.getSource().getParent().orElseThrow());
            });
    remove.addClassName("destination-header-remove");
    remove.setAriaLabel("Remove header " + header);
    remove.addThemeVariants(ButtonVariant.LUMO_TERTIARY_INLINE);
    line.add(remove);
    line.setDefaultVerticalComponentAlignment(FlexComponent.Alignment.BASELINE);
    rows.add(row);
    list.add(line);
  }

  /**
   * The {@code headers} object for the settings: each typed value, null for a removed saved header;
   * a saved header left masked is not named, so its stored value is kept.
   */
  ObjectNode toJson() {
    ObjectNode out = JsonNodeFactory.instance.objectNode();
    removed.forEach(out::putNull);
    for (Row r : rows) {
      String name = r.name().getValue().strip();
      if (name.isEmpty() || (r.saved() && r.value().getValue().isEmpty())) {
        continue;
      }
      out.put(name, r.value().getValue());
    }
    return out;
  }

  /** A field per header, by the JSON path the service names it with. */
  Map<String, HasValidation> fields() {
    Map<String, HasValidation> out = new LinkedHashMap<>();
    for (Row r : rows) {
      out.put("$.config.headers." + r.name().getValue().strip(), r.name());
    }
    return out;
  }
}
