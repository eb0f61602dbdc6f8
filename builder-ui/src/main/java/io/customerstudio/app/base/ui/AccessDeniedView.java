package io.customerstudio.app.base.ui;

import com.vaadin.flow.component.Component;
import com.vaadin.flow.router.AccessDeniedException;
import com.vaadin.flow.router.BeforeEnterEvent;
import com.vaadin.flow.router.ErrorParameter;
import com.vaadin.flow.router.HasErrorParameter;
import com.vaadin.flow.router.PageTitle;
import com.vaadin.flow.router.ParentLayout;
import com.vaadin.flow.router.RouteConfiguration;
import com.vaadin.flow.server.HttpStatusCode;
import jakarta.annotation.security.PermitAll;
import jakarta.annotation.security.RolesAllowed;
import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;

/**
 * A page the logged-in person may not open (a marketer at {@code /schema}): Vaadin's navigation
 * access control sends them here instead of a bare "Could not navigate". Names who the page is for,
 * inside the app's shell, whose navigation lists only what they may open.
 */
@ParentLayout(MainLayout.class)
@PageTitle("Not for you · Customer Studio")
@PermitAll
public class AccessDeniedView extends ErrorPage
    implements HasErrorParameter<AccessDeniedException> {

  @Override
  public int setErrorParameter(
      BeforeEnterEvent event, ErrorParameter<AccessDeniedException> error) {
    String path = event.getLocation().getPath();
    show(
        forWhom(path),
        "You asked for /"
            + path
            + ". Pick a page from the menu, or ask an admin if you need this one.");
    return HttpStatusCode.FORBIDDEN.getCode();
  }

  /** "This page is for admins" from the view's {@code @RolesAllowed}, when known. */
  static String forWhom(String path) {
    Optional<Class<? extends Component>> target;
    try {
      target = RouteConfiguration.forApplicationScope().getRoute(path);
    } catch (RuntimeException unknown) {
      target = Optional.empty();
    }
    RolesAllowed roles = target.map(t -> t.getAnnotation(RolesAllowed.class)).orElse(null);
    if (roles == null || roles.value().length == 0) {
      return "Your role may not open this page";
    }
    return "This page is for "
        + String.join(
            " or ",
            Arrays.stream(roles.value()).map(r -> r.toLowerCase(Locale.ROOT) + "s").toList());
  }
}
