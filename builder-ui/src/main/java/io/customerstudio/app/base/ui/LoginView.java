package io.customerstudio.app.base.ui;

import com.vaadin.flow.component.html.H1;
import com.vaadin.flow.component.html.Paragraph;
import com.vaadin.flow.component.login.LoginForm;
import com.vaadin.flow.component.login.LoginI18n;
import com.vaadin.flow.component.orderedlayout.VerticalLayout;
import com.vaadin.flow.router.BeforeEnterEvent;
import com.vaadin.flow.router.BeforeEnterObserver;
import com.vaadin.flow.router.PageTitle;
import com.vaadin.flow.router.Route;
import com.vaadin.flow.server.auth.AnonymousAllowed;

/** The only page open without a login. */
@Route(value = "login", autoLayout = false)
@PageTitle("Log in · Customer Studio")
@AnonymousAllowed
public class LoginView extends VerticalLayout implements BeforeEnterObserver {

  private final LoginForm form = new LoginForm();

  public LoginView() {
    setSizeFull();
    setAlignItems(Alignment.CENTER);
    setJustifyContentMode(JustifyContentMode.CENTER);
    LoginI18n i18n = LoginI18n.createDefault();
    i18n.getErrorMessage().setTitle("Wrong username or password");
    i18n.getErrorMessage()
        .setMessage(
            "Check both and try again. On a first start, the admin password is in the log.");
    form.setI18n(i18n);
    form.setAction("login");
    form.setForgotPasswordButtonVisible(false);
    add(
        new H1("Customer Studio"),
        new Paragraph("Build audiences on your warehouse and sync them where campaigns run."),
        form);
  }

  @Override
  public void beforeEnter(BeforeEnterEvent event) {
    form.setError(event.getLocation().getQueryParameters().getParameters().containsKey("error"));
  }
}
