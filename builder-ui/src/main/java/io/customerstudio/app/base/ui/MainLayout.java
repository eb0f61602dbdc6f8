package io.customerstudio.app.base.ui;

import com.vaadin.flow.component.applayout.AppLayout;
import com.vaadin.flow.component.applayout.DrawerToggle;
import com.vaadin.flow.component.button.Button;
import com.vaadin.flow.component.button.ButtonVariant;
import com.vaadin.flow.component.html.H1;
import com.vaadin.flow.component.html.Span;
import com.vaadin.flow.component.icon.VaadinIcon;
import com.vaadin.flow.component.orderedlayout.FlexComponent;
import com.vaadin.flow.component.orderedlayout.HorizontalLayout;
import com.vaadin.flow.component.sidenav.SideNav;
import com.vaadin.flow.component.sidenav.SideNavItem;
import com.vaadin.flow.router.Layout;
import com.vaadin.flow.server.auth.AccessAnnotationChecker;
import com.vaadin.flow.spring.security.AuthenticationContext;
import com.vaadin.flow.theme.lumo.LumoUtility;
import io.customerstudio.app.dashboard.ui.DashboardView;
import io.customerstudio.app.tokens.ui.ApiTokensView;
import io.customerstudio.app.users.ui.UsersView;
import jakarta.annotation.security.PermitAll;

/**
 * The shell around every view: the navigation (only entries the user may open) and the current
 * user with a log-out button. Entries are added here as features land.
 */
@Layout
@PermitAll
public class MainLayout extends AppLayout {

  public MainLayout(AuthenticationContext auth, AccessAnnotationChecker access) {
    H1 title = new H1("Customer Studio");
    title.addClassNames(LumoUtility.FontSize.LARGE, LumoUtility.Margin.NONE);

    Span user = new Span(auth.getPrincipalName().orElse(""));
    user.setId("current-user");
    Button logout = new Button("Log out", VaadinIcon.SIGN_OUT.create(), e -> auth.logout());
    logout.addThemeVariants(ButtonVariant.LUMO_TERTIARY);
    HorizontalLayout header = new HorizontalLayout(new DrawerToggle(), title, user, logout);
    header.setDefaultVerticalComponentAlignment(FlexComponent.Alignment.CENTER);
    header.expand(title);
    header.setWidthFull();
    header.addClassNames(LumoUtility.Padding.Horizontal.MEDIUM);
    addToNavbar(header);

    SideNav nav = new SideNav();
    nav.addItem(new SideNavItem("Dashboard", DashboardView.class, VaadinIcon.DASHBOARD.create()));
    if (access.hasAccess(UsersView.class)) {
      SideNavItem admin = new SideNavItem("Administration");
      admin.setExpanded(true);
      admin.addItem(new SideNavItem("Users", UsersView.class, VaadinIcon.USERS.create()));
      admin.addItem(new SideNavItem("API tokens", ApiTokensView.class, VaadinIcon.KEY.create()));
      nav.addItem(admin);
    }
    addToDrawer(nav);
    setPrimarySection(Section.DRAWER);
  }
}
