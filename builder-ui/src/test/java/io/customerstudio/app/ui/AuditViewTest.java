package io.customerstudio.app.ui;

import static com.github.mvysny.kaributesting.v10.LocatorJ._find;
import static com.github.mvysny.kaributesting.v10.LocatorJ._get;
import static org.assertj.core.api.Assertions.assertThat;

import com.github.mvysny.kaributesting.v10.GridKt;
import com.github.mvysny.kaributesting.v10.HasValueUtilsKt;
import com.vaadin.flow.component.UI;
import com.vaadin.flow.component.datepicker.DatePicker;
import com.vaadin.flow.component.grid.Grid;
import com.vaadin.flow.component.html.Div;
import com.vaadin.flow.component.select.Select;
import com.vaadin.flow.component.sidenav.SideNavItem;
import com.vaadin.flow.component.textfield.TextField;
import io.customerstudio.app.audit.AuditLog;
import io.customerstudio.app.audit.AuditTrail;
import io.customerstudio.app.audit.ui.AuditView;
import io.customerstudio.app.base.ui.AccessDeniedView;
import io.customerstudio.app.templates.TemplateService;
import io.customerstudio.app.users.UserService;
import io.customerstudio.infra.store.UserStore;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

/** The audit page, driven without a browser on the real app and log. */
class AuditViewTest extends KaribuTestSupport {

  @Autowired TemplateService templates;
  @Autowired UserService users;

  static final com.fasterxml.jackson.databind.JsonNode CONDITION =
      io.customerstudio.app.api.Json.parse(
          "{\"type\": \"property\", \"column\": \"country\", \"op\": \"eq\", \"value\": \"FR\"}");

  @Test
  void filtersPickTheEntries_andTheDetailShowsBeforeAndAfterWithTheChangedLinesMarked() {
    templates.save("audit-view-tpl", "First name", null, List.of(), CONDITION, "admin");
    templates.save("audit-view-tpl", "Second name", "now described", List.of(), CONDITION, "admin");

    login("admin");
    UI.getCurrent().navigate(AuditView.class);
    assertThat(_find(SideNavItem.class).stream().map(SideNavItem::getLabel)).contains("Audit log");

    @SuppressWarnings("unchecked")
    Grid<AuditLog.Entry> grid = _get(Grid.class, s -> s.withId("audit-grid"));
    // newest first, unfiltered: the last save is on top
    assertThat(GridKt._getFormattedRow(grid, 0))
        .containsSubsequence("admin", "template", "audit-view-tpl", "update");

    @SuppressWarnings("unchecked")
    Select<AuditTrail.Entity> entity = _get(Select.class, s -> s.withId("audit-entity"));
    HasValueUtilsKt._setValue(entity, AuditTrail.Entity.TEMPLATE);
    HasValueUtilsKt._setValue(_get(TextField.class, s -> s.withId("audit-key")), "audit-view-tpl");
    List<AuditLog.Entry> shown = GridKt._fetch(grid, 0, 100);
    assertThat(shown).extracting(e -> e.action().wire()).containsExactly("update", "create");
    assertThat(shown).allSatisfy(e -> assertThat(e.key()).isEqualTo("audit-view-tpl"));

    HasValueUtilsKt._setValue(_get(TextField.class, s -> s.withId("audit-actor")), "someone-else");
    assertThat(GridKt._fetch(grid, 0, 100)).isEmpty();
    HasValueUtilsKt._setValue(_get(TextField.class, s -> s.withId("audit-actor")), "admin");
    DatePicker since = _get(DatePicker.class, s -> s.withId("audit-since"));
    HasValueUtilsKt._setValue(since, LocalDate.now(ZoneOffset.UTC).plusDays(1));
    assertThat(GridKt._fetch(grid, 0, 100)).isEmpty();
    HasValueUtilsKt._setValue(since, LocalDate.now(ZoneOffset.UTC));
    assertThat(GridKt._fetch(grid, 0, 100)).hasSize(2);

    // the update, side by side: before on the left, after on the right, changes marked
    grid.select(GridKt._get(grid, 0));
    Div diff = _get(Div.class, s -> s.withId("audit-diff"));
    List<Div> cells =
        diff.getChildren()
            .map(Div.class::cast)
            .toList()
            .subList(2, (int) diff.getChildren().count());
    List<String> removed =
        cells.stream().filter(c -> c.hasClassName("diff-removed")).map(Div::getText).toList();
    List<String> added =
        cells.stream().filter(c -> c.hasClassName("diff-added")).map(Div::getText).toList();
    assertThat(removed).anyMatch(t -> t.contains("\"name\" : \"First name\""));
    assertThat(added).anyMatch(t -> t.contains("\"name\" : \"Second name\""));
    assertThat(added).anyMatch(t -> t.contains("\"description\" : \"now described\""));
    assertThat(removed).noneMatch(t -> t.contains("\"key\""));
    // the left column is before, the right after: they alternate
    assertThat(cells.get(0).getText()).isEqualTo(cells.get(1).getText()).isEqualTo("{");

    // a creation has nothing before
    grid.select(GridKt._get(grid, 1));
    List<Div> created =
        _get(Div.class, s -> s.withId("audit-diff")).getChildren().map(Div.class::cast).toList();
    for (int i = 2; i < created.size(); i += 2) {
      assertThat(created.get(i).getText()).isEmpty();
      assertThat(created.get(i + 1).hasClassName("diff-added")).isTrue();
    }
    templates.delete("audit-view-tpl", "admin");
  }

  @Test
  void marketersMayNotOpenIt() {
    if (users.list().stream().noneMatch(u -> u.username().equals("audit-view-marketer"))) {
      users.create(
          new UserService.NewUser(
              "audit-view-marketer", null, UserStore.Role.MARKETER, "audit-view-pw-1", null),
          "admin");
    }
    login("audit-view-marketer");
    UI.getCurrent().navigate("audit");
    assertThat(_find(AuditView.class)).isEmpty();
    assertThat(_find(AccessDeniedView.class)).isNotEmpty();
    assertThat(_find(SideNavItem.class).stream().map(SideNavItem::getLabel))
        .doesNotContain("Audit log");
  }
}
