package io.customerstudio.app.ui;

import static com.github.mvysny.kaributesting.v10.LocatorJ._find;
import static com.github.mvysny.kaributesting.v10.LocatorJ._get;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.github.mvysny.kaributesting.v10.ButtonKt;
import com.vaadin.flow.component.ComponentUtil;
import com.vaadin.flow.component.PollEvent;
import com.vaadin.flow.component.UI;
import com.vaadin.flow.component.button.Button;
import com.vaadin.flow.component.grid.Grid;
import com.vaadin.flow.component.html.Span;
import io.customerstudio.activities.sync.Schedule;
import io.customerstudio.activities.sync.SyncSpec;
import io.customerstudio.app.api.Json;
import io.customerstudio.app.audiences.AudienceService;
import io.customerstudio.app.destinations.DestinationService;
import io.customerstudio.app.syncs.SyncCommand;
import io.customerstudio.app.syncs.SyncDefinitions;
import io.customerstudio.app.syncs.SyncRuns;
import io.customerstudio.infra.store.SplitStore;
import io.customerstudio.infra.store.SyncMode;
import io.customerstudio.query.governance.Split;
import io.customerstudio.query.testing.TestPostgres;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

/**
 * A run of a split audience shows how many each reason excluded and lists them; "Why" on a row, and
 * the why page a profile links to, give the run's own answer.
 */
class WhyViewTest extends KaribuTestSupport {

  @Autowired AudienceService audiences;
  @Autowired DestinationService destinations;
  @Autowired SyncDefinitions syncs;
  @Autowired SyncRuns runs;
  @Autowired SplitStore splits;

  static void poll() {
    ComponentUtil.fireEvent(UI.getCurrent(), new PollEvent(UI.getCurrent(), true));
  }

  @Test
  void aRunListsItsHoldoutsAndWhyAgreesWithIt() {
    String url = TestPostgres.newDatabaseUrl("ui_why");
    audiences.create(
        "ui-why-aud",
        "UI why",
        null,
        Json.parse(
            """
            {"parent": "users", "filter": {"type": "property", "column": "country", "op": "eq",
             "value": "FR"}}"""),
        "admin");
    splits.put(
        "ui-why-aud",
        "ui-why",
        "[{\"name\": \"treatment\", \"percent\": 70}, {\"name\": \"control\", \"percent\": 30,"
            + " \"holdout\": true}]",
        null,
        "admin");
    destinations.create(
        "ui-why-pg",
        "Warehouse copy",
        "postgres",
        JsonNodeFactory.instance
            .objectNode()
            .put("url", url)
            .put("user", "postgres")
            .put("password", "")
            .put("table", "public.members"),
        "admin");
    syncs.create(
        new SyncCommand(
            "ui-why",
            null,
            "ui-why-aud",
            "ui-why-pg",
            SyncMode.UPSERT,
            List.of(new SyncSpec.Field("city", "city")),
            new SyncSpec.Field("user_id", "id"),
            Schedule.MANUAL,
            true,
            false,
            null),
        "admin");

    login("admin");
    String runId = runs.run("ui-why", "manual").runId();
    UI.getCurrent().navigate("runs/" + runId);
    awaitUi(
        () -> {
          poll();
          return !_find(Span.class, s -> s.withText("succeeded")).isEmpty();
        });
    long holdouts = runs.runView(runId).excluded().get("holdout");
    assertThat(holdouts).isPositive();
    @SuppressWarnings("unchecked")
    Grid<SyncRuns.Exclusion> grid = _get(Grid.class, s -> s.withId("run-exclusions"));
    List<SyncRuns.Exclusion> listed = grid.getGenericDataView().getItems().toList();
    assertThat(listed).hasSize((int) holdouts).allMatch(x -> x.reason().equals("holdout"));
    Split split =
        new Split(
            "ui-why",
            List.of(
                new Split.Group("treatment", new java.math.BigDecimal("70"), false),
                new Split.Group("control", new java.math.BigDecimal("30"), true)),
            null);
    String held = listed.get(0).key();
    assertThat(split.groupOf(Split.bucket("ui-why", held))).isEqualTo("control");

    Button why =
        (Button) com.github.mvysny.kaributesting.v10.GridKt._getCellComponent(grid, 0, "why");
    assertThat(why.getElement().getAttribute("data-why")).isEqualTo(held);
    ButtonKt._click(why);
    assertThat(_get(Span.class, s -> s.withId("why-result")).getText()).isEqualTo("Suppressed");
    assertThat(_get(Span.class, s -> s.withId("why-reason")).getText())
        .isEqualTo("held out (holdout group): control");

    _get(com.vaadin.flow.component.dialog.Dialog.class, s -> s.withId("why-dialog")).close();
    // the why page a profile links to answers the same
    UI.getCurrent()
        .navigate(
            io.customerstudio.app.syncs.ui.WhyView.class,
            io.customerstudio.app.syncs.ui.WhyView.params("ui-why-aud", held, null));
    assertThat(_get(Span.class, s -> s.withId("why-result")).getText()).isEqualTo("Suppressed");
    assertThat(_get(Span.class, s -> s.withId("why-reason")).getText())
        .isEqualTo("held out (holdout group): control");
  }
}
