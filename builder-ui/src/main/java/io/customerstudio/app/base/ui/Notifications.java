package io.customerstudio.app.base.ui;

import com.vaadin.flow.component.notification.Notification;
import com.vaadin.flow.component.notification.NotificationVariant;
import io.customerstudio.app.api.ApiException;
import io.customerstudio.app.errors.ConflictException;
import io.customerstudio.app.errors.NotFoundException;
import io.customerstudio.query.ValidationException;
import java.util.Optional;
import java.util.function.Supplier;

/** The notifications every view needs, and the way a view shows a request the service refuses. */
public final class Notifications {

  private Notifications() {}

  public static void success(String message) {
    Notification.show(message, 3000, Notification.Position.BOTTOM_START)
        .addThemeVariants(NotificationVariant.LUMO_SUCCESS);
  }

  public static void error(String message) {
    Notification n = Notification.show(message, 6000, Notification.Position.MIDDLE);
    n.addThemeVariants(NotificationVariant.LUMO_ERROR);
  }

  /**
   * Runs an action the service may refuse (not found, a conflict, invalid input, or a service that
   * still speaks HTTP's {@link ApiException}), showing the refusal as an error; empty when refused.
   */
  public static <T> Optional<T> attempt(Supplier<T> action) {
    try {
      return Optional.ofNullable(action.get());
    } catch (NotFoundException | ConflictException | ValidationException | ApiException e) {
      error(e.getMessage());
      return Optional.empty();
    }
  }

  /** {@link #attempt(Supplier)} for an action without a result. */
  public static boolean attempt(Runnable action) {
    return attempt(
            () -> {
              action.run();
              return Boolean.TRUE;
            })
        .isPresent();
  }
}
