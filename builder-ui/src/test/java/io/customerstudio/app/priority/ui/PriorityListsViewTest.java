package io.customerstudio.app.priority.ui;

import static com.github.mvysny.kaributesting.v10.LocatorJ._click;
import static com.github.mvysny.kaributesting.v10.LocatorJ._get;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.mvysny.kaributesting.v10.ComboBoxKt;
import com.github.mvysny.kaributesting.v10.GridKt;
import com.vaadin.flow.component.ComponentUtil;
import com.vaadin.flow.component.UI;
import com.vaadin.flow.component.button.Button;
import com.vaadin.flow.component.combobox.ComboBox;
import com.vaadin.flow.component.grid.Grid;
import com.vaadin.flow.component.grid.dnd.GridDragStartEvent;
import com.vaadin.flow.component.grid.dnd.GridDropEvent;
import com.vaadin.flow.component.textfield.TextField;
import elemental.json.Json;
import elemental.json.JsonArray;
import elemental.json.JsonObject;
import io.customerstudio.app.audiences.AudienceService;
import io.customerstudio.app.base.ui.Chart;
import io.customerstudio.app.priority.PriorityListService;
import io.customerstudio.app.ui.KaribuTestSupport;
import io.customerstudio.query.engine.PriorityPreview;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

/**
 * The priority lists page without a browser: a list built with the picker, reordered by the grid's
 * own drag-and-drop events, saved, and previewed with the numbers the service (the API) gives.
 */
class PriorityListsViewTest extends KaribuTestSupport {

  static final ObjectMapper JSON = new ObjectMapper();

  @Autowired AudienceService audiences;
  @Autowired PriorityListService lists;

  @BeforeEach
  void fixtures() throws Exception {
    login("admin");
    audience(
        "plv-loyal",
        "{\"type\": \"property\", \"column\": \"loyalty_member\", \"op\": \"is_true\"}");
    audience(
        "plv-de",
        "{\"type\": \"property\", \"column\": \"country\", \"op\": \"eq\", \"value\": \"DE\"}");
    audience(
        "plv-optin",
        "{\"type\": \"property\", \"column\": \"marketing_opt_in\", \"op\": \"is_true\"}");
    audience(
        "plv-taken",
        "{\"type\": \"property\", \"column\": \"country\", \"op\": \"eq\", \"value\": \"FR\"}");
    if (lists.containing("plv-taken").isEmpty()) {
      lists.create(
          new PriorityListService.Command("plv-other", "Other", List.of("plv-taken")), "admin");
    }
  }

  void audience(String key, String filter) throws Exception {
    if (audiences.list(key).stream().noneMatch(a -> a.key().equals(key))) {
      audiences.create(
          key,
          "View " + key,
          null,
          JSON.readTree("{\"parent\": \"users\", \"filter\": " + filter + "}"),
          "admin");
    }
  }

  @SuppressWarnings("unchecked")
  static Grid<PriorityListService.Candidate> rankedGrid() {
    return _get(Grid.class, s -> s.withId("priority-audiences"));
  }

  /** A drag of row {@code from} dropped below or above row {@code onto}, as the browser sends. */
  static void drag(int from, int onto, String location) {
    Grid<PriorityListService.Candidate> grid = rankedGrid();
    var keys = grid.getDataCommunicator().getKeyMapper();
    JsonObject dragged = Json.createObject();
    dragged.put("key", keys.key(GridKt._get(grid, from)));
    JsonArray items = Json.createArray();
    items.set(0, dragged);
    JsonObject details = Json.createObject();
    details.put("draggedItems", items);
    ComponentUtil.fireEvent(grid, new GridDragStartEvent<>(grid, true, details));
    JsonObject target = Json.createObject();
    target.put("key", keys.key(GridKt._get(grid, onto)));
    ComponentUtil.fireEvent(
        grid, new GridDropEvent<>(grid, true, target, location, Json.createArray()));
  }

  /** A button of a row's actions cell (rendered per row, so looked up in the cell). */
  static Button rowButton(int row, String id) {
    return _get(
        GridKt._getCellComponent(rankedGrid(), row, "actions"), Button.class, s -> s.withId(id));
  }

  static List<String> rows() {
    Grid<PriorityListService.Candidate> grid = rankedGrid();
    return java.util.stream.IntStream.range(0, GridKt._size(grid))
        .mapToObj(i -> GridKt._get(grid, i).key())
        .toList();
  }

  @Test
  void buildReorderByDragSaveAndPreview() {
    UI.getCurrent().navigate("priority-lists");
    _click(_get(Button.class, s -> s.withId("priority-new")));
    _get(TextField.class, s -> s.withId("priority-key")).setValue("plv-q4");
    _get(TextField.class, s -> s.withId("priority-name")).setValue("View Q4");

    @SuppressWarnings("unchecked")
    ComboBox<PriorityListService.Candidate> add =
        _get(ComboBox.class, s -> s.withId("priority-add"));
    // an audience another list holds is not offered
    assertThat(ComboBoxKt.getSuggestionItems(add))
        .extracting(PriorityListService.Candidate::key)
        .contains("plv-loyal", "plv-de", "plv-optin")
        .doesNotContain("plv-taken");
    ComboBoxKt.selectByLabel(add, "View plv-optin · plv-optin");
    ComboBoxKt.selectByLabel(add, "View plv-de · plv-de");
    ComboBoxKt.selectByLabel(add, "View plv-loyal · plv-loyal");
    assertThat(rows()).containsExactly("plv-optin", "plv-de", "plv-loyal");
    assertThat(ComboBoxKt.getSuggestionItems(add))
        .extracting(PriorityListService.Candidate::key)
        .doesNotContain("plv-optin", "plv-de", "plv-loyal");

    // drag the lowest (loyal) above the highest, then opt-in below German
    drag(2, 0, "above");
    assertThat(rows()).containsExactly("plv-loyal", "plv-optin", "plv-de");
    drag(1, 2, "below");
    assertThat(rows()).containsExactly("plv-loyal", "plv-de", "plv-optin");
    // the arrows do the same for keyboard users
    rowButton(2, "priority-up-plv-optin").click();
    assertThat(rows()).containsExactly("plv-loyal", "plv-optin", "plv-de");
    rowButton(1, "priority-down-plv-optin").click();
    assertThat(rows()).containsExactly("plv-loyal", "plv-de", "plv-optin");

    _click(_get(Button.class, s -> s.withId("priority-save")));
    PriorityListService.PriorityListView saved = lists.get("plv-q4");
    assertThat(saved.audiences()).containsExactly("plv-loyal", "plv-de", "plv-optin");
    assertThat(saved.createdBy()).isEqualTo("admin");

    // saving shows the preview of the saved order: the same numbers as the API's
    PriorityListService.Preview api = lists.preview("plv-q4");
    @SuppressWarnings("unchecked")
    Grid<PriorityPreview.Rank> preview = _get(Grid.class, s -> s.withId("priority-preview"));
    assertThat(GridKt._size(preview)).isEqualTo(3);
    for (int i = 0; i < 3; i++) {
      PriorityPreview.Rank expected = api.audiences().get(i);
      List<String> row = GridKt._getFormattedRow(preview, i);
      assertThat(row.get(0)).isEqualTo(expected.audience());
      assertThat(row.get(1)).isEqualTo(String.format("%,d", expected.members()));
      assertThat(row.get(2)).isEqualTo(String.format("%,d", expected.kept()));
    }
    assertThat(GridKt._getFormattedRow(preview, 2).get(3))
        .isEqualTo(
            "plv-loyal: "
                + String.format("%,d", api.audiences().get(2).lostTo().get(0).members())
                + ", plv-de: "
                + String.format("%,d", api.audiences().get(2).lostTo().get(1).members()));
    assertThat(api.audiences().get(2).lostTo().get(1).members()).isPositive();

    // the chart stacks kept and lost-to per audience; each bar totals the audience's members
    JsonNode option = _get(Chart.class, s -> s.withId("priority-preview-chart")).getOption();
    assertThat(option.at("/xAxis/data").toString())
        .isEqualTo("[\"plv-loyal\",\"plv-de\",\"plv-optin\"]");
    assertThat(option.get("series")).hasSize(3);
    for (int i = 0; i < 3; i++) {
      long total = 0;
      for (JsonNode s : option.get("series")) {
        assertThat(s.get("stack").asText()).isEqualTo("members");
        total += s.get("data").get(i).asLong();
      }
      assertThat(total).isEqualTo(api.audiences().get(i).members());
    }

    // a removed audience is saved away and offered again
    rowButton(1, "priority-remove-plv-de").click();
    _click(_get(Button.class, s -> s.withId("priority-save")));
    assertThat(lists.get("plv-q4").audiences()).containsExactly("plv-loyal", "plv-optin");
    assertThat(ComboBoxKt.getSuggestionItems(add))
        .extracting(PriorityListService.Candidate::key)
        .contains("plv-de");

    lists.delete("plv-q4", "admin");
  }

  @Test
  void aSaveTheServiceRefusesShowsWhy() {
    UI.getCurrent().navigate("priority-lists");
    _click(_get(Button.class, s -> s.withId("priority-new")));
    TextField key = _get(TextField.class, s -> s.withId("priority-key"));
    key.setValue("Not A Key");
    _click(_get(Button.class, s -> s.withId("priority-save")));
    assertThat(key.isInvalid()).isTrue();
    assertThat(_get(TextField.class, s -> s.withId("priority-name")).isInvalid()).isTrue();
    assertThat(lists.list())
        .extracting(PriorityListService.PriorityListView::key)
        .doesNotContain("Not A Key");
  }
}
