package io.customerstudio.app.base.ui;

import com.vaadin.flow.component.button.Button;
import com.vaadin.flow.component.button.ButtonVariant;
import com.vaadin.flow.component.html.H2;
import com.vaadin.flow.component.html.Paragraph;
import com.vaadin.flow.component.icon.VaadinIcon;
import com.vaadin.flow.component.orderedlayout.VerticalLayout;

/**
 * What a refused or unknown address shows inside the app's shell: a title, the reason in a
 * sentence, and a way back. The navigation beside it lists what the person may open.
 */
abstract class ErrorPage extends VerticalLayout {

  private final H2 title = new H2();
  private final Paragraph reason = new Paragraph();

  ErrorPage() {
    addClassName("error-page");
    title.setId("error-title");
    reason.setId("error-reason");
    Button home =
        new Button(
            "Go to the dashboard",
            VaadinIcon.HOME.create(),
            e -> getUI().ifPresent(ui -> ui.navigate("")));
    home.setId("error-home");
    home.addThemeVariants(ButtonVariant.LUMO_PRIMARY);
    add(title, reason, home);
  }

  void show(String title, String reason) {
    this.title.setText(title);
    this.reason.setText(reason);
  }
}
