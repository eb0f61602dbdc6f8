package io.customerstudio.app.events;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.customerstudio.activities.destinations.Signatures;
import io.customerstudio.app.ApiClient;
import io.customerstudio.app.AppTestSupport;
import io.customerstudio.infra.store.AuditStore;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.core.env.Environment;

/**
 * Both doors of the event stream on the real app: idempotent by event id, all or nothing with the
 * JSON path of the fault, durable when the 200 arrives (read from a connection of its own), the
 * signed webhook of an event source (good, wrong secret, stale, missing, unknown: 401 alike), and
 * event sources managed by admins, audited without their secret.
 */
class EventApiTest extends AppTestSupport {

  static final ObjectMapper JSON = new ObjectMapper();
  static final HttpClient HTTP = HttpClient.newHttpClient();

  @LocalServerPort int port;
  @Autowired Environment environment;
  @Autowired AuditStore auditStore;
  ApiClient admin;
  ApiClient marketer;

  @BeforeEach
  void clients() {
    admin = new ApiClient(port, "admin", ADMIN_PASSWORD);
    if (admin.get("/api/v1/users/events-marketer").status() == 404) {
      assertThat(
              admin
                  .post(
                      "/api/v1/users",
                      "{\"username\": \"events-marketer\", \"role\": \"MARKETER\","
                          + " \"password\": \"events-password\"}")
                  .status())
          .isEqualTo(201);
    }
    marketer = new ApiClient(port, "events-marketer", "events-password");
  }

  static ObjectNode event(String id, Object person, String type) {
    ObjectNode e = JSON.createObjectNode().put("eventId", id).put("type", type);
    if (person instanceof Number n) {
      e.put("personKey", n.longValue());
    } else {
      e.put("personKey", (String) person);
    }
    e.putObject("properties").put("value", 35.5).put("cart_url", "https://shop.example/c/1");
    return e;
  }

  static String batch(List<ObjectNode> events) {
    ObjectNode b = JSON.createObjectNode();
    ArrayNode a = b.putArray("events");
    events.forEach(a::add);
    return b.toString();
  }

  /** The stored events with these ids, read on a connection of the test's own (not the app's). */
  List<List<String>> stored(String... ids) throws Exception {
    List<List<String>> rows = new ArrayList<>();
    try (Connection c =
            DriverManager.getConnection(
                environment.getProperty("studio.database.url"), "postgres", "");
        PreparedStatement st =
            c.prepareStatement(
                "select event_id, person, event_type, properties, occurred_at, source"
                    + " from journey_event where event_id = any (?) order by seq")) {
      st.setArray(1, c.createArrayOf("varchar", ids));
      try (ResultSet r = st.executeQuery()) {
        while (r.next()) {
          List<String> row = new ArrayList<>();
          for (int i = 1; i <= 6; i++) {
            row.add(
                i == 5
                    ? r.getObject(i, java.time.OffsetDateTime.class).toInstant().toString()
                    : r.getString(i));
          }
          rows.add(row);
        }
      }
    }
    return rows;
  }

  static List<String> paths(ApiClient.Response r) {
    List<String> out = new ArrayList<>();
    r.json().path("errors").forEach(e -> out.add(e.path("path").asText()));
    return out;
  }

  @Test
  void theSameEventIdAgainIsAcceptedAndChangesNothing_andA200MeansCommitted() throws Exception {
    ApiClient.Response first =
        marketer.post("/api/v1/events", event("ev-idem-1", 42, "add_to_cart").toString());
    assertThat(first.status()).as(first.body()).isEqualTo(200);
    assertThat(first.json()).isEqualTo(JSON.readTree("{\"accepted\": 1, \"duplicates\": 0}"));
    // committed before the answer: another connection sees it right away
    List<List<String>> rows = stored("ev-idem-1");
    assertThat(rows).hasSize(1);
    assertThat(rows.get(0).subList(0, 3)).containsExactly("ev-idem-1", "42", "add_to_cart");
    assertThat(JSON.readTree(rows.get(0).get(3)))
        .isEqualTo(JSON.readTree("{\"value\": 35.5, \"cart_url\": \"https://shop.example/c/1\"}"));
    assertThat(rows.get(0).get(5)).isNull();
    // no occurredAt: now
    Instant occurred = Instant.parse(rows.get(0).get(4));
    assertThat(occurred).isBetween(Instant.now().minusSeconds(60), Instant.now().plusSeconds(1));

    ObjectNode changed = event("ev-idem-1", "7", "purchase");
    ApiClient.Response again =
        marketer.post(
            "/api/v1/events", batch(List.of(changed, event("ev-idem-2", "8", "purchase"))));
    assertThat(again.json()).isEqualTo(JSON.readTree("{\"accepted\": 1, \"duplicates\": 1}"));
    assertThat(stored("ev-idem-1", "ev-idem-2"))
        .extracting(r -> r.subList(0, 3))
        .containsExactly(
            List.of("ev-idem-1", "42", "add_to_cart"), List.of("ev-idem-2", "8", "purchase"));

    ObjectNode dated =
        event("ev-idem-3", "9", "purchase").put("occurredAt", "2026-12-01T11:00:00+01:00");
    assertThat(admin.post("/api/v1/events", dated.toString()).status()).isEqualTo(200);
    assertThat(stored("ev-idem-3").get(0).get(4)).isEqualTo("2026-12-01T10:00:00Z");
  }

  @Test
  void oneMalformedEventRejectsTheWholeBatchNamingItsPath() throws Exception {
    List<ObjectNode> events = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      events.add(event("ev-bad-" + i, String.valueOf(i), "viewed"));
    }
    events.get(2).remove("type");
    ApiClient.Response r = marketer.post("/api/v1/events", batch(events));
    assertThat(r.status()).isEqualTo(400);
    assertThat(r.raw().headers().firstValue("content-type").orElse(""))
        .startsWith("application/problem+json");
    assertThat(paths(r)).containsExactly("$.events[2].type");
    assertThat(stored("ev-bad-0", "ev-bad-1", "ev-bad-3", "ev-bad-4")).isEmpty();

    // every problem at once, each at its path
    events.get(2).put("type", 5);
    events.get(3).put("occurredAt", "yesterday");
    events.get(4).put("eventId", "x".repeat(201)).put("color", "red");
    events.get(0).put("properties", "[1]");
    assertThat(paths(marketer.post("/api/v1/events", batch(events))))
        .containsExactlyInAnyOrder(
            "$.events[0].properties",
            "$.events[2].type",
            "$.events[3].occurredAt",
            "$.events[4].color",
            "$.events[4].eventId");
    assertThat(stored("ev-bad-0", "ev-bad-1")).isEmpty();

    // a single event's fields are named from the root
    assertThat(
            paths(
                marketer.post(
                    "/api/v1/events", "{\"eventId\": \"ev-bad-9\", \"personKey\": true}")))
        .containsExactlyInAnyOrder("$.personKey", "$.type");
    assertThat(paths(marketer.post("/api/v1/events", "[1]"))).containsExactly("$");
    assertThat(paths(marketer.post("/api/v1/events", "{\"events\": []}")))
        .containsExactly("$.events");
  }

  @Test
  void moreThanAThousandEventsAreRefused() throws Exception {
    List<ObjectNode> events = new ArrayList<>();
    for (int i = 0; i < 1001; i++) {
      events.add(event("ev-many-" + i, String.valueOf(i), "viewed"));
    }
    ApiClient.Response r = marketer.post("/api/v1/events", batch(events));
    assertThat(r.status()).isEqualTo(400);
    assertThat(paths(r)).containsExactly("$.events");
    assertThat(stored("ev-many-0")).isEmpty();

    ApiClient.Response thousand = marketer.post("/api/v1/events", batch(events.subList(0, 1000)));
    assertThat(thousand.json()).isEqualTo(JSON.readTree("{\"accepted\": 1000, \"duplicates\": 0}"));
  }

  @Test
  void withoutALoginTheApiDoorIsClosed() throws Exception {
    HttpResponse<String> r =
        HTTP.send(
            HttpRequest.newBuilder(URI.create("http://localhost:" + port + "/api/v1/events"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(event("ev-anon", "1", "x").toString()))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).isEqualTo(401);
    assertThat(stored("ev-anon")).isEmpty();
    assertThat(marketer.get("/api/v1/event-sources").status()).isEqualTo(403);
    assertThat(marketer.post("/api/v1/event-sources", "{\"key\": \"m\", \"name\": \"M\"}").status())
        .isEqualTo(403);
  }

  HttpResponse<String> webhook(String source, String signature, String body) throws Exception {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(
                URI.create("http://localhost:" + port + "/api/v1/webhooks/events/" + source))
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(body));
    if (signature != null) {
      b.header(Signatures.HEADER, signature);
    }
    return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  static String sign(String secret, long t, String body) {
    return Signatures.sign(secret, t, body.getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void anEventSourceSignsItsEvents_andEverythingElseIs401Alike() throws Exception {
    ApiClient.Response created =
        admin.post("/api/v1/event-sources", "{\"key\": \"shop\", \"name\": \"Shop backend\"}");
    assertThat(created.status()).as(created.body()).isEqualTo(201);
    JsonNode source = created.json();
    assertThat(source.path("key").asText()).isEqualTo("shop");
    assertThat(source.path("name").asText()).isEqualTo("Shop backend");
    assertThat(source.path("createdAt").asText()).isNotBlank();
    String secret = source.path("secret").asText();
    assertThat(secret).startsWith("whsec_").hasSizeGreaterThan(40);

    // never shown again
    assertThat(admin.get("/api/v1/event-sources").body())
        .contains("\"shop\"")
        .doesNotContain(secret);
    JsonNode got = admin.get("/api/v1/event-sources/shop").json();
    assertThat(got.has("secret")).isFalse();
    assertThat(got.path("createdBy").asText()).isEqualTo("admin");

    long now = Instant.now().getEpochSecond();
    String body =
        batch(List.of(event("ev-hook-1", "42", "add_to_cart"), event("ev-hook-2", 43, "purchase")));
    HttpResponse<String> good = webhook("shop", sign(secret, now, body), body);
    assertThat(good.statusCode()).as(good.body()).isEqualTo(200);
    assertThat(JSON.readTree(good.body()))
        .isEqualTo(JSON.readTree("{\"accepted\": 2, \"duplicates\": 0}"));
    assertThat(stored("ev-hook-1", "ev-hook-2"))
        .extracting(r -> List.of(r.get(0), r.get(1), r.get(5)))
        .containsExactly(List.of("ev-hook-1", "42", "shop"), List.of("ev-hook-2", "43", "shop"));

    String one = event("ev-hook-3", "44", "viewed").toString();
    String refusal = "missing, invalid or stale X-Studio-Signature for this event source";
    List<HttpResponse<String>> refused =
        List.of(
            webhook("shop", sign("whsec_wrong", now, one), one),
            webhook("shop", sign(secret, now - 330, one), one),
            webhook("shop", sign(secret, now + 330, one), one),
            webhook("shop", null, one),
            webhook("shop", "t=" + now, one),
            // signed for another body
            webhook("shop", sign(secret, now, body), one),
            webhook("no-such-source", sign(secret, now, one), one));
    for (HttpResponse<String> r : refused) {
      assertThat(r.statusCode()).as(r.body()).isEqualTo(401);
      assertThat(r.headers().firstValue("content-type").orElse(""))
          .startsWith("application/problem+json");
      assertThat(JSON.readTree(r.body()).path("detail").asText()).isEqualTo(refusal);
    }
    assertThat(stored("ev-hook-3")).isEmpty();
    // within the tolerance
    assertThat(webhook("shop", sign(secret, now - 250, one), one).statusCode()).isEqualTo(200);

    // signed, but malformed: a 400 naming the path, as at the other door
    String bad = "{\"eventId\": \"ev-hook-4\", \"personKey\": \"1\"}";
    HttpResponse<String> invalid = webhook("shop", sign(secret, now, bad), bad);
    assertThat(invalid.statusCode()).isEqualTo(400);
    assertThat(JSON.readTree(invalid.body()).at("/errors/0/path").asText()).isEqualTo("$.type");
    HttpResponse<String> garbage = webhook("shop", sign(secret, now, "{oops"), "{oops");
    assertThat(garbage.statusCode()).isEqualTo(400);

    // rotate: the old secret stops working, the new one signs
    ApiClient.Response rotated = admin.post("/api/v1/event-sources/shop/rotate", null);
    assertThat(rotated.status()).isEqualTo(200);
    String newSecret = rotated.json().path("secret").asText();
    assertThat(newSecret).startsWith("whsec_").isNotEqualTo(secret);
    String five = event("ev-hook-5", "45", "viewed").toString();
    assertThat(webhook("shop", sign(secret, now, five), five).statusCode()).isEqualTo(401);
    assertThat(webhook("shop", sign(newSecret, now, five), five).statusCode()).isEqualTo(200);

    // key taken, bad input, unknown
    assertThat(
            admin
                .post("/api/v1/event-sources", "{\"key\": \"shop\", \"name\": \"Again\"}")
                .status())
        .isEqualTo(409);
    ApiClient.Response badKey =
        admin.post("/api/v1/event-sources", "{\"key\": \"Shop Backend!\", \"name\": \"\"}");
    assertThat(badKey.status()).isEqualTo(400);
    assertThat(paths(badKey)).containsExactlyInAnyOrder("$.key", "$.name");
    assertThat(admin.get("/api/v1/event-sources/nope").status()).isEqualTo(404);
    assertThat(admin.post("/api/v1/event-sources/nope/rotate", null).status()).isEqualTo(404);

    // delete: its requests are refused, its events stay
    assertThat(admin.delete("/api/v1/event-sources/shop").status()).isEqualTo(204);
    assertThat(admin.get("/api/v1/event-sources/shop").status()).isEqualTo(404);
    String six = event("ev-hook-6", "46", "viewed").toString();
    assertThat(webhook("shop", sign(newSecret, now, six), six).statusCode()).isEqualTo(401);
    assertThat(stored("ev-hook-1", "ev-hook-5")).hasSize(2);

    List<AuditStore.Entry> audit =
        auditStore.list(
            new AuditStore.Query("event_source", "shop", null, null, null, 0, 100, false));
    assertThat(audit)
        .extracting(AuditStore.Entry::action)
        .containsExactly("create", "rotate", "delete");
    assertThat(audit).allSatisfy(e -> assertThat(e.actor()).isEqualTo("admin"));
    assertThat(audit.get(0).after()).contains("\"Shop backend\"");
    for (AuditStore.Entry e : audit) {
      assertThat(String.valueOf(e.before()) + e.after())
          .doesNotContain(secret)
          .doesNotContain(newSecret);
    }
  }
}
