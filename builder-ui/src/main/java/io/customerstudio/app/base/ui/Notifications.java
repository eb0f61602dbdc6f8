package io.customerstudio.app.base.ui;

import com.vaadin.flow.component.notification.Notification;
import com.vaadin.flow.component.notification.NotificationVariant;

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
   * Runs an action the service may refuse (an {@link io.customerstudio.app.api.ApiException}),
   * showing the refusal as an error; empty when refused.
   */
  public static <T> java.util.Optional<T> attempt(java.util.function.Supplier<T> action) {
    try {
      return java.util.Optional.ofNullable(action.get());
    } catch (io.customerstudio.app.api.ApiException e) {
      error(e.getMessage());
      return java.util.Optional.empty();
    }
  }

  /** {@link #attempt(java.util.function.Supplier)} for an action without a result. */
  public static boolean attempt(Runnable action) {
    return attempt(
            () -> {
              action.run();
              return Boolean.TRUE;
            })
        .isPresent();
  }
}
