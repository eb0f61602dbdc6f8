package io.customerstudio.app.ui;

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
import com.vaadin.flow.component.checkbox.Checkbox;
import com.vaadin.flow.component.combobox.ComboBox;
import com.vaadin.flow.component.combobox.MultiSelectComboBox;
import com.vaadin.flow.component.grid.Grid;
import com.vaadin.flow.component.html.H2;
import com.vaadin.flow.component.html.Paragraph;
import com.vaadin.flow.component.select.Select;
import com.vaadin.flow.component.tabs.TabSheet;
import com.vaadin.flow.component.textfield.NumberField;
import com.vaadin.flow.component.textfield.TextField;
import com.vaadin.flow.router.QueryParameters;
import io.customerstudio.app.api.Json;
import io.customerstudio.app.audiences.AudienceService;
import io.customerstudio.app.base.ui.Chart;
import io.customerstudio.app.destinations.DestinationService;
import io.customerstudio.app.splits.HoldoutLog;
import io.customerstudio.app.splits.SplitService;
import io.customerstudio.app.splits.ui.HoldoutLogView;
import io.customerstudio.app.syncs.SyncDefinitions;
import io.customerstudio.infra.store.RunStore;
import io.customerstudio.infra.warehouse.Warehouse;
import io.customerstudio.query.engine.SplitSizes;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Set;
import org.jooq.impl.DSL;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

/**
 * A marketer splits an audience in its editor (paths shown at the fields, sizes charted), chooses
 * the groups a sync delivers and maps the group, and reads the holdout log from the audience and
 * from a run's page.
 */
class SplitsViewTest extends KaribuTestSupport {

  @Autowired AudienceService audiences;
  @Autowired SplitService splits;
  @Autowired DestinationService destinations;
  @Autowired SyncDefinitions syncs;
  @Autowired RunStore runs;
  @Autowired Warehouse warehouse;

  @Test
  void aMarketerSplitsAnAudienceChoosesSyncGroupsAndReadsTheHoldoutLog() {
    audiences.create(
        "ui-split",
        "Split in the UI",
        null,
        Json.parse(
            "{\"parent\": \"users\", \"filter\": {\"type\": \"property\", \"column\":"
                + " \"marketing_opt_in\", \"op\": \"is_true\"}}"),
        "admin");
    login("admin");

    // the Splits tab: a starting point, the rule, problems at their fields
    UI.getCurrent().navigate("audiences/edit/ui-split");
    TabSheet tabs = _get(TabSheet.class, s -> s.withId("audience-tabs"));
    tabs.setSelectedIndex(4);
    assertThat(_get(Paragraph.class, s -> s.withId("split-rule")).getText())
        .contains("Changing percentages moves only the members whose bucket changes owner");
    assertThat(_get(Paragraph.class, s -> s.withId("split-state")).getText())
        .startsWith("Not split");
    assertThat(_get(TextField.class, s -> s.withId("split-group-name-0")).getValue())
        .isEqualTo("treatment");
    assertThat(_get(Checkbox.class, s -> s.withId("split-group-holdout-1")).getValue()).isTrue();
    HasValueUtilsKt._setValue(
        _get(TextField.class, s -> s.withId("split-group-name-1")), "treatment");
    HasValueUtilsKt._setValue(
        _get(NumberField.class, s -> s.withId("split-group-percent-0")), 80.123);
    ButtonKt._click(_get(Button.class, s -> s.withId("split-save")));
    TextField dup = _get(TextField.class, s -> s.withId("split-group-name-1"));
    assertThat(dup.isInvalid()).isTrue();
    assertThat(dup.getErrorMessage()).contains("names two groups");
    NumberField p0 = _get(NumberField.class, s -> s.withId("split-group-percent-0"));
    assertThat(p0.isInvalid()).isTrue();
    assertThat(p0.getErrorMessage()).contains("two decimals");
    assertThat(_find(Chart.class, s -> s.withId("split-chart"))).isEmpty();

    HasValueUtilsKt._setValue(dup, "control");
    HasValueUtilsKt._setValue(p0, 45.0);
    ButtonKt._click(_get(Button.class, s -> s.withId("split-add-group")));
    HasValueUtilsKt._setValue(
        _get(TextField.class, s -> s.withId("split-group-name-2")), "variant-b");
    HasValueUtilsKt._setValue(
        _get(NumberField.class, s -> s.withId("split-group-percent-2")), 45.0);
    HasValueUtilsKt._setValue(_get(TextField.class, s -> s.withId("split-salt")), "ui-salt");
    @SuppressWarnings("unchecked")
    ComboBox<String> stratify = _get(ComboBox.class, s -> s.withId("split-stratify"));
    assertThat(ComboBoxKt.getSuggestions(stratify)).contains("country", "lifetime_value");
    ButtonKt._click(_get(Button.class, s -> s.withId("split-save")));

    SplitService.SplitView saved = splits.get("ui-split");
    assertThat(saved.salt()).isEqualTo("ui-salt");
    assertThat(saved.groups())
        .extracting(SplitService.Group::name)
        .containsExactly("treatment", "control", "variant-b");
    assertThat(saved.groups().get(1).holdout()).isTrue();
    // the chart and the numbers carry the engine's sizes
    SplitSizes.Sizes sizes = splits.sizes("ui-split");
    Chart chart = _get(Chart.class, s -> s.withId("split-chart"));
    for (int i = 0; i < 3; i++) {
      assertThat(chart.getOption().at("/series/0/data/" + i + "/value").asLong())
          .isEqualTo(sizes.groups().get(i).members());
    }
    assertThat(_get(Paragraph.class, s -> s.withId("split-numbers")).getText())
        .startsWith(String.format("%,d members.", sizes.members()))
        .contains("control (holdout)");

    // a sync of the split audience: the non-holdout groups by default, split.group to map
    destinations.create(
        "ui-split-file",
        "Split exports",
        "file",
        JsonNodeFactory.instance.objectNode().put("directory", "ui-split").put("format", "csv"),
        "admin");
    UI.getCurrent().navigate("syncs");
    ButtonKt._click(_get(Button.class, s -> s.withId("new-sync")));
    HasValueUtilsKt._setValue(_get(TextField.class, s -> s.withId("sync-name")), "Split sync");
    assertThat(_find(MultiSelectComboBox.class, s -> s.withId("sync-split-groups"))).isEmpty();
    ComboBoxKt.selectByLabel(
        _get(ComboBox.class, s -> s.withId("sync-audience")), "Split in the UI");
    @SuppressWarnings("unchecked")
    MultiSelectComboBox<String> groups =
        _get(MultiSelectComboBox.class, s -> s.withId("sync-split-groups"));
    assertThat(groups.getValue()).containsExactlyInAnyOrder("treatment", "variant-b");
    assertThat(groups.getHelperText()).contains("control");
    @SuppressWarnings("unchecked")
    ComboBox<String> idFrom = _get(ComboBox.class, s -> s.withId("sync-identifier-from"));
    assertThat(ComboBoxKt.getSuggestions(idFrom)).contains("email").doesNotContain("split.group");
    ComboBoxKt.selectByLabel(idFrom, "email");
    HasValueUtilsKt._setValue(_get(TextField.class, s -> s.withId("sync-identifier-to")), "email");
    ComboBoxKt.selectByLabel(
        _get(Select.class, s -> s.withId("sync-destination")), "Split exports");
    ButtonKt._click(_get(Button.class, s -> s.withId("sync-mapping-add")));
    ComboBoxKt.selectByLabel(
        _get(ComboBox.class, s -> s.withId("sync-mapping-from-0")), "split.group");
    HasValueUtilsKt._setValue(groups, Set.of());
    ButtonKt._click(_get(Button.class, s -> s.withId("sync-save")));
    assertThat(groups.isInvalid()).isTrue();
    assertThat(groups.getErrorMessage()).contains("at least one group");
    HasValueUtilsKt._setValue(groups, Set.of("variant-b"));
    ButtonKt._click(_get(Button.class, s -> s.withId("sync-save")));
    SyncDefinitions.SyncView sync = syncs.get("split-sync");
    assertThat(sync.splitGroups()).containsExactly("variant-b");
    assertThat(sync.mapping().get(0).from()).isEqualTo("split.group");

    // the holdout log, from the audience (newest first, a page at a time) and from a run
    String run = runs.enqueue("split-sync", "manual").orElseThrow().runId();
    OffsetDateTime at = OffsetDateTime.of(2026, 11, 3, 8, 0, 0, 0, ZoneOffset.UTC);
    var log = DSL.table(DSL.name("cs_logs", "holdout_log"));
    var insert =
        warehouse
            .dsl()
            .insertInto(log)
            .columns(
                DSL.field("sync_key"),
                DSL.field("run_id"),
                DSL.field("audience"),
                DSL.field("split_group"),
                DSL.field("member_key"),
                DSL.field("logged_at"));
    for (int i = 0; i < 130; i++) {
      insert = insert.values("split-sync", run, "ui-split", "control", "m" + (1000 + i), at);
    }
    insert.execute();

    UI.getCurrent().navigate(HoldoutLogView.class, QueryParameters.of("audience", "ui-split"));
    assertThat(_get(H2.class, s -> s.withId("holdouts-title")).getText()).contains("ui-split");
    @SuppressWarnings("unchecked")
    Grid<HoldoutLog.Entry> grid = _get(Grid.class, s -> s.withId("holdouts"));
    assertThat(GridKt._size(grid)).isEqualTo(100);
    ButtonKt._click(_get(Button.class, s -> s.withId("holdouts-more")));
    assertThat(GridKt._size(grid)).isEqualTo(130);
    assertThat(_find(Button.class, s -> s.withId("holdouts-more"))).isEmpty();
    @SuppressWarnings("unchecked")
    ComboBox<String> group = _get(ComboBox.class, s -> s.withId("holdouts-group"));
    HasValueUtilsKt._setValue(group, "treatment");
    assertThat(GridKt._size(grid)).isZero();

    UI.getCurrent().navigate("runs/" + run);
    ButtonKt._click(_get(Button.class, s -> s.withId("run-holdouts")));
    assertThat(_get(H2.class, s -> s.withId("holdouts-title")).getText()).contains(run);
    @SuppressWarnings("unchecked")
    Grid<HoldoutLog.Entry> runGrid = _get(Grid.class, s -> s.withId("holdouts"));
    assertThat(GridKt._size(runGrid)).isEqualTo(100);
    assertThat(GridKt._get(runGrid, 0).memberKey()).isEqualTo("m1000");
  }
}
