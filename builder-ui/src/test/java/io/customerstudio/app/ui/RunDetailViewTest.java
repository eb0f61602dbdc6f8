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
import io.customerstudio.app.api.Json;
import io.customerstudio.app.audiences.AudienceService;
import io.customerstudio.app.destinations.DestinationService;
import io.customerstudio.app.syncs.SyncsService;
import io.customerstudio.query.testing.TestPostgres;
import org.jooq.impl.DSL;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

/** An ops person sees why a run failed, fixes the destination and replays it from its page. */
class RunDetailViewTest extends KaribuTestSupport {

  @Autowired AudienceService audiences;
  @Autowired DestinationService destinations;
  @Autowired SyncsService syncs;

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
        Json.parse(
            """
            {"key": "ui-replay", "audience": "ui-replay-aud", "destination": "ui-replay-pg",
             "mode": "upsert", "mapping": [{"from": "city", "to": "city"}],
             "identifier": {"from": "user_id", "to": "id"}, "schedule": {"type": "manual"}}"""),
        "admin");

    login("admin");
    String runId = syncs.run("ui-replay", "manual").runId();
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
          .isEqualTo(syncs.runView(runId).counts().members().intValue());
      assertThat(syncs.runView(runId).attempts()).isEqualTo(2);
    }
  }
}
