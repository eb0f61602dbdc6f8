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
import java.util.List;

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
    form.setI18n(
        messages(
            "Wrong username or password",
            "Check both and try again. On a first start, the admin password is in the log."));
    form.setAction("login");
    form.setForgotPasswordButtonVisible(false);
    add(
        new H1("Customer Studio"),
        new Paragraph("Build audiences on your warehouse and sync them where campaigns run."),
        form);
  }

  /**
   * {@code ?error} after a wrong password; {@code ?locked=<seconds>} when too many failed logins
   * for the user or from this address paused logging in (SecurityConfiguration's login limits).
   */
  @Override
  public void beforeEnter(BeforeEnterEvent event) {
    var parameters = event.getLocation().getQueryParameters().getParameters();
    List<String> locked = parameters.getOrDefault("locked", List.of());
    if (!locked.isEmpty()) {
      form.setI18n(
          messages(
              "Too many failed logins",
              "Logging in is paused for this account or this address. Try again in "
                  + wait(locked.get(0))
                  + "; each further failure doubles the wait."));
      form.setError(true);
      return;
    }
    form.setError(parameters.containsKey("error"));
  }

  private static LoginI18n messages(String title, String message) {
    LoginI18n i18n = LoginI18n.createDefault();
    i18n.getErrorMessage().setTitle(title);
    i18n.getErrorMessage().setMessage(message);
    return i18n;
  }

  /** "45 seconds", "3 minutes": the wait in words; a parameter that is no number says "a while". */
  static String wait(String seconds) {
    long s;
    try {
      s = Long.parseLong(seconds);
    } catch (NumberFormatException e) {
      return "a little while";
    }
    if (s < 90) {
      return s + (s == 1 ? " second" : " seconds");
    }
    long minutes = (s + 59) / 60;
    return minutes + " minutes";
  }
}
