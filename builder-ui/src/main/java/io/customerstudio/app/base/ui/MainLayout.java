package io.customerstudio.app.base.ui;

import com.vaadin.flow.component.applayout.AppLayout;
import com.vaadin.flow.component.applayout.DrawerToggle;
import com.vaadin.flow.component.button.Button;
import com.vaadin.flow.component.button.ButtonVariant;
import com.vaadin.flow.component.html.H1;
import com.vaadin.flow.component.html.Span;
import com.vaadin.flow.component.icon.Icon;
import com.vaadin.flow.component.icon.VaadinIcon;
import com.vaadin.flow.component.orderedlayout.FlexComponent;
import com.vaadin.flow.component.orderedlayout.HorizontalLayout;
import com.vaadin.flow.component.sidenav.SideNav;
import com.vaadin.flow.component.sidenav.SideNavItem;
import com.vaadin.flow.router.Layout;
import com.vaadin.flow.server.menu.MenuConfiguration;
import com.vaadin.flow.server.menu.MenuEntry;
import com.vaadin.flow.spring.security.AuthenticationContext;
import com.vaadin.flow.theme.lumo.LumoUtility;
import jakarta.annotation.security.PermitAll;

/**
 * The shell around every view: the navigation and the current user with a log-out button. The
 * entries come from each view's {@code @Menu}; Vaadin lists only those the user may open, so a
 * feature adds itself to the navigation and this class never imports a view.
 */
@Layout
@PermitAll
public class MainLayout extends AppLayout {

  public MainLayout(AuthenticationContext auth) {
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
    for (MenuEntry entry : MenuConfiguration.getMenuEntries()) {
      SideNavItem item = new SideNavItem(entry.title(), entry.path());
      if (entry.icon() != null) {
        item.setPrefixComponent(new Icon(entry.icon()));
      }
      nav.addItem(item);
    }
    addToDrawer(nav);
    setPrimarySection(Section.DRAWER);
  }
}
