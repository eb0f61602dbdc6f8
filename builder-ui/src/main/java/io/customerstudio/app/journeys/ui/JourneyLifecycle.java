package io.customerstudio.app.journeys.ui;

import com.vaadin.flow.component.button.Button;
import com.vaadin.flow.component.button.ButtonVariant;
import com.vaadin.flow.component.confirmdialog.ConfirmDialog;
import com.vaadin.flow.component.icon.VaadinIcon;
import com.vaadin.flow.component.orderedlayout.HorizontalLayout;
import io.customerstudio.app.base.ui.Notifications;
import io.customerstudio.app.journeys.JourneyDefinitions;
import io.customerstudio.infra.store.JourneyStore.State;
import java.util.function.Supplier;

/**
 * Pause, resume and stop of a journey, each enabled by its state; stop, being final, asks first.
 * Shared by the journeys page and the canvas's live view.
 */
final class JourneyLifecycle extends HorizontalLayout {

  private final Button pause = new Button("Pause", VaadinIcon.PAUSE.create());
  private final Button resume = new Button("Resume", VaadinIcon.PLAY.create());
  private final Button stop = new Button("Stop", VaadinIcon.STOP.create());

  /**
   * @param key the journey acted on (asked at each click)
   * @param after called after every action, done or refused
   */
  JourneyLifecycle(
      JourneyDefinitions definitions, String user, Supplier<String> key, Runnable after) {
    setPadding(false);
    pause.setId("journey-pause");
    pause.addClickListener(e -> act(() -> definitions.pause(key.get(), user), "Paused ", after));
    resume.setId("journey-resume");
    resume.addClickListener(e -> act(() -> definitions.resume(key.get(), user), "Resumed ", after));
    stop.setId("journey-stop");
    stop.addThemeVariants(ButtonVariant.LUMO_ERROR);
    stop.addClickListener(
        e -> {
          String k = key.get();
          ConfirmDialog confirm =
              new ConfirmDialog(
                  "Stop journey " + k + "?",
                  "Everyone still inside leaves it now (reason: stopped), and nobody enters any"
                      + " more. A stopped journey cannot be resumed.",
                  "Stop",
                  c -> act(() -> definitions.stop(k, user), "Stopped ", after));
          confirm.setId("confirm-stop");
          confirm.setConfirmButtonTheme("error primary");
          confirm.setCancelable(true);
          confirm.open();
        });
    add(pause, resume, stop);
  }

  /** Enables the buttons the state allows. */
  void show(State state) {
    pause.setEnabled(state == State.LIVE);
    resume.setEnabled(state == State.PAUSED);
    stop.setEnabled(state.running());
  }

  private static void act(
      Supplier<JourneyDefinitions.Summary> action, String done, Runnable after) {
    Notifications.attempt(action)
        .ifPresent(s -> Notifications.success(done + s.name() + " (" + s.state().wire() + ")"));
    after.run();
  }
}
