package io.customerstudio.app.base.ui;

import com.vaadin.flow.component.HasValidation;
import io.customerstudio.app.api.ApiException;
import java.util.Map;

/** Shows a service's validation errors next to the fields their JSON paths name. */
public final class FormErrors {

  private FormErrors() {}

  /** Each error goes next to its field; errors about no shown field become a notification. */
  public static void show(ApiException ex, Map<String, ? extends HasValidation> fields) {
    if (ex.errors().isEmpty()) {
      Notifications.error(ex.getMessage());
      return;
    }
    for (ApiException.FieldError err : ex.errors()) {
      HasValidation field = fields.get(err.path());
      if (field != null) {
        field.setErrorMessage(err.message());
        field.setInvalid(true);
      } else {
        Notifications.error(err.path() + ": " + err.message());
      }
    }
  }
}
