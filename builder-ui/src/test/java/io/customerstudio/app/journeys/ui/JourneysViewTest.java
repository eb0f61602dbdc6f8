package io.customerstudio.app.journeys.ui;

import static com.github.mvysny.kaributesting.v10.LocatorJ._click;
import static com.github.mvysny.kaributesting.v10.LocatorJ._get;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.mvysny.kaributesting.v10.GridKt;
import com.github.mvysny.kaributesting.v10.pro.ConfirmDialogKt;
import com.vaadin.flow.component.UI;
import com.vaadin.flow.component.button.Button;
import com.vaadin.flow.component.confirmdialog.ConfirmDialog;
import com.vaadin.flow.component.grid.Grid;
import com.vaadin.flow.component.html.Span;
import io.customerstudio.app.journeys.JourneyDefinitions;
import io.customerstudio.app.journeys.JourneyInsights;
import io.customerstudio.app.ui.KaribuTestSupport;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.stream.IntStream;
import org.jooq.DSLContext;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

/**
 * The journeys page without a browser: the list with each journey's state and totals, the counts
 * table of the selected one (from counters and entries written as the engine writes them), and the
 * pause, resume and stop buttons enabled by state, each moving the real state machine.
 */
class JourneysViewTest extends KaribuTestSupport {

  static final ObjectMapper JSON = new ObjectMapper();
  static final OffsetDateTime T0 = OffsetDateTime.parse("2026-12-01T10:00:00Z");

  @Autowired JourneyDefinitions definitions;
  @Autowired DSLContext store;

  static String document(String key) {
    return """
        {"key": "%s", "name": "View %s", "parent": "users",
         "entry": {"type": "event", "eventType": "jvv_event"}, "start": "wait",
         "nodes": [{"id": "wait", "type": "wait", "duration": "PT10S", "next": "done"},
                   {"id": "done", "type": "exit"}]}"""
        .formatted(key, key);
  }

  @BeforeEach
  void fixtures() throws Exception {
    login("admin");
    if (definitions.list().stream().noneMatch(j -> j.key().equals("jvv-live"))) {
      definitions.create(JSON.readTree(document("jvv-live")), "admin");
      definitions.publish("jvv-live", false, "admin");
      definitions.create(JSON.readTree(document("jvv-draft")), "admin");
      // three entered version 1: one waits, two reached the exit
      entry("jvv-live", "1", "wait");
      entry("jvv-live", "2", null);
      entry("jvv-live", "3", null);
      count("wait", "", 3);
      count("wait", "done", 2);
      count("done", "", 2);
    }
  }

  void entry(String journey, String person, String node) {
    store.execute(
        "insert into journey_entry (journey_key, version, person, entered_at, node, phase, since,"
            + " exited_at, exit_reason) values (?, 1, ?, ?, ?, ?, ?, ?, ?)",
        journey,
        person,
        T0,
        node,
        node == null ? null : "wait",
        node == null ? null : T0,
        node == null ? T0.plusMinutes(1) : null,
        node == null ? "exit" : null);
  }

  void count(String node, String edge, long n) {
    store.execute("insert into journey_count values ('jvv-live', 1, ?, ?, ?)", node, edge, n);
  }

  @SuppressWarnings("unchecked")
  static Grid<JourneysView.Row> journeys() {
    return _get(Grid.class, s -> s.withId("journeys"));
  }

  @SuppressWarnings("unchecked")
  static Grid<JourneyInsights.NodeStats> nodes() {
    return _get(Grid.class, s -> s.withId("journey-nodes"));
  }

  static JourneysView.Row row(String key) {
    Grid<JourneysView.Row> grid = journeys();
    return IntStream.range(0, GridKt._size(grid))
        .mapToObj(i -> GridKt._get(grid, i))
        .filter(r -> r.journey().key().equals(key))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no row " + key));
  }

  static void select(String key) {
    journeys().asSingleSelect().setValue(row(key));
  }

  static Button button(String id) {
    return _get(Button.class, s -> s.withId(id));
  }

  static List<Boolean> enabled() {
    return List.of(
        button("journey-pause").isEnabled(),
        button("journey-resume").isEnabled(),
        button("journey-stop").isEnabled());
  }

  @Test
  void listCountsAndTheStateMachineByButtons() {
    UI.getCurrent().navigate("journeys");
    JourneysView.Row live = row("jvv-live");
    assertThat(live.journey().state().wire()).isEqualTo("live");
    assertThat(live.journey().liveVersion()).isEqualTo(1);
    assertThat(live.totals()).isEqualTo(new JourneyInsights.Totals(3, 1));
    JourneysView.Row draft = row("jvv-draft");
    assertThat(draft.journey().state().wire()).isEqualTo("draft");
    assertThat(draft.totals()).isEqualTo(JourneyInsights.Totals.NONE);

    select("jvv-live");
    Grid<JourneyInsights.NodeStats> nodes = nodes();
    assertThat(GridKt._size(nodes)).isEqualTo(2);
    assertThat(GridKt._getFormattedRow(nodes, 0))
        .containsExactly("wait", "wait", "1", "3", "done 2");
    assertThat(GridKt._getFormattedRow(nodes, 1)).containsExactly("done", "exit", "0", "2", "–");
    assertThat(_get(Span.class, s -> s.withId("journey-summary")).getText())
        .contains("v1", "3 entered");
    assertThat(enabled()).containsExactly(true, false, true);

    _click(button("journey-pause"));
    assertThat(definitions.find("jvv-live").state().wire()).isEqualTo("paused");
    assertThat(row("jvv-live").journey().state().wire()).isEqualTo("paused");
    assertThat(enabled()).containsExactly(false, true, true);

    _click(button("journey-resume"));
    assertThat(definitions.find("jvv-live").state().wire()).isEqualTo("live");
    assertThat(enabled()).containsExactly(true, false, true);

    _click(button("journey-stop"));
    ConfirmDialog confirm = _get(ConfirmDialog.class, s -> s.withId("confirm-stop"));
    assertThat(ConfirmDialogKt.getHeader(confirm)).isEqualTo("Stop journey jvv-live?");
    assertThat(definitions.find("jvv-live").state().wire())
        .as("nothing happens before the confirmation")
        .isEqualTo("live");
    ConfirmDialogKt._fireConfirm(confirm);
    assertThat(definitions.find("jvv-live").state().wire()).isEqualTo("stopped");
    assertThat(enabled()).containsExactly(false, false, false);

    select("jvv-draft");
    assertThat(enabled()).containsExactly(false, false, false);
    assertThat(GridKt._size(nodes())).as("a draft's nodes, nobody yet").isEqualTo(2);
    assertThat(GridKt._getFormattedRow(nodes(), 0)).containsExactly("wait", "wait", "0", "0", "–");
  }
}
