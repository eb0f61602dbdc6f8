package io.customerstudio.app.base.ui;

import com.vaadin.flow.component.Component;
import com.vaadin.flow.component.UI;
import com.vaadin.flow.shared.Registration;

/**
 * Refreshes a view from the browser's poll while it is attached: for pages that watch work going on
 * elsewhere (sync runs).
 */
public final class Polling {

  private Polling() {}

  public static void every(Component view, int millis, Runnable refresh) {
    Registration[] poll = new Registration[1];
    view.addAttachListener(
        e -> {
          UI ui = e.getUI();
          ui.setPollInterval(millis);
          poll[0] = ui.addPollListener(p -> refresh.run());
        });
    view.addDetachListener(
        e -> {
          if (poll[0] != null) {
            poll[0].remove();
          }
          e.getUI().setPollInterval(-1);
        });
  }
}
