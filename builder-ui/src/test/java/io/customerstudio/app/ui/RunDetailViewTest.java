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
import com.vaadin.flow.component.html.Paragraph;
import com.vaadin.flow.component.html.Span;
import io.customerstudio.activities.sync.Schedule;
import io.customerstudio.activities.sync.SyncSpec;
import io.customerstudio.app.api.Json;
import io.customerstudio.app.audiences.AudienceService;
import io.customerstudio.app.destinations.DestinationService;
import io.customerstudio.app.syncs.SyncCommand;
import io.customerstudio.app.syncs.SyncDefinitions;
import io.customerstudio.app.syncs.SyncRuns;
import io.customerstudio.infra.store.SyncMode;
import io.customerstudio.query.testing.TestPostgres;
import org.jooq.impl.DSL;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

/** An ops person sees why a run failed, fixes the destination and replays it from its page. */
class RunDetailViewTest extends KaribuTestSupport {

  @Autowired AudienceService audiences;
  @Autowired DestinationService destinations;
  @Autowired SyncDefinitions syncs;
  @Autowired SyncRuns runs;

  static void poll() {
    ComponentUtil.fireEvent(UI.getCurrent(), new PollEvent(UI.getCurrent(), true));
  }

  @Test
  void aFailedRunShowsItsErrorAndReplaysFromItsPage() {
    String url = TestPostgres.newDatabaseUrl("ui_replay");
    audiences.create(
        "ui-replay-aud",
        "UI replay",
        null,
        Json.parse(
            """
            {"parent": "users", "filter": {"type": "property", "column": "country", "op": "eq",
             "value": "DE"}}"""),
        "admin");
    destinations.create(
        "ui-replay-pg",
        "Warehouse copy",
        "postgres",
        JsonNodeFactory.instance
            .objectNode()
            .put("url", url)
            .put("user", "postgres")
            .put("password", "")
            .put("table", "copy.members"),
        "admin");
    syncs.create(
        new SyncCommand(
            "ui-replay",
            null,
            "ui-replay-aud",
            "ui-replay-pg",
            SyncMode.UPSERT,
            java.util.List.of(new SyncSpec.Field("city", "city")),
            new SyncSpec.Field("user_id", "id"),
            Schedule.MANUAL,
            true,
            false,
            null),
        "admin");

    login("admin");
    String runId = runs.run("ui-replay", "manual").runId();
    UI.getCurrent().navigate("runs/" + runId);
    awaitUi(
        () -> {
          poll();
          return !_find(Span.class, s -> s.withText("failed")).isEmpty();
        });
    assertThat(_get(Paragraph.class, s -> s.withId("run-error")).getText())
        .contains("schema \"copy\" does not exist");
    Button replay = _get(Button.class, s -> s.withId("run-replay"));
    assertThat(replay.isEnabled()).isTrue();
    assertThat(_get(Button.class, s -> s.withId("run-cancel")).isEnabled()).isFalse();

    try (var copy = DSL.using(url, "postgres", "")) {
      copy.execute("create schema copy");
      ButtonKt._click(replay);
      awaitUi(
          () -> {
            poll();
            return !_find(Span.class, s -> s.withText("succeeded")).isEmpty();
          });
      assertThat(replay.isEnabled()).isFalse();
      assertThat(copy.fetchCount(DSL.table("copy.members")))
          .isEqualTo(runs.runView(runId).counts().members().intValue());
      assertThat(runs.runView(runId).attempts()).isEqualTo(2);
    }
  }
}
