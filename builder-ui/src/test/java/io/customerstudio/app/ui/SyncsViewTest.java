package io.customerstudio.app.ui;

import static com.github.mvysny.kaributesting.v10.LocatorJ._assertNone;
import static com.github.mvysny.kaributesting.v10.LocatorJ._find;
import static com.github.mvysny.kaributesting.v10.LocatorJ._get;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.github.mvysny.kaributesting.v10.ButtonKt;
import com.github.mvysny.kaributesting.v10.ComboBoxKt;
import com.github.mvysny.kaributesting.v10.GridKt;
import com.github.mvysny.kaributesting.v10.HasValueUtilsKt;
import com.vaadin.flow.component.UI;
import com.vaadin.flow.component.button.Button;
import com.vaadin.flow.component.combobox.ComboBox;
import com.vaadin.flow.component.dialog.Dialog;
import com.vaadin.flow.component.grid.Grid;
import com.vaadin.flow.component.html.H2;
import com.vaadin.flow.component.html.Paragraph;
import com.vaadin.flow.component.html.Span;
import com.vaadin.flow.component.select.Select;
import com.vaadin.flow.component.textfield.IntegerField;
import com.vaadin.flow.component.textfield.TextField;
import io.customerstudio.app.api.Json;
import io.customerstudio.app.audiences.AudienceService;
import io.customerstudio.app.destinations.DestinationService;
import io.customerstudio.app.syncs.SyncDefinitions;
import io.customerstudio.app.syncs.ui.RunDetailView;
import io.customerstudio.app.syncs.ui.SnapshotsView;
import io.customerstudio.infra.config.StudioProperties;
import io.customerstudio.infra.warehouse.Warehouse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

/**
 * A marketer sets up a sync by clicking (mapping offered from the audience's columns and traits, an
 * interval schedule), sees a dry run, runs it to a file destination and watches the run to success,
 * then takes a snapshot and asks who was a member.
 */
class SyncsViewTest extends KaribuTestSupport {

  @Autowired AudienceService audiences;
  @Autowired DestinationService destinations;
  @Autowired SyncDefinitions syncs;
  @Autowired Warehouse warehouse;
  @Autowired StudioProperties properties;

  @Test
  void aMarketerCreatesDryRunsRunsAndWatchesASyncToAFile() throws Exception {
    audiences.create(
        "ui-sync-fr",
        "FR users (sync UI)",
        null,
        Json.parse(
            """
            {"parent": "users", "filter": {"type": "property", "column": "country", "op": "eq",
             "value": "FR"}}"""),
        "admin");
    destinations.create(
        "ui-sync-file",
        "Exports",
        "file",
        JsonNodeFactory.instance.objectNode().put("directory", "ui-sync").put("format", "csv"),
        "admin");
    long members =
        warehouse
            .dsl()
            .fetchCount(warehouse.dsl().selectOne().from("demo.users").where("country = 'FR'"));

    login("admin");
    UI.getCurrent().navigate("syncs");
    ButtonKt._click(_get(Button.class, s -> s.withId("new-sync")));
    TextField key = _get(TextField.class, s -> s.withId("sync-key"));
    HasValueUtilsKt._setValue(_get(TextField.class, s -> s.withId("sync-name")), "French to file");
    // the key follows the name, as an audience's does; required fields are marked
    assertThat(key.getValue()).isEqualTo("french-to-file");
    assertThat(key.isRequiredIndicatorVisible()).isTrue();
    HasValueUtilsKt._setValue(key, "ui-sync");
    @SuppressWarnings("unchecked")
    ComboBox<String> audience = _get(ComboBox.class, s -> s.withId("sync-audience"));
    assertThat(audience.isRequiredIndicatorVisible()).isTrue();
    // pickers offer names (the key is the secondary text), and the value is the key
    ComboBoxKt.selectByLabel(audience, "FR users (sync UI)");
    assertThat(audience.getValue()).isEqualTo("ui-sync-fr");
    @SuppressWarnings("unchecked")
    Select<String> destination = _get(Select.class, s -> s.withId("sync-destination"));
    ComboBoxKt.selectByLabel(destination, "Exports");
    assertThat(destination.getValue()).isEqualTo("ui-sync-file");
    ComboBoxKt.selectByLabel(
        _get(Select.class, s -> s.withId("sync-mode")), "Mirror: add, update and remove");
    @SuppressWarnings("unchecked")
    ComboBox<String> idFrom = _get(ComboBox.class, s -> s.withId("sync-identifier-from"));
    // the audience's columns and traits are offered
    assertThat(ComboBoxKt.getSuggestions(idFrom)).contains("email", "user_id", "lifetime_value");
    ComboBoxKt.selectByLabel(idFrom, "email");
    HasValueUtilsKt._setValue(_get(TextField.class, s -> s.withId("sync-identifier-to")), "email");
    ButtonKt._click(_get(Button.class, s -> s.withId("sync-mapping-add")));
    ComboBoxKt.selectByLabel(
        _get(ComboBox.class, s -> s.withId("sync-mapping-from-0")), "lifetime_value");
    assertThat(_get(TextField.class, s -> s.withId("sync-mapping-to-0")).getValue())
        .isEqualTo("lifetime_value");
    HasValueUtilsKt._setValue(_get(TextField.class, s -> s.withId("sync-mapping-to-0")), "ltv");
    ButtonKt._click(_get(Button.class, s -> s.withId("sync-mapping-add")));
    ComboBoxKt.selectByLabel(_get(ComboBox.class, s -> s.withId("sync-mapping-from-1")), "city");
    ComboBoxKt.selectByLabel(
        _get(Select.class, s -> s.withId("sync-schedule-type")), "On an interval");
    HasValueUtilsKt._setValue(_get(IntegerField.class, s -> s.withId("sync-schedule-every")), 2);

    // a bad target field is named where it is
    HasValueUtilsKt._setValue(_get(TextField.class, s -> s.withId("sync-mapping-to-1")), "ltv");
    ButtonKt._click(_get(Button.class, s -> s.withId("sync-save")));
    TextField dup = _get(TextField.class, s -> s.withId("sync-mapping-to-1"));
    assertThat(dup.isInvalid()).isTrue();
    assertThat(dup.getErrorMessage()).contains("mapped twice");
    HasValueUtilsKt._setValue(dup, "city");
    ButtonKt._click(_get(Button.class, s -> s.withId("sync-save")));

    // not a real-time sync: no trigger secret to show
    _assertNone(Dialog.class, s -> s.withId("trigger-secret-dialog"));
    SyncDefinitions.SyncView saved = syncs.get("ui-sync");
    assertThat(saved.scheduleText()).isEqualTo("every 2h");
    assertThat(saved.mapping()).hasSize(2);
    @SuppressWarnings("unchecked")
    Grid<SyncDefinitions.SyncView> grid = _get(Grid.class, s -> s.withId("syncs"));
    int row = -1;
    for (int i = 0; i < GridKt._size(grid); i++) {
      if (GridKt._get(grid, i).key().equals("ui-sync")) {
        row = i;
      }
    }
    assertThat(GridKt._get(grid, row).scheduleText()).isEqualTo("every 2h");
    assertThat(GridKt._getFormattedRow(grid, row).get(1)).isEqualTo("FR users (sync UI) → Exports");
    var actions =
        (com.vaadin.flow.component.orderedlayout.HorizontalLayout)
            GridKt._getCellComponent(grid, row, "actions");
    ButtonKt._click((Button) actions.getComponentAt(1));
    assertThat(_get(Paragraph.class, s -> s.withId("dry-run-counts")).getText())
        .startsWith(String.format("%,d members", members))
        .contains(String.format("%,d added", members));
    // a sample row reads as "field: value · field: value"
    Grid<?> added = _get(Grid.class, s -> s.withId("dry-run-added"));
    List<String> firstAdded = GridKt._getFormattedRow(added, 0);
    assertThat(firstAdded.get(1)).contains("email: ").contains(" · ");

    ButtonKt._click(_get(Button.class, s -> s.withText("Close")));
    ButtonKt._click((Button) actions.getComponentAt(0));
    _get(RunDetailView.class);
    assertThat(_get(H2.class, s -> s.withId("run-title")).getText())
        .isEqualTo("Run of French to file");
    assertThat(_get(Span.class, s -> s.withId("run-sync-key")).getText()).isEqualTo("ui-sync");
    awaitUi(
        () -> {
          // what the browser's poll does every second
          com.vaadin.flow.component.ComponentUtil.fireEvent(
              UI.getCurrent(), new com.vaadin.flow.component.PollEvent(UI.getCurrent(), true));
          return _find(Span.class, s -> s.withText("succeeded")).size() == 1;
        });
    Path dir = properties.exports().resolve("ui-sync").resolve("ui-sync");
    List<Path> files;
    try (var list = Files.list(dir)) {
      files = list.filter(p -> p.toString().endsWith(".csv")).toList();
    }
    assertThat(files).hasSize(1);
    List<String> lines = Files.readAllLines(files.get(0));
    assertThat(lines.get(0)).isEqualTo("op,key,city,email,ltv");
    assertThat(lines).hasSize((int) members + 1);

    UI.getCurrent().navigate("syncs/ui-sync/runs");
    Grid<?> runs = _get(Grid.class, s -> s.withId("runs"));
    assertThat(GridKt._size(runs)).isEqualTo(1);

    // the run counted the audience: the list shows that size, and where it comes from
    UI.getCurrent().navigate("audiences");
    assertThat(audienceRow("ui-sync-fr").subList(3, 5))
        .satisfies(
            r -> {
              assertThat(r.get(0)).isEqualTo(String.format("%,d", members));
              assertThat(r.get(1)).startsWith("run of sync 'French to file', ");
            });

    UI.getCurrent().navigate(SnapshotsView.class);
    @SuppressWarnings("unchecked")
    ComboBox<String> snapAudience = _get(ComboBox.class, s -> s.withId("snapshot-audience"));
    ComboBoxKt.selectByLabel(snapAudience, "FR users (sync UI)");
    ButtonKt._click(_get(Button.class, s -> s.withId("snapshot-take")));
    assertThat(GridKt._size(_get(Grid.class, s -> s.withId("snapshots")))).isEqualTo(1);
    ButtonKt._click(_get(Button.class, s -> s.withId("membership-show")));
    assertThat(_get(Paragraph.class, s -> s.withId("membership-count")).getText())
        .startsWith(String.format("%,d members", members));
    // member keys that are numbers read in number order (9, 10, 100), not as text (10, 100, 9)
    Grid<?> membership = _get(Grid.class, s -> s.withId("membership"));
    List<Long> keys =
        java.util.stream.IntStream.range(0, GridKt._size(membership))
            .mapToObj(i -> Long.parseLong(GridKt._getFormattedRow(membership, i).get(0)))
            .toList();
    assertThat(keys.stream().map(k -> String.valueOf(k).length()).distinct()).hasSizeGreaterThan(1);
    assertThat(keys).isSorted();

    UI.getCurrent().navigate("audiences");
    assertThat(audienceRow("ui-sync-fr").get(4)).startsWith("snapshot, ");

    // made real-time: the trigger secret is shown now, with a button that copies it
    UI.getCurrent().navigate("syncs");
    Grid<?> syncsGrid = _get(Grid.class, s -> s.withId("syncs"));
    var syncActions =
        (com.vaadin.flow.component.orderedlayout.HorizontalLayout)
            GridKt._getCellComponent(syncsGrid, row, "actions");
    ButtonKt._click((Button) syncActions.getComponentAt(3));
    ComboBoxKt.selectByLabel(
        _get(Select.class, s -> s.withId("sync-schedule-type")),
        "In real time (webhook or API trigger)");
    ButtonKt._click(_get(Button.class, s -> s.withId("sync-save")));
    String secret = _get(TextField.class, s -> s.withId("trigger-secret")).getValue();
    assertThat(secret).startsWith("whsec_");
    UI.getCurrent().getInternals().getStateTree().runExecutionsBeforeClientResponse();
    UI.getCurrent().getInternals().dumpPendingJavaScriptInvocations();
    ButtonKt._click(_get(Button.class, s -> s.withId("trigger-secret-copy")));
    UI.getCurrent().getInternals().getStateTree().runExecutionsBeforeClientResponse();
    assertThat(UI.getCurrent().getInternals().dumpPendingJavaScriptInvocations())
        .anySatisfy(
            js -> {
              assertThat(js.getInvocation().getExpression())
                  .contains("navigator.clipboard.writeText");
              assertThat(js.getInvocation().getParameters()).contains(secret);
            });
  }

  private static List<String> audienceRow(String key) {
    Grid<?> grid = _get(Grid.class, s -> s.withId("audiences"));
    for (int i = 0; i < GridKt._size(grid); i++) {
      List<String> row = GridKt._getFormattedRow(grid, i);
      if (row.get(1).equals(key)) {
        return row;
      }
    }
    throw new AssertionError("no audience " + key + " in the list");
  }
}
