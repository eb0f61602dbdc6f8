package io.customerstudio.app.journeys;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.customerstudio.app.ApiClient;
import io.customerstudio.app.AppTestSupport;
import io.customerstudio.app.syncs.SyncSink;
import io.customerstudio.infra.warehouse.Warehouse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jooq.DSLContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;

/**
 * Retrying a journey's rejected sends, end to end: journeys published through the API (their
 * workflows on the in-process Temporal server), events through the events API, and a local webhook
 * sink that refuses some people's rows until the test lets them through. Then a retry sends each
 * rejected row once more, once, under a new idempotency key; the statuses, paths and audit trail
 * say so; a second retry queues nothing; a person held at the node moves on; a restricted user
 * retries only her people; and the API refuses what it must.
 */
class JourneySendRetriesTest extends AppTestSupport {

  static SyncSink sink;

  @LocalServerPort int port;
  @Autowired DSLContext app;
  @Autowired Warehouse warehouse;

  ApiClient admin;

  @BeforeAll
  static void startSink() throws Exception {
    sink = new SyncSink();
  }

  @AfterAll
  static void stopSink() {
    sink.close();
  }

  static boolean ready;

  @BeforeEach
  void setUp() {
    admin = new ApiClient(port, "admin", ADMIN_PASSWORD);
    if (ready) {
      return;
    }
    ok(
        admin.post(
            "/api/v1/destinations",
            """
            {"key": "retry-hook", "name": "Retry hook", "type": "webhook",
             "config": {"url": "%s", "batchSize": 50, "requestsPerSecond": 1000,
                        "signingSecret": "%s"}}"""
                .formatted(sink.url(), SyncSink.SECRET)));
    ok(
        admin.post(
            "/api/v1/subset-categories",
            "{\"key\": \"rt-region\", \"name\": \"Region\", \"parent\": \"users\", \"subsets\":"
                + " [{\"key\": \"de\", \"name\": \"Germany\", \"condition\": {\"type\":"
                + " \"property\", \"column\": \"country\", \"op\": \"eq\", \"value\": \"DE\"}}]}"));
    ok(
        admin.post(
            "/api/v1/users",
            "{\"username\": \"rt-de\", \"role\": \"MARKETER\", \"password\": \"rt-de-password\","
                + " \"subsets\": {\"rt-region\": [\"de\"]}}"));
    ready = true;
  }

  static JsonNode ok(ApiClient.Response r) {
    assertThat(r.status()).as(r.body()).isBetween(200, 299);
    return r.body() == null || r.body().isEmpty() ? null : r.json();
  }

  static String journey(String key, String eventType, String onFailure) {
    return """
        {"key": "%s", "name": "%s", "parent": "users",
         "entry": {"type": "event", "eventType": "%s"},
         "start": "send",
         "nodes": [
           {"id": "send", "type": "send", "destination": "retry-hook",
            "identifier": {"from": "email", "to": "email"},
            "mapping": [{"from": "first_name", "to": "firstName"}]%s, "next": "done"},
           {"id": "done", "type": "exit"}]}"""
        .formatted(
            key, key, eventType, onFailure == null ? "" : ", \"onFailure\": \"" + onFailure + "\"");
  }

  void publish(String key, String doc) {
    ok(admin.post("/api/v1/journeys", doc));
    ok(admin.post("/api/v1/journeys/" + key + "/publish", "{}"));
  }

  void events(String type, List<String> people) {
    List<String> events = new ArrayList<>();
    for (String p : people) {
      events.add(
          "{\"eventId\": \"%s-%s\", \"personKey\": \"%s\", \"type\": \"%s\", \"properties\": {}}"
              .formatted(type, p, p, type));
    }
    ok(admin.post("/api/v1/events", "{\"events\": [" + String.join(",", events) + "]}"));
  }

  /** user id → email of demo users matching {@code where}, by id. */
  Map<String, String> users(String where, int n) {
    Map<String, String> out = new LinkedHashMap<>();
    warehouse
        .dsl()
        .fetch(
            "select user_id::text, email from demo.users where "
                + where
                + " order by user_id limit "
                + n)
        .forEach(r -> out.put(r.get(0, String.class), r.get(1, String.class)));
    return out;
  }

  Map<String, String> statuses(String journey) {
    Map<String, String> out = new LinkedHashMap<>();
    app.fetch(
            "select person, status from journey_send where journey_key = ? order by person",
            journey)
        .forEach(r -> out.put(r.get(0, String.class), r.get(1, String.class)));
    return out;
  }

  long entry(String journey, String person) {
    return ((Number)
            app.fetchValue(
                "select id from journey_entry where journey_key = ? and person = ?",
                journey,
                person))
        .longValue();
  }

  List<String> outcomes(String journey, String person) {
    JsonNode path = ok(admin.get("/api/v1/journeys/" + journey + "/people/" + person));
    List<String> out = new ArrayList<>();
    path.get(path.size() - 1).get("steps").forEach(s -> out.add(s.get("outcome").asText()));
    return out;
  }

  @Test
  void rejectedRowsAreRetriedOnceUnderANewKeyAndThePathShowsIt() {
    publish("rt-cart", journey("rt-cart", "rt_cart", null));
    Map<String, String> people = users("country is distinct from 'DE'", 6);
    List<String> keys = List.copyOf(people.keySet());
    Set<String> refused = new HashSet<>();
    for (String p : keys.subList(0, 3)) {
      refused.add(people.get(p));
    }
    sink.refuse(refused);
    events("rt_cart", keys);
    await()
        .atMost(Duration.ofSeconds(60))
        .until(
            () ->
                app.fetchCount(
                        app.selectFrom("journey_entry")
                            .where("journey_key = 'rt-cart' and node is null"))
                    == 6);
    Map<String, String> before = statuses("rt-cart");
    for (String p : keys) {
      assertThat(before.get(p))
          .as(p)
          .isEqualTo(refused.contains(people.get(p)) ? "rejected" : "sent");
    }
    // the first attempt's keys, of the refused rows' requests
    Set<String> firstKeys = new HashSet<>();
    sink.received().keySet().stream()
        .filter(k -> k.startsWith("journey-rt-cart-"))
        .forEach(firstKeys::add);
    assertThat(firstKeys).isNotEmpty().noneMatch(k -> k.contains("retry"));

    // the destination is fixed; retry every rejected row of the node
    sink.refuse(Set.of());
    JsonNode retried =
        ok(admin.post("/api/v1/journeys/rt-cart/sends/retry", "{\"node\": \"send\"}"));
    assertThat(retried.get("retried").asInt()).isEqualTo(3);
    // a second call while the first is under way queues nothing twice
    assertThat(ok(admin.post("/api/v1/journeys/rt-cart/sends/retry", "{}")).get("retried").asInt())
        .isZero();
    await()
        .atMost(Duration.ofSeconds(30))
        .until(() -> statuses("rt-cart").values().stream().allMatch("sent"::equals));

    // each retried row reached the sink once, under a key of the retry, not the first attempt's
    List<SyncSink.Applied> mine =
        sink.applied().values().stream()
            .filter(a -> a.idempotencyKey().startsWith("journey-rt-cart-"))
            .toList();
    Map<String, Integer> times = new LinkedHashMap<>();
    mine.forEach(a -> a.rows().forEach(r -> times.merge(r, 1, Integer::sum)));
    for (String email : people.values()) {
      assertThat(times.get("upsert:" + email)).as(email).isEqualTo(1);
    }
    assertThat(times).hasSize(6);
    for (var a : mine) {
      boolean retriedRows = a.rows().stream().anyMatch(r -> refused.contains(r.substring(7)));
      if (retriedRows) {
        assertThat(a.idempotencyKey()).startsWith("journey-rt-cart-v1-send-retry1-");
        assertThat(firstKeys).doesNotContain(a.idempotencyKey());
        assertThat(a.rows()).allMatch(r -> refused.contains(r.substring(7)));
      } else {
        assertThat(a.idempotencyKey()).doesNotContain("retry");
      }
    }
    assertThat(sink.violations()).isEmpty();

    // the path: rejected and on to the exit, then retried and sent at the send node
    String first = keys.get(0);
    List<String> path = outcomes("rt-cart", first);
    assertThat(path).hasSize(4);
    assertThat(path.get(0)).startsWith("rejected: HTTP 400");
    assertThat(path.subList(1, 4)).containsExactly("exit", "retried", "sent");
    JsonNode steps = ok(admin.get("/api/v1/journeys/rt-cart/people/" + first)).get(0).get("steps");
    assertThat(steps.get(2).get("node").asText()).isEqualTo("send");
    assertThat(steps.get(2).get("next").asText()).isEqualTo("send");
    assertThat(outcomes("rt-cart", keys.get(4))).containsExactly("sent", "exit");
    // nobody moved again: the exit counted once per person
    JsonNode stats = ok(admin.get("/api/v1/journeys/rt-cart/stats"));
    stats
        .get("nodes")
        .forEach(
            n -> {
              if (n.get("id").asText().equals("done")) {
                assertThat(n.get("entered").asLong()).isEqualTo(6);
              }
            });

    // nothing is rejected any more: a retry queues nothing
    assertThat(ok(admin.post("/api/v1/journeys/rt-cart/sends/retry", null)).get("retried").asInt())
        .isZero();
    // the audit trail has the one retry that queued rows
    JsonNode audit = ok(admin.get("/api/v1/audit?entity=journey&key=rt-cart"));
    List<String> actions = new ArrayList<>();
    audit.forEach(e -> actions.add(e.get("action").asText()));
    assertThat(actions).containsOnlyOnce("retry");
    audit.forEach(
        e -> {
          if (e.get("action").asText().equals("retry")) {
            assertThat(e.get("actor").asText()).isEqualTo("admin");
            assertThat(e.get("after").get("retried").asInt()).isEqualTo(3);
            assertThat(e.get("after").get("node").asText()).isEqualTo("send");
          }
        });
  }

  @Test
  void aHeldPersonMovesOnWhenTheRetryIsSentAndARestrictedUserRetriesOnlyHerPeople() {
    publish("rt-hold", journey("rt-hold", "rt_hold", "wait"));
    Map<String, String> german = users("country = 'DE'", 1);
    Map<String, String> french = users("country = 'FR'", 1);
    String de = german.keySet().iterator().next();
    String fr = french.keySet().iterator().next();
    sink.refuse(Set.of(german.get(de), french.get(fr)));
    events("rt_hold", List.of(de, fr));
    await()
        .atMost(Duration.ofSeconds(60))
        .until(
            () ->
                app.fetchCount(
                        app.selectFrom("journey_entry")
                            .where("journey_key = 'rt-hold' and phase = 'failed'"))
                    == 2);
    assertThat(statuses("rt-hold").values()).containsOnly("rejected");
    sink.refuse(Set.of());

    // she may retry, but only her German; the French row stays rejected (and is not counted)
    ApiClient her = new ApiClient(port, "rt-de", "rt-de-password");
    assertThat(ok(her.post("/api/v1/journeys/rt-hold/sends/retry", "{}")).get("retried").asInt())
        .isEqualTo(1);
    await()
        .atMost(Duration.ofSeconds(30))
        .until(
            () ->
                app.fetchValue(
                        "select node from journey_entry where journey_key = 'rt-hold' and person = ?",
                        de)
                    == null);
    assertThat(statuses("rt-hold")).containsEntry(de, "sent").containsEntry(fr, "rejected");
    assertThat(outcomes("rt-hold", de)).containsExactly("retried", "sent", "exit");
    // the French person still waits at the node
    assertThat(
            app.fetchValue(
                "select phase from journey_entry where journey_key = 'rt-hold' and person = ?", fr))
        .isEqualTo("failed");

    // the admin retries the French entry by its id
    long frEntry = entry("rt-hold", fr);
    assertThat(
            ok(admin.post(
                    "/api/v1/journeys/rt-hold/sends/retry",
                    "{\"node\": \"send\", \"entries\": [" + frEntry + "]}"))
                .get("retried")
                .asInt())
        .isEqualTo(1);
    await()
        .atMost(Duration.ofSeconds(30))
        .until(() -> statuses("rt-hold").values().stream().allMatch("sent"::equals));
    await()
        .atMost(Duration.ofSeconds(30))
        .until(
            () ->
                app.fetchCount(
                        app.selectFrom("journey_entry")
                            .where("journey_key = 'rt-hold' and node is null"))
                    == 2);
    assertThat(outcomes("rt-hold", fr)).containsExactly("retried", "sent", "exit");
  }

  @Test
  void theApiRefusesUnknownJourneysAndNodesDraftsAndStoppedJourneys() {
    assertThat(admin.post("/api/v1/journeys/rt-none/sends/retry", "{}").status()).isEqualTo(404);
    publish("rt-api", journey("rt-api", "rt_api", null));
    var unknown = admin.post("/api/v1/journeys/rt-api/sends/retry", "{\"node\": \"nope\"}");
    assertThat(unknown.status()).isEqualTo(400);
    assertThat(unknown.body()).contains("$.node");
    var exit = admin.post("/api/v1/journeys/rt-api/sends/retry", "{\"node\": \"done\"}");
    assertThat(exit.status()).isEqualTo(400);
    assertThat(exit.body()).contains("$.node").contains("type exit");
    for (String bad :
        List.of(
            "{\"entries\": []}",
            "{\"entries\": \"12\"}",
            "{\"entries\": [\"x\"]}",
            "{\"node\": 3}",
            "{\"nodes\": \"send\"}",
            "[]")) {
      var r = admin.post("/api/v1/journeys/rt-api/sends/retry", bad);
      assertThat(r.status()).as(bad + " -> " + r.body()).isEqualTo(400);
      assertThat(r.body()).contains("\"$");
    }
    assertThat(
            ok(admin.post("/api/v1/journeys/rt-api/sends/retry", "{\"entries\": [1, 2]}"))
                .get("retried")
                .asInt())
        .isZero();

    ok(admin.post("/api/v1/journeys", journey("rt-draft", "rt_draft", null)));
    assertThat(admin.post("/api/v1/journeys/rt-draft/sends/retry", "{}").status()).isEqualTo(409);
    ok(admin.post("/api/v1/journeys/rt-api/stop", null));
    var stopped = admin.post("/api/v1/journeys/rt-api/sends/retry", "{}");
    assertThat(stopped.status()).isEqualTo(409);
    assertThat(stopped.body()).contains("stopped");
  }
}
