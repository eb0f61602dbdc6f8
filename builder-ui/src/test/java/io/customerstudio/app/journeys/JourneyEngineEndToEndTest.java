package io.customerstudio.app.journeys;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.customerstudio.activities.destinations.Signatures;
import io.customerstudio.app.ApiClient;
import io.customerstudio.app.AppTestSupport;
import io.customerstudio.app.syncs.SyncSink;
import io.customerstudio.infra.warehouse.Warehouse;
import io.customerstudio.query.governance.Split;
import io.customerstudio.query.governance.SplitSql;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jooq.DSLContext;
import org.jooq.Field;
import org.jooq.impl.DSL;
import org.jooq.impl.SQLDataType;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;

/**
 * The abandoned-cart journey of the spec, with durations of seconds, on the demo warehouse, the
 * in-process Temporal server and a local webhook sink: events enter people, a wait, a wait-until
 * with its timeout, a branch on lifetime value decided by the audience SQL, a split with a holdout,
 * sends (one person passes two), exit criteria; then every count, send and holdout is checked
 * against expectations computed here from the warehouse and {@link Split#bucket}.
 */
class JourneyEngineEndToEndTest extends AppTestSupport {

  static SyncSink sink;

  static final int PINNED_BUCKET_OF_13 = 2572;

  @LocalServerPort int port;
  @Autowired Warehouse warehouse;
  @Autowired DSLContext app;

  @BeforeAll
  static void startSink() throws Exception {
    sink = new SyncSink();
  }

  @AfterAll
  static void stopSink() {
    sink.close();
  }

  static final String JOURNEY =
      """
      {"key": "cart", "name": "Abandoned cart", "parent": "users",
       "entry": {"type": "event", "eventType": "add_to_cart",
                 "where": [{"property": "value", "op": "gte", "value": 20}]},
       "reentry": {"policy": "after_exit"},
       "exitCriteria": [{"event": {"eventType": "order_completed"}}],
       "start": "wait-1d",
       "nodes": [
         {"id": "wait-1d", "type": "wait", "duration": "PT1S", "next": "bought"},
         {"id": "bought", "type": "wait_until", "event": {"eventType": "order_completed"},
          "timeout": "PT2S", "next": "done", "timeoutNext": "value"},
         {"id": "value", "type": "branch",
          "branches": [{"name": "high value", "next": "test",
                        "condition": {"type": "trait", "trait": "lifetime_value", "op": "gt", "value": 500}}],
          "else": "ads"},
         {"id": "test", "type": "split", "salt": "cart-2026-12",
          "groups": [{"name": "email", "percent": 45, "next": "send-email"},
                     {"name": "email+ads", "percent": 45, "next": "send-both"},
                     {"name": "control", "percent": 10, "holdout": true}]},
         {"id": "send-email", "type": "send", "destination": "cart-esp",
          "identifier": {"from": "email", "to": "email"},
          "mapping": [{"from": "first_name", "to": "firstName"},
                      {"from": "event.properties.cart_url", "to": "cartUrl"}],
          "next": "done"},
         {"id": "send-both", "type": "send", "destination": "cart-ads",
          "identifier": {"from": "email", "to": "email"}, "mapping": [], "next": "send-email"},
         {"id": "ads", "type": "send", "destination": "cart-ads",
          "identifier": {"from": "email", "to": "email"}, "mapping": [], "next": "done"},
         {"id": "done", "type": "exit"}
       ]}""";

  ApiClient admin() {
    return new ApiClient(port, "admin", ADMIN_PASSWORD);
  }

  String secret;

  /** Sends events through the signed webhook door, as an event source would. */
  void events(List<String> events) throws Exception {
    byte[] body =
        ("{\"events\": [" + String.join(",", events) + "]}").getBytes(StandardCharsets.UTF_8);
    var request =
        HttpRequest.newBuilder(
                URI.create("http://localhost:" + port + "/api/v1/webhooks/events/cart-shop"))
            .header("Content-Type", "application/json")
            .header(
                Signatures.HEADER, Signatures.sign(secret, Instant.now().getEpochSecond(), body))
            .POST(HttpRequest.BodyPublishers.ofByteArray(body))
            .build();
    var response = HttpClient.newHttpClient().send(request, HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
  }

  static String event(String id, String person, String type, String properties) {
    return """
        {"eventId": "%s", "personKey": "%s", "type": "%s", "properties": %s}"""
        .formatted(id, person, type, properties);
  }

  /** Whether this class's app runs on a DuckDB warehouse (the twin's does). */
  boolean duckDbWarehouse() {
    return false;
  }

  @Test
  void abandonedCartMovesEveryoneAndSendsEachOnce() throws Exception {
    assertThat(warehouse.duckDb()).isEqualTo(duckDbWarehouse());
    // the split's hash of a person is pinned: the same groups on every engine and every run
    assertThat(Split.bucket("cart:test:cart-2026-12", "13")).isEqualTo(PINNED_BUCKET_OF_13);
    ApiClient admin = admin();
    var source =
        admin.post("/api/v1/event-sources", "{\"key\": \"cart-shop\", \"name\": \"Shop\"}");
    assertThat(source.status()).as(source.body()).isEqualTo(201);
    secret = source.json().get("secret").asText();
    for (String hook : List.of("cart-esp", "cart-ads")) {
      var r =
          admin.post(
              "/api/v1/destinations",
              """
              {"key": "%s", "name": "%s", "type": "webhook",
               "config": {"url": "%s", "batchSize": 50, "requestsPerSecond": 1000,
                          "signingSecret": "%s"}}"""
                  .formatted(hook, hook, sink.url(), SyncSink.SECRET));
      assertThat(r.status()).as(r.body()).isEqualTo(201);
    }
    var created = admin.post("/api/v1/journeys", JOURNEY);
    assertThat(created.status()).as(created.body()).isEqualTo(201);
    var published = admin.post("/api/v1/journeys/cart/publish", "{}");
    assertThat(published.status()).as(published.body()).isEqualTo(200);

    // 120 people add to cart; 20 of them complete an order right away (exit criteria); 10 carts
    // are too small; 5 events are of unknown people
    List<String> people = new ArrayList<>();
    for (int i = 1; i <= 120; i++) {
      people.add(String.valueOf(i * 13));
    }
    List<String> batch = new ArrayList<>();
    for (String p : people) {
      batch.add(
          event(
              "cart-" + p,
              p,
              "add_to_cart",
              "{\"value\": 35.5, \"cart_url\": \"https://shop/c/" + p + "\"}"));
    }
    for (int i = 0; i < 10; i++) {
      batch.add(event("small-" + i, String.valueOf(1999 - i), "add_to_cart", "{\"value\": 5}"));
    }
    for (int i = 0; i < 5; i++) {
      batch.add(event("ghost-" + i, "99999" + i, "add_to_cart", "{\"value\": 50}"));
    }
    events(batch.subList(0, 60));
    events(batch.subList(60, batch.size()));
    events(batch.subList(0, 10)); // the same events again change nothing
    await()
        .atMost(Duration.ofSeconds(30))
        .until(
            () ->
                app.fetchCount(app.selectFrom("journey_entry").where("journey_key = 'cart'"))
                    == 120);
    Set<String> buyers = new HashSet<>(people.subList(0, 20));
    List<String> orders = new ArrayList<>();
    for (String p : buyers) {
      orders.add(event("order-" + p, p, "order_completed", "{}"));
    }
    events(orders);
    await()
        .atMost(Duration.ofSeconds(60))
        .pollInterval(Duration.ofMillis(500))
        .until(
            () ->
                app.fetchCount(
                        app.selectFrom("journey_entry")
                            .where("journey_key = 'cart' and node is null"))
                    == 120);

    // expectations from the warehouse and the split's hash
    Set<String> rest = new HashSet<>(people);
    rest.removeAll(buyers);
    Set<String> high = new HashSet<>();
    // in jOOQ's DSL, so the expectation is the same on either engine
    DSLContext wh = warehouse.dsl();
    Field<Long> userId = DSL.field(DSL.name("u", "user_id"), Long.class);
    Field<String> userKey = userId.cast(SQLDataType.VARCHAR);
    wh.select(userKey)
        .from(DSL.table(DSL.name("demo", "users")).as("u"))
        .join(DSL.table(DSL.name("demo", "purchases")).as("p"))
        .on(DSL.field(DSL.name("p", "user_id"), Long.class).eq(userId))
        .where(DSL.field(DSL.name("p", "status"), String.class).eq("paid"))
        .and(userKey.in(rest))
        .groupBy(userId)
        .having(
            DSL.sum(DSL.field(DSL.name("p", "amount"), java.math.BigDecimal.class))
                .gt(java.math.BigDecimal.valueOf(500)))
        .fetch()
        .forEach(r -> high.add(r.value1()));
    Map<String, String> group = new HashMap<>();
    int[] bounds = {4500, 9000, 10000};
    String[] names = {"email", "email+ads", "control"};
    for (String p : high) {
      int b = Split.bucket("cart:test:cart-2026-12", p);
      for (int i = 0; i < 3; i++) {
        if (b < bounds[i]) {
          group.put(p, names[i]);
          break;
        }
      }
    }
    // the warehouse's split hash (the syncs' SplitSql) buckets these people as the journey's Java
    // hash does: one group per key whichever engine and whichever side computes it
    Split split =
        new Split(
            "cart:test:cart-2026-12",
            List.of(
                new Split.Group("email", java.math.BigDecimal.valueOf(45), false),
                new Split.Group("email+ads", java.math.BigDecimal.valueOf(45), false),
                new Split.Group("control", java.math.BigDecimal.valueOf(10), true)),
            null);
    Map<String, Long> sqlBuckets = new HashMap<>();
    wh.select(userKey, SplitSql.bucket(split, userKey))
        .from(DSL.table(DSL.name("demo", "users")).as("u"))
        .where(userKey.in(people))
        .fetch()
        .forEach(r -> sqlBuckets.put(r.value1(), r.value2()));
    assertThat(sqlBuckets).hasSize(people.size());
    sqlBuckets.forEach(
        (p, b) -> assertThat(b).as(p).isEqualTo((long) Split.bucket(split.salt(), p)));

    Map<String, String> emails = new HashMap<>();
    wh.select(userKey, DSL.field(DSL.name("u", "email"), String.class))
        .from(DSL.table(DSL.name("demo", "users")).as("u"))
        .where(userKey.in(people))
        .fetch()
        .forEach(r -> emails.put(r.value1(), r.value2()));

    // each send node sent each of its people once
    Map<String, Integer> byRun = new HashMap<>();
    Map<String, Integer> perKey = new HashMap<>();
    sink.applied()
        .values()
        .forEach(
            a -> {
              String node = a.idempotencyKey().replaceAll("^journey-cart-v1-(.*)-\\d+$", "$1");
              byRun.merge(node, a.rows().size(), Integer::sum);
              a.rows().forEach(r -> perKey.merge(node + "|" + r, 1, Integer::sum));
            });
    assertThat(sink.violations()).isEmpty();
    assertThat(perKey.values()).allMatch(n -> n == 1);
    long emailOnly = group.values().stream().filter("email"::equals).count();
    long both = group.values().stream().filter("email+ads"::equals).count();
    long control = group.values().stream().filter("control"::equals).count();
    long low = rest.size() - high.size();
    System.out.printf(
        "journey end to end (%s): %d high value, %d low, %d email, %d email+ads, %d control%n",
        duckDbWarehouse() ? "DuckDB" : "PostgreSQL", high.size(), low, emailOnly, both, control);
    assertThat(byRun.getOrDefault("send-email", 0)).isEqualTo((int) (emailOnly + both));
    assertThat(byRun.getOrDefault("send-both", 0)).isEqualTo((int) both);
    assertThat(byRun.getOrDefault("ads", 0)).isEqualTo((int) low);

    // the stats say the same
    JsonNode stats = admin.get("/api/v1/journeys/cart/stats").json();
    assertThat(stats.get("entered").asLong()).isEqualTo(120);
    assertThat(stats.get("unknownPeople").asLong()).isEqualTo(5);
    Map<String, JsonNode> nodes = new HashMap<>();
    stats.get("nodes").forEach(n -> nodes.put(n.get("id").asText(), n));
    assertThat(nodes.get("wait-1d").get("entered").asLong()).isEqualTo(120);
    assertThat(nodes.get("value").get("left").path("test").asLong()).isEqualTo(high.size());
    assertThat(nodes.get("value").get("left").path("ads").asLong()).isEqualTo(low);
    assertThat(nodes.get("test").get("left").path("exit:holdout").asLong()).isEqualTo(control);
    nodes.values().forEach(n -> assertThat(n.get("current").asLong()).isZero());

    // holdouts: in the app store and in the warehouse, exactly the people the split's hash puts
    // in the control group (the group is computed in Java, so it is the same on either engine)
    Set<String> controls = new HashSet<>();
    group.forEach(
        (p, g) -> {
          if (g.equals("control")) {
            controls.add(p);
          }
        });
    assertThat(
            app.fetch("select person from journey_holdout where journey_key = 'cart'")
                .getValues(0, String.class))
        .containsExactlyInAnyOrderElementsOf(controls);
    await()
        .atMost(Duration.ofSeconds(10))
        .until(
            () ->
                warehouse
                        .dsl()
                        .fetchCount(
                            warehouse
                                .dsl()
                                .selectFrom("cs_logs.journey_holdouts")
                                .where("journey_key = 'cart'"))
                    == control);
    assertThat(
            wh.select(DSL.field(DSL.name("person_key"), String.class))
                .from(DSL.table(DSL.name("cs_logs", "journey_holdouts")))
                .where(DSL.field(DSL.name("journey_key"), String.class).eq("cart"))
                .fetch()
                .getValues(0, String.class))
        .containsExactlyInAnyOrderElementsOf(controls);

    // a buyer's path: entered, waited, left on their order (or by the exit criteria)
    String buyer = buyers.iterator().next();
    JsonNode path = admin.get("/api/v1/journeys/cart/people/" + buyer).json();
    assertThat(path.size()).isEqualTo(1);
    JsonNode steps = path.get(0).get("steps");
    assertThat(steps.get(steps.size() - 1).get("outcome").asText())
        .matches("event order-" + buyer + "|exit criteria|exit");
    System.out.println(
        "journey e2e (" + warehouse.dialect() + ") at " + Instant.now() + ": " + stats);
  }
}
