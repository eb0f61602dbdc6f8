package io.customerstudio.app.base.ui;

import com.vaadin.flow.component.textfield.TextField;
import java.util.Locale;

/**
 * Keys made from names, the same way in every form that asks for both (audiences, destinations,
 * syncs): typing a name fills the key until the person types a key of their own.
 */
public final class Keys {

  private Keys() {}

  /** "VIP customers (DE)" becomes "vip-customers-de": lower-case letters, digits and dashes. */
  public static String slug(String name) {
    String s =
        name.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]+", "-").replaceAll("^-+|-+$", "");
    return s.length() > 100 ? s.substring(0, 100) : s;
  }

  /**
   * Fills {@code key} from {@code name} on every edit of the name, while the key is editable and
   * still empty or what the previous name made: a key the person typed is never overwritten. Marks
   * both as required.
   */
  public static void fillFromName(TextField name, TextField key) {
    name.setRequiredIndicatorVisible(true);
    key.setRequiredIndicatorVisible(true);
    name.addValueChangeListener(
        e -> {
          if (!e.isFromClient() || key.isReadOnly()) {
            return;
          }
          String old = e.getOldValue() == null ? "" : e.getOldValue();
          if (key.getValue().isEmpty() || key.getValue().equals(slug(old))) {
            key.setValue(slug(e.getValue()));
          }
        });
  }
}
