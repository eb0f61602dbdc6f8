package io.customerstudio.app.base.ui;

import com.vaadin.flow.component.HasValidation;
import io.customerstudio.app.api.ApiException;
import io.customerstudio.query.Problem;
import io.customerstudio.query.ValidationException;
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
      show(err.path(), err.message(), fields);
    }
  }

  /** A service's typed problems, each next to the field its path names. */
  public static void show(ValidationException ex, Map<String, ? extends HasValidation> fields) {
    for (Problem p : ex.problems()) {
      show(p.path(), p.message(), fields);
    }
  }

  private static void show(
      String path, String message, Map<String, ? extends HasValidation> fields) {
    HasValidation field = fields.get(path);
    if (field != null) {
      field.setErrorMessage(message);
      field.setInvalid(true);
    } else {
      Notifications.error(path + ": " + message);
    }
  }
}
