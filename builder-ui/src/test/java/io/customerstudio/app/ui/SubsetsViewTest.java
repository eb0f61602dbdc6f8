package io.customerstudio.app.ui;

import static com.github.mvysny.kaributesting.v10.LocatorJ._get;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.mvysny.kaributesting.v10.ButtonKt;
import com.github.mvysny.kaributesting.v10.GridKt;
import com.github.mvysny.kaributesting.v10.HasValueUtilsKt;
import com.github.mvysny.kaributesting.v10.NotificationsKt;
import com.vaadin.flow.component.UI;
import com.vaadin.flow.component.button.Button;
import com.vaadin.flow.component.combobox.MultiSelectComboBox;
import com.vaadin.flow.component.grid.Grid;
import com.vaadin.flow.component.textfield.TextField;
import io.customerstudio.app.conditions.ui.ConditionBuilder;
import io.customerstudio.app.subsets.SubsetService;
import io.customerstudio.app.subsets.ui.SubsetsView;
import io.customerstudio.app.users.UserService;
import io.customerstudio.app.users.ui.UsersView;
import io.customerstudio.infra.store.UserStore;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

/** The Subsets page edits categories with the condition builder; the Users page assigns them. */
class SubsetsViewTest extends KaribuTestSupport {

  @Autowired SubsetService subsets;
  @Autowired UserService users;

  static final ObjectMapper JSON = new ObjectMapper();

  void region(String key) throws Exception {
    if (subsets.list().stream().noneMatch(c -> c.key().equals(key))) {
      subsets.create(
          new SubsetService.CategoryCommand(
              key,
              "Region",
              "users",
              List.of(
                  new SubsetService.SubsetView(
                      "de",
                      "Germany",
                      JSON.readTree(
                          "{\"type\": \"property\", \"column\": \"country\", \"op\": \"eq\","
                              + " \"value\": \"DE\"}")))),
          "admin");
    }
  }

  @Test
  void anAdminEditsACategoryWithTheConditionBuilder_andAMissingConditionIsRefused()
      throws Exception {
    region("kv-region");
    login("admin");
    UI.getCurrent().navigate(SubsetsView.class);
    Grid<SubsetService.CategoryView> grid = _get(Grid.class, s -> s.withId("categories"));
    int row =
        java.util.stream.IntStream.range(0, GridKt._size(grid))
            .filter(i -> GridKt._get(grid, i).key().equals("kv-region"))
            .findFirst()
            .orElseThrow();
    var actions =
        (com.vaadin.flow.component.orderedlayout.HorizontalLayout)
            GridKt._getCellComponent(grid, row, "actions");
    ButtonKt._click(
        actions
            .getChildren()
            .filter(b -> b.getId().orElse("").equals("edit-category-kv-region"))
            .map(Button.class::cast)
            .findFirst()
            .orElseThrow());
    // the subset's condition is shown in the builder over the category's parent
    assertThat(_get(ConditionBuilder.class).condition().path("value").asText()).isEqualTo("DE");
    HasValueUtilsKt._setValue(_get(TextField.class, s -> s.withId("category-name")), "Regions");
    ButtonKt._click(_get(Button.class, s -> s.withId("category-save")));
    assertThat(subsets.get("kv-region").name()).isEqualTo("Regions");
    NotificationsKt.expectNotifications("Saved Regions");

    ButtonKt._click(_get(Button.class, s -> s.withId("add-category")));
    HasValueUtilsKt._setValue(_get(TextField.class, s -> s.withId("category-name")), "Tier");
    HasValueUtilsKt._setValue(_get(TextField.class, s -> s.withId("category-key")), "kv-tier");
    HasValueUtilsKt._setValue(_get(TextField.class, s -> s.withId("subset-key-0")), "gold");
    HasValueUtilsKt._setValue(_get(TextField.class, s -> s.withId("subset-name-0")), "Gold");
    ButtonKt._click(_get(Button.class, s -> s.withId("category-save")));
    NotificationsKt.expectNotifications("$.subsets[0].condition: is required");
    assertThat(subsets.list()).noneMatch(c -> c.key().equals("kv-tier"));
  }

  @Test
  void anAdminRestrictsAMarketerOnTheUsersPage() throws Exception {
    region("kv-users");
    if (users.list().stream().noneMatch(u -> u.username().equals("kv-mia"))) {
      users.create(
          new UserService.NewUser("kv-mia", null, UserStore.Role.MARKETER, "kv-mia-password", null),
          "admin");
    }
    login("admin");
    UI.getCurrent().navigate(UsersView.class);
    Grid<UserService.UserView> grid = _get(Grid.class, s -> s.withId("users"));
    int row =
        java.util.stream.IntStream.range(0, GridKt._size(grid))
            .filter(i -> GridKt._get(grid, i).username().equals("kv-mia"))
            .findFirst()
            .orElseThrow();
    var actions =
        (com.vaadin.flow.component.orderedlayout.HorizontalLayout)
            GridKt._getCellComponent(grid, row, "actions");
    ButtonKt._click(
        actions
            .getChildren()
            .filter(Button.class::isInstance)
            .map(Button.class::cast)
            .filter(b -> b.getText().equals("Edit"))
            .findFirst()
            .orElseThrow());
    assertThat(GridKt._getFormattedRow(grid, row)).contains("everything");
    MultiSelectComboBox<String> box =
        _get(MultiSelectComboBox.class, s -> s.withId("user-subsets-kv-users"));
    box.setValue(Set.of("de"));
    ButtonKt._click(_get(Button.class, s -> s.withId("user-save")));
    assertThat(users.get("kv-mia").subsets()).isEqualTo(Map.of("kv-users", List.of("de")));
  }
}
