package io.customerstudio.app.ui;

import static com.github.mvysny.kaributesting.v10.LocatorJ._assertNone;
import static com.github.mvysny.kaributesting.v10.LocatorJ._find;
import static com.github.mvysny.kaributesting.v10.LocatorJ._get;
import static org.assertj.core.api.Assertions.assertThat;

import com.github.mvysny.kaributesting.v10.ButtonKt;
import com.github.mvysny.kaributesting.v10.GridKt;
import com.github.mvysny.kaributesting.v10.HasValueUtilsKt;
import com.vaadin.flow.component.UI;
import com.vaadin.flow.component.button.Button;
import com.vaadin.flow.component.grid.Grid;
import com.vaadin.flow.component.html.Div;
import com.vaadin.flow.component.html.H2;
import com.vaadin.flow.component.html.Paragraph;
import com.vaadin.flow.component.select.Select;
import com.vaadin.flow.component.sidenav.SideNavItem;
import com.vaadin.flow.component.textfield.PasswordField;
import com.vaadin.flow.component.textfield.TextField;
import com.vaadin.flow.router.Location;
import com.vaadin.flow.router.NavigationTrigger;
import io.customerstudio.app.base.ui.AccessDeniedView;
import io.customerstudio.app.base.ui.MainLayout;
import io.customerstudio.app.base.ui.NotFoundView;
import io.customerstudio.app.dashboard.ui.DashboardView;
import io.customerstudio.app.tokens.ApiTokenService;
import io.customerstudio.app.users.ui.UsersView;
import io.customerstudio.infra.store.UserStore;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

/** The admin screens, driven as a person would, without a browser. */
class AdminViewsTest extends KaribuTestSupport {

  @Autowired UserStore users;
  @Autowired ApiTokenService tokens;

  @Test
  void dashboardShowsLiveFigures() {
    login("admin");
    UI.getCurrent().navigate(DashboardView.class);

    assertThat(_get(Div.class, s -> s.withId("figure-models")).getText()).isEqualTo("5");
    Grid<?> counts = _get(Grid.class, s -> s.withId("demo-row-counts"));
    assertThat(GridKt._size(counts)).isEqualTo(5);
    assertThat(GridKt._getFormattedRow(counts, 0)).containsExactly("users", "2,000");
    assertThat(_find(SideNavItem.class).stream().map(SideNavItem::getLabel))
        .contains("Dashboard", "Users", "API tokens");
    // an admin sees where each connection points
    assertThat(
            _find(Paragraph.class, s -> s.withClasses("connection-about")).stream()
                .map(Paragraph::getText))
        .anyMatch(t -> t.contains("PostgreSQL"));
  }

  @Test
  void anAdminAddsAMarketer_andAShortPasswordIsShownNextToItsField() {
    login("admin");
    UI.getCurrent().navigate(UsersView.class);

    ButtonKt._click(_get(Button.class, s -> s.withId("add-user")));
    HasValueUtilsKt._setValue(
        _get(TextField.class, s -> s.withId("user-username")), "karibu-marketer");
    HasValueUtilsKt._setValue(_get(PasswordField.class, s -> s.withId("user-password")), "short");
    ButtonKt._click(_get(Button.class, s -> s.withId("user-save")));
    PasswordField password = _get(PasswordField.class, s -> s.withId("user-password"));
    assertThat(password.isInvalid()).isTrue();
    assertThat(password.getErrorMessage()).contains("at least 10 characters");

    HasValueUtilsKt._setValue(password, "long-enough-password");
    @SuppressWarnings("unchecked")
    Select<UserStore.Role> role = _get(Select.class, s -> s.withId("user-role"));
    assertThat(role.getValue()).isEqualTo(UserStore.Role.MARKETER);
    ButtonKt._click(_get(Button.class, s -> s.withId("user-save")));

    assertThat(users.find("karibu-marketer"))
        .hasValueSatisfying(u -> assertThat(u.role()).isEqualTo(UserStore.Role.MARKETER));
    Grid<?> grid = _get(Grid.class, s -> s.withId("users"));
    assertThat(
            java.util.stream.IntStream.range(0, GridKt._size(grid))
                .mapToObj(i -> GridKt._getFormattedRow(grid, i).get(0)))
        .contains("karibu-marketer");
  }

  @Test
  void aCreatedTokenIsShownOnceAndAuthenticates() {
    login("admin");
    UI.getCurrent().navigate("admin/tokens");

    ButtonKt._click(_get(Button.class, s -> s.withId("create-token")));
    HasValueUtilsKt._setValue(_get(TextField.class, s -> s.withId("token-name")), "karibu token");
    ButtonKt._click(_get(Button.class, s -> s.withId("token-save")));

    String token = _get(TextField.class, s -> s.withId("token-value")).getValue();
    assertThat(token).startsWith("cs_");
    assertThat(tokens.usernameFor(token)).hasValue("admin");
  }

  @Test
  void marketersSeeNoAdministration() {
    if (users.find("karibu-viewer").isEmpty()) {
      users.create("karibu-viewer", null, "{noop}irrelevant-here", UserStore.Role.MARKETER);
    }
    login("karibu-viewer");
    UI.getCurrent().navigate(DashboardView.class);
    assertThat(_find(SideNavItem.class).stream().map(SideNavItem::getLabel))
        .doesNotContain("Users", "API tokens");

    // an admin page: the app's own page, inside the shell with its navigation, says whom it is
    // for and offers a way back
    UI.getCurrent().navigate("admin/users");
    _assertNone(UsersView.class);
    _get(AccessDeniedView.class);
    _get(MainLayout.class);
    assertThat(_get(H2.class, s -> s.withId("error-title")).getText())
        .isEqualTo("This page is for admins");
    assertThat(_get(Paragraph.class, s -> s.withId("error-reason")).getText())
        .contains("/admin/users");
    assertThat(_find(SideNavItem.class).stream().map(SideNavItem::getLabel))
        .contains("Dashboard", "Audiences")
        .doesNotContain("Schema", "Users");

    UI.getCurrent().navigate("schema");
    assertThat(_get(H2.class, s -> s.withId("error-title")).getText())
        .isEqualTo("This page is for admins");
    UI.getCurrent().navigate("destinations");
    assertThat(_get(H2.class, s -> s.withId("error-title")).getText())
        .isEqualTo("This page is for admins");

    // an address no page answers, typed into the browser (a server-side navigate() would hand an
    // unknown path to the client-side router instead)
    UI.getCurrent()
        .getInternals()
        .getRouter()
        .navigate(UI.getCurrent(), new Location("no-such-page"), NavigationTrigger.PAGE_LOAD);
    _get(NotFoundView.class);
    _get(MainLayout.class);
    assertThat(_get(Paragraph.class, s -> s.withId("error-reason")).getText())
        .startsWith("There is no page at /no-such-page.");
    ButtonKt._click(_get(Button.class, s -> s.withId("error-home")));
    _get(DashboardView.class);
  }

  @Test
  void theDashboardShowsWhereConnectionsPointOnlyToAdmins() {
    if (users.find("karibu-viewer").isEmpty()) {
      users.create("karibu-viewer", null, "{noop}irrelevant-here", UserStore.Role.MARKETER);
    }
    login("karibu-viewer");
    UI.getCurrent().navigate(DashboardView.class);
    List<Paragraph> about = _find(Paragraph.class, s -> s.withClasses("connection-about"));
    assertThat(about).hasSize(3); // app store, warehouse, Temporal
    assertThat(about.get(0).getText()).isEqualTo("Connected.");
    assertThat(about)
        .allSatisfy(
            p ->
                assertThat(p.getText())
                    .doesNotContain("PostgreSQL", "localhost", "127.0.0.1", "jdbc", "/"));
  }
}
