package io.customerstudio.app.journeys;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.customerstudio.activities.journey.JourneyActivities;
import io.customerstudio.activities.journey.JourneyEngine;
import io.customerstudio.app.ApiClient;
import io.customerstudio.app.AppTestSupport;
import io.customerstudio.app.syncs.SyncSink;
import io.customerstudio.infra.store.JourneyStore;
import io.customerstudio.infra.workspace.Workspace;
import io.customerstudio.query.Problems;
import io.customerstudio.query.audience.AudienceJson;
import io.customerstudio.query.journey.JourneyJson;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.jooq.DSLContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;

/**
 * The engine's rules on skipped time: each test drives {@link JourneyEngine#advance} at the
 * instants it chooses (what the workflow passes as its clock), on the demo warehouse and a local
 * sink. The journeys here are published in the store without waking a workflow, so only the test
 * moves them: quiet hours across a daylight-saving change, the frequency cap, re-entry policies,
 * pause, resume and stop, migrate keeping the time waited, branches against the audience SQL, and a
 * simulation giving the counts of a real run with the same people and events.
 */
class JourneyRulesTest extends AppTestSupport {

  static SyncSink sink;

  @LocalServerPort int port;
  @Autowired JourneyEngine engine;
  @Autowired JourneyStore journeys;
  @Autowired DSLContext app;
  @Autowired Workspace workspace;

  @BeforeAll
  static void startSink() throws Exception {
    sink = new SyncSink();
  }

  @AfterAll
  static void stopSink() {
    sink.close();
  }

  static boolean destinationMade;

  @BeforeEach
  void destination() {
    if (!destinationMade) {
      var r =
          new ApiClient(port, "admin", ADMIN_PASSWORD)
              .post(
                  "/api/v1/destinations",
                  """
                  {"key": "rules-hook", "name": "Rules", "type": "webhook",
                   "config": {"url": "%s", "batchSize": 100, "requestsPerSecond": 1000,
                              "signingSecret": "%s"}}"""
                      .formatted(sink.url(), SyncSink.SECRET));
      assertThat(r.status()).as(r.body()).isEqualTo(201);
      destinationMade = true;
    }
  }

  /** Publishes a journey in the store (no workflow is woken: the test is its clock). */
  void publish(String key, String json) {
    Problems problems = new Problems();
    JourneyJson.read(AudienceJson.parse(json), problems);
    problems.throwIfAny();
    if (journeys.find(key).isEmpty()) {
      journeys.create(key, new JourneyStore.Draft(key, "users", json), "admin");
    }
    journeys.publish(key, json, "admin", List.of()).orElseThrow();
  }

  int events = 0;

  void event(String person, String type, String properties) {
    app.execute(
        "insert into journey_event (event_id, person, event_type, properties, occurred_at, received_at)"
            + " values (?, ?, ?, ?, now(), now())",
        "rules-" + System.nanoTime() + "-" + events++,
        person,
        type,
        properties);
  }

  JourneyActivities.Tick at(String key, Instant t) {
    JourneyActivities.Tick tick;
    do {
      tick = engine.advance(key, t, "test", () -> {});
    } while (tick.more());
    return tick;
  }

  List<Map<String, Object>> entries(String key) {
    return app.fetch(
            "select id, person, version, node, phase, due, exit_reason from journey_entry"
                + " where journey_key = ? order by id",
            key)
        .intoMaps();
  }

  List<String> outcomes(long entry) {
    return app.fetch("select outcome from journey_step where entry_id = ? order by id", entry)
        .map(r -> r.get(0, String.class));
  }

  static final String SEND =
      """
      {"id": "%s", "type": "send", "destination": "rules-hook",
       "identifier": {"from": "email", "to": "email"}, "mapping": [], "next": "%s"}""";

  @Test
  void quietHoursWaitForTheirEndInThePersonsZoneAcrossADaylightSavingChange() {
    publish(
        "quiet",
        """
        {"key": "quiet", "name": "Quiet", "parent": "users",
         "entry": {"type": "event", "eventType": "quiet_test"},
         "settings": {"quietHours": {"from": "21:00", "to": "08:00",
                                     "defaultTimezone": "Europe/Berlin"}},
         "start": "send", "nodes": [%s, {"id": "done", "type": "exit"}]}"""
            .formatted(SEND.formatted("send", "done")));
    event("7", "quiet_test", "{}");
    // 21:30 in Berlin on the night clocks go forward (CET, UTC+1)
    at("quiet", Instant.parse("2026-03-28T20:30:00Z"));
    var e = entries("quiet").get(0);
    assertThat(e.get("node")).isEqualTo("send");
    // 08:00 the next morning is CEST (UTC+2): 06:00Z, not 07:00Z
    assertThat(((java.time.OffsetDateTime) e.get("due")).toInstant())
        .isEqualTo(Instant.parse("2026-03-29T06:00:00Z"));
    at("quiet", Instant.parse("2026-03-29T05:59:00Z"));
    assertThat(entries("quiet").get(0).get("node")).isEqualTo("send");
    at("quiet", Instant.parse("2026-03-29T06:00:01Z"));
    e = entries("quiet").get(0);
    assertThat(e.get("node")).isNull();
    assertThat(outcomes((Long) e.get("id"))).containsExactly("quiet hours", "sent", "exit");
  }

  @Test
  void theFrequencyCapSkipsASendOverItAndLogsIt() {
    publish(
        "capped",
        """
        {"key": "capped", "name": "Capped", "parent": "users",
         "entry": {"type": "event", "eventType": "cap_test"},
         "reentry": {"policy": "after_exit"},
         "settings": {"frequencyCap": {"max": 1, "per": "P1D"}},
         "start": "one", "nodes": [%s, %s, {"id": "done", "type": "exit"}]}"""
            .formatted(SEND.formatted("one", "two"), SEND.formatted("two", "done")));
    Instant t0 = Instant.parse("2026-06-01T10:00:00Z");
    event("11", "cap_test", "{}");
    at("capped", t0);
    var e = entries("capped").get(0);
    assertThat(outcomes((Long) e.get("id"))).containsExactly("sent", "capped", "exit");
    assertThat(
            app.fetch(
                    "select node, status from journey_send where entry_id = ? order by node",
                    e.get("id"))
                .map(r -> r.get(0) + ":" + r.get(1)))
        .containsExactly("one:sent", "two:capped");
    // a day and more later the cap allows one again
    event("11", "cap_test", "{}");
    at("capped", t0.plus(Duration.ofHours(25)));
    var again = entries("capped").get(1);
    assertThat(outcomes((Long) again.get("id"))).containsExactly("sent", "capped", "exit");
  }

  @Test
  void reentryPoliciesNeverAfterExitAndCooldown() {
    String body =
        """
        {"key": "%s", "name": "Re", "parent": "users",
         "entry": {"type": "event", "eventType": "%s"}, "reentry": %s,
         "start": "done", "nodes": [{"id": "done", "type": "exit"}]}""";
    publish("re-never", body.formatted("re-never", "re_never", "{\"policy\": \"never\"}"));
    publish("re-after", body.formatted("re-after", "re_after", "{\"policy\": \"after_exit\"}"));
    publish(
        "re-cool",
        body.formatted("re-cool", "re_cool", "{\"policy\": \"cooldown\", \"cooldown\": \"PT1H\"}"));
    Instant t0 = Instant.parse("2026-06-02T10:00:00Z");
    for (String type : List.of("re_never", "re_after", "re_cool")) {
      event("21", type, "{}");
    }
    at("re-never", t0);
    at("re-after", t0);
    at("re-cool", t0);
    for (String type : List.of("re_never", "re_after", "re_cool")) {
      event("21", type, "{}");
    }
    Instant later = t0.plus(Duration.ofMinutes(30));
    at("re-never", later);
    at("re-after", later);
    at("re-cool", later);
    assertThat(entries("re-never")).hasSize(1);
    assertThat(entries("re-after")).hasSize(2);
    assertThat(entries("re-cool")).hasSize(1);
    event("21", "re_cool", "{}");
    at("re-cool", t0.plus(Duration.ofHours(2)));
    assertThat(entries("re-cool")).hasSize(2);
  }

  @Test
  void pauseHoldsSendsAndEntriesResumeSendsAndStopExitsEveryone() {
    publish(
        "ps",
        """
        {"key": "ps", "name": "PS", "parent": "users",
         "entry": {"type": "event", "eventType": "ps_test"},
         "start": "wait", "nodes": [
           {"id": "wait", "type": "wait", "duration": "PT10M", "next": "send"}, %s,
           {"id": "hold", "type": "wait", "duration": "P1D", "next": "done"},
           {"id": "done", "type": "exit"}]}"""
            .formatted(SEND.formatted("send", "hold")));
    Instant t0 = Instant.parse("2026-06-03T10:00:00Z");
    event("31", "ps_test", "{}");
    event("32", "ps_test", "{}");
    at("ps", t0);
    assertThat(entries("ps")).hasSize(2);
    journeys.setState("ps", Set.of(JourneyStore.State.LIVE), JourneyStore.State.PAUSED, "admin");
    event("33", "ps_test", "{}"); // no new entries while paused
    at("ps", t0.plus(Duration.ofMinutes(20)));
    assertThat(entries("ps")).hasSize(2);
    assertThat(entries("ps")).allMatch(e -> "send".equals(e.get("node")));
    assertThat(app.fetchCount(app.selectFrom("journey_send").where("journey_key = 'ps'"))).isZero();
    journeys.setState("ps", Set.of(JourneyStore.State.PAUSED), JourneyStore.State.LIVE, "admin");
    at("ps", t0.plus(Duration.ofMinutes(21)));
    assertThat(entries("ps")).allMatch(e -> "hold".equals(e.get("node")));
    journeys.setState("ps", Set.of(JourneyStore.State.LIVE), JourneyStore.State.STOPPED, "admin");
    var tick = at("ps", t0.plus(Duration.ofMinutes(22)));
    assertThat(tick.finished()).isTrue();
    assertThat(entries("ps")).allMatch(e -> "stopped".equals(e.get("exit_reason")));
  }

  @Test
  void migrateMovesWaitingPeopleToTheNewVersionKeepingTheTimeWaited() {
    String v1 =
        """
        {"key": "mig", "name": "Mig", "parent": "users",
         "entry": {"type": "event", "eventType": "mig_test"},
         "start": "wait", "nodes": [
           {"id": "wait", "type": "wait", "duration": "%s", "next": "done"},
           {"id": "done", "type": "exit"}]}""";
    publish("mig", v1.formatted("P1D"));
    // publish's migration makes people due at the store's clock: the test's times follow it
    Instant t0 = Instant.now();
    event("41", "mig_test", "{}");
    at("mig", t0);
    // version 2 waits an hour only; with migrate the person waits an hour from their arrival
    journeys.publish("mig", v1.formatted("PT1H"), "admin", List.of("wait", "done")).orElseThrow();
    var e = entries("mig").get(0);
    assertThat(e.get("version")).isEqualTo(2);
    at("mig", t0.plus(Duration.ofMinutes(30)));
    assertThat(entries("mig").get(0).get("node")).isEqualTo("wait");
    at("mig", t0.plus(Duration.ofMinutes(61)));
    assertThat(entries("mig").get(0).get("node")).isNull();
  }

  @Test
  void branchesGiveTheAudienceSqlsAnswerForTheSameConditionsAndPeople() {
    List<String> conditions =
        List.of(
            "{\"type\": \"property\", \"column\": \"country\", \"op\": \"in\", \"value\": [\"DE\", \"FR\"]}",
            "{\"type\": \"trait\", \"trait\": \"lifetime_value\", \"op\": \"gt\", \"value\": 300}",
            "{\"type\": \"event\", \"event\": \"events\", \"eventType\": \"add_to_cart\", \"count\": {\"op\": \"gte\", \"value\": 2}}",
            "{\"type\": \"property\", \"column\": \"loyalty_member\", \"op\": \"is_true\"}");
    StringBuilder arms = new StringBuilder();
    for (int i = 0; i < conditions.size(); i++) {
      arms.append(i == 0 ? "" : ",")
          .append(
              "{\"name\": \"arm-%d\", \"next\": \"done\", \"condition\": %s}"
                  .formatted(i, conditions.get(i)));
    }
    publish(
        "branches",
        """
        {"key": "branches", "name": "Branches", "parent": "users",
         "entry": {"type": "event", "eventType": "branch_test"},
         "start": "b", "nodes": [
           {"id": "b", "type": "branch", "branches": [%s], "else": "done"},
           {"id": "done", "type": "exit"}]}"""
            .formatted(arms));
    List<String> people = new ArrayList<>();
    for (int p = 1; p <= DEMO_USERS; p += 3) {
      people.add(String.valueOf(p));
      event(String.valueOf(p), "branch_test", "{}");
    }
    Instant now = Instant.now();
    at("branches", now);
    // what the audience SQL says for each condition, first arm first
    Set<String> left = new HashSet<>(people);
    Map<String, Set<String>> expected = new TreeMap<>();
    for (int i = 0; i < conditions.size(); i++) {
      var def =
          io.customerstudio.infra.workspace.Workspace.definition(
              "{\"parent\": \"users\", \"filter\": {\"type\": \"and\", \"conditions\": ["
                  + conditions.get(i)
                  + "]}}");
      Set<String> members = new HashSet<>();
      workspace.engine().streamKeys(def, "$", now, k -> members.add(String.valueOf(k)));
      Set<String> arm = new HashSet<>(left);
      arm.retainAll(members);
      left.removeAll(arm);
      expected.put("arm-" + i, arm);
    }
    expected.put("else", left);
    Map<String, Set<String>> actual = new TreeMap<>();
    app.fetch(
            "select s.outcome, e.person from journey_step s join journey_entry e on e.id = s.entry_id"
                + " where e.journey_key = 'branches' and s.node = 'b'")
        .forEach(
            r ->
                actual
                    .computeIfAbsent(r.get(0, String.class), k -> new HashSet<>())
                    .add(r.get(1, String.class)));
    expected.values().removeIf(Set::isEmpty);
    assertThat(actual).isEqualTo(expected);
    assertThat(expected).hasSizeGreaterThan(2);
  }

  @Test
  void aSimulationGivesTheCountsOfARealRunWithTheSamePeopleAndEvents() {
    String doc =
        """
        {"key": "simreal", "name": "Sim vs real", "parent": "users",
         "entry": {"type": "event", "eventType": "sim_cart"},
         "exitCriteria": [{"event": {"eventType": "sim_unsubscribe"}}],
         "start": "wait", "nodes": [
           {"id": "wait", "type": "wait", "duration": "PT1H", "next": "bought"},
           {"id": "bought", "type": "wait_until", "event": {"eventType": "sim_order"},
            "timeout": "PT2H", "next": "done", "timeoutNext": "value"},
           {"id": "value", "type": "branch",
            "branches": [{"name": "high", "next": "test",
                          "condition": {"type": "trait", "trait": "lifetime_value", "op": "gt", "value": 300}}],
            "else": "ads"},
           {"id": "test", "type": "split", "salt": "s1",
            "groups": [{"name": "a", "percent": 50, "next": "send-a"},
                       {"name": "control", "percent": 50, "holdout": true}]},
           %s, %s,
           {"id": "done", "type": "exit"}]}"""
            .formatted(SEND.formatted("send-a", "done"), SEND.formatted("ads", "done"));
    publish("simreal", doc);
    Instant t0 = Instant.parse("2026-06-05T10:00:00Z");
    List<String> events = new ArrayList<>();
    for (int p = 2; p <= 600; p += 4) {
      event(String.valueOf(p), "sim_cart", "{}");
      events.add(
          "{\"eventId\": \"c%d\", \"personKey\": \"%d\", \"type\": \"sim_cart\", \"occurredAt\": \"%s\"}"
              .formatted(p, p, t0));
    }
    at("simreal", t0);
    Instant t1 = t0.plus(Duration.ofMinutes(90));
    for (int p = 2; p <= 600; p += 20) {
      events.add(
          "{\"eventId\": \"o%d\", \"personKey\": \"%d\", \"type\": \"sim_order\", \"occurredAt\": \"%s\"}"
              .formatted(p, p, t1));
    }
    Instant t2 = t0.plus(Duration.ofMinutes(20));
    for (int p = 6; p <= 600; p += 40) {
      events.add(
          "{\"eventId\": \"u%d\", \"personKey\": \"%d\", \"type\": \"sim_unsubscribe\", \"occurredAt\": \"%s\"}"
              .formatted(p, p, t2));
    }
    // the real run, on the same instants: unsubscribes at t0+20m, orders at t0+90m
    at("simreal", t2);
    for (int p = 6; p <= 600; p += 40) {
      event(String.valueOf(p), "sim_unsubscribe", "{}");
    }
    at("simreal", t2);
    // a second after the wait's end (which is an hour after each entry's own instant)
    at("simreal", t0.plus(Duration.ofHours(1)).plusSeconds(1));
    for (int p = 2; p <= 600; p += 20) {
      event(String.valueOf(p), "sim_order", "{}");
    }
    at("simreal", t1);
    at("simreal", t0.plus(Duration.ofHours(4)));
    assertThat(entries("simreal")).allMatch(e -> e.get("node") == null);
    Map<String, Long> real = new TreeMap<>();
    app.fetch("select node, edge, n from journey_count where journey_key = 'simreal'")
        .forEach(r -> real.put(r.get(0) + "→" + r.get(1), r.get(2, Long.class)));

    // the simulation of the same document over the same events, from t0
    var response =
        new ApiClient(port, "admin", ADMIN_PASSWORD)
            .post(
                "/api/v1/journeys/simreal/simulate",
                "{\"people\": {\"asOf\": \"%s\"}, \"horizon\": \"PT6H\", \"events\": [%s]}"
                    .formatted(t0, String.join(",", events)));
    assertThat(response.status()).as(response.body()).isEqualTo(200);
    JsonNode sim = response.json();
    Map<String, Long> simulated = new TreeMap<>();
    for (JsonNode n : sim.get("nodes")) {
      if (n.get("entered").asLong() > 0) {
        simulated.put(n.get("id").asText() + "→", n.get("entered").asLong());
      }
      n.get("left")
          .fields()
          .forEachRemaining(
              f -> simulated.put(n.get("id").asText() + "→" + f.getKey(), f.getValue().asLong()));
    }
    assertThat(simulated).isEqualTo(real);
    assertThat(sim.get("simulated").asBoolean()).isTrue();
    long sentReal =
        app.fetchCount(
            app.selectFrom("journey_send").where("journey_key = 'simreal' and status = 'sent'"));
    assertThat(sim.get("sends").get("rules-hook").asLong()).isEqualTo(sentReal);
    assertThat(real.get("test→exit:holdout")).isPositive();
    assertThat(real.get("bought→done")).isPositive();
  }
}
