package io.customerstudio.app.journeys;

import static io.customerstudio.infra.store.jooq.Tables.JOURNEY_ENTRY;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.customerstudio.app.ApiClient;
import io.customerstudio.app.AppTestSupport;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.jooq.DSLContext;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;

/**
 * Journeys through the API on the demo warehouse: drafts saved and read back, problems with the
 * path of the node at fault, versions that grow with each publish, migration of people in flight
 * (rows written straight into journey_entry, as the engine would have them), the state machine's
 * 409s, the audit trail, and deletes of destinations and audiences refused while a journey uses
 * them.
 */
class JourneyApiTest extends AppTestSupport {

  static final ObjectMapper JSON = new ObjectMapper();

  @LocalServerPort int port;
  @Autowired DSLContext appStore;
  ApiClient admin;
  ApiClient marketer;

  @BeforeEach
  void setUp() {
    admin = new ApiClient(port, "admin", ADMIN_PASSWORD);
    if (admin.get("/api/v1/users/journey-marketer").status() == 404) {
      admin.post(
          "/api/v1/users",
          "{\"username\": \"journey-marketer\", \"role\": \"MARKETER\", \"password\":"
              + " \"journey-password\"}");
    }
    marketer = new ApiClient(port, "journey-marketer", "journey-password");
    destination("ja-dest");
    if (marketer.get("/api/v1/audiences/ja-vips").status() == 404) {
      ok(
          marketer.post(
              "/api/v1/audiences",
              "{\"key\": \"ja-vips\", \"name\": \"VIPs\", \"definition\": {\"parent\": \"users\","
                  + " \"filter\": {\"type\": \"property\", \"column\": \"loyalty_member\", \"op\":"
                  + " \"is_true\"}}}"));
    }
  }

  void destination(String key) {
    if (admin.get("/api/v1/destinations/" + key).status() == 404) {
      ok(
          admin.post(
              "/api/v1/destinations",
              "{\"key\": \""
                  + key
                  + "\", \"name\": \"Journey file\", \"type\": \"file\", \"config\":"
                  + " {\"directory\": \"journeys\", \"format\": \"csv\"}}"));
    }
  }

  static JsonNode ok(ApiClient.Response r) {
    assertThat(r.status()).as(r.body()).isBetween(200, 299);
    return r.body() == null || r.body().isEmpty() ? null : r.json();
  }

  /** A publishable journey over the demo users: wait, branch, send, a second wait, exit. */
  static ObjectNode journey(String key) {
    try {
      ObjectNode j =
          (ObjectNode)
              JSON.readTree(
                  """
                  {"name": "Cart", "parent": "users",
                   "entry": {"type": "event", "eventType": "add_to_cart",
                             "where": [{"property": "value", "op": "gte", "value": 20}]},
                   "start": "wait",
                   "nodes": [
                     {"id": "wait", "type": "wait", "duration": "P1D", "next": "value"},
                     {"id": "value", "type": "branch",
                      "branches": [{"name": "vip", "next": "send",
                                    "condition": {"type": "audience", "audience": "ja-vips",
                                                  "op": "member"}}],
                      "else": "gone"},
                     {"id": "send", "type": "send", "destination": "ja-dest",
                      "identifier": {"from": "email", "to": "email"},
                      "mapping": [{"from": "first_name", "to": "firstName"},
                                  {"from": "lifetime_value", "to": "ltv"},
                                  {"from": "event.properties.cart_url", "to": "cartUrl"}],
                      "next": "done"},
                     {"id": "gone", "type": "wait", "duration": "PT10S", "next": "done"},
                     {"id": "done", "type": "exit"}]}""");
      j.put("key", key);
      return j;
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  static List<String> paths(ApiClient.Response r) {
    List<String> out = new ArrayList<>();
    JsonNode errors = r.json().path("errors");
    errors.forEach(e -> out.add(e.path("path").asText()));
    return out;
  }

  @Test
  void createListGetPutValidateAndPublishVersions() {
    ApiClient.Response created = marketer.post("/api/v1/journeys", journey("ja-cart").toString());
    assertThat(created.status()).as(created.body()).isEqualTo(201);
    assertThat(created.json().get("state").asText()).isEqualTo("draft");
    assertThat(created.json().get("versions")).isEmpty();
    assertThat(created.json().at("/draft/nodes/2/destination").asText()).isEqualTo("ja-dest");
    assertThat(created.json().get("createdBy").asText()).isEqualTo("journey-marketer");

    ApiClient.Response again = marketer.post("/api/v1/journeys", journey("ja-cart").toString());
    assertThat(again.status()).isEqualTo(409);
    assertThat(again.raw().headers().firstValue("content-type").orElse(""))
        .startsWith("application/problem+json");

    JsonNode listed = ok(marketer.get("/api/v1/journeys"));
    JsonNode mine = null;
    for (JsonNode j : listed) {
      if (j.get("key").asText().equals("ja-cart")) {
        mine = j;
      }
    }
    assertThat(mine).isNotNull();
    assertThat(mine.get("name").asText()).isEqualTo("Cart");
    assertThat(mine.get("parent").asText()).isEqualTo("users");
    assertThat(mine.get("state").asText()).isEqualTo("draft");
    assertThat(mine.get("liveVersion").isNull()).isTrue();
    assertThat(mine.has("updatedAt")).isTrue();

    // the key in the body is the path's or absent
    ObjectNode renamed = journey("ja-cart");
    renamed.remove("key");
    renamed.put("name", "Abandoned cart");
    JsonNode put = ok(marketer.put("/api/v1/journeys/ja-cart", renamed.toString()));
    assertThat(put.get("name").asText()).isEqualTo("Abandoned cart");
    assertThat(put.at("/draft/key").asText()).isEqualTo("ja-cart");
    ApiClient.Response otherKey =
        marketer.put("/api/v1/journeys/ja-cart", journey("ja-other").toString());
    assertThat(otherKey.status()).isEqualTo(400);
    assertThat(paths(otherKey)).containsExactly("$.key");

    JsonNode validation = ok(marketer.post("/api/v1/journeys/ja-cart/validate", null));
    assertThat(validation.get("problems")).as(validation.toString()).isEmpty();

    JsonNode v1 = ok(marketer.post("/api/v1/journeys/ja-cart/publish", "{\"migrate\": false}"));
    assertThat(v1.get("version").asInt()).isEqualTo(1);
    assertThat(v1.get("state").asText()).isEqualTo("live");
    assertThat(v1.get("migrated").asInt()).isZero();
    JsonNode v2 = ok(marketer.post("/api/v1/journeys/ja-cart/publish", null));
    assertThat(v2.get("version").asInt()).isEqualTo(2);

    JsonNode got = ok(marketer.get("/api/v1/journeys/ja-cart"));
    assertThat(got.get("state").asText()).isEqualTo("live");
    assertThat(got.get("liveVersion").asInt()).isEqualTo(2);
    assertThat(got.get("versions").findValuesAsText("version")).containsExactly("1", "2");
    assertThat(got.at("/versions/0/publishedBy").asText()).isEqualTo("journey-marketer");
    JsonNode version = ok(marketer.get("/api/v1/journeys/ja-cart/versions/1"));
    assertThat(version.at("/definition/name").asText()).isEqualTo("Abandoned cart");
    assertThat(marketer.get("/api/v1/journeys/ja-cart/versions/3").status()).isEqualTo(404);
    assertThat(marketer.get("/api/v1/journeys/ja-nope").status()).isEqualTo(404);

    // the audit trail has each change, as the API shows the journey
    JsonNode audit = ok(admin.get("/api/v1/audit?entity=journey&key=ja-cart"));
    List<String> actions = audit.findValuesAsText("action");
    assertThat(actions).contains("create", "update");
    assertThat(audit.toString()).contains("journey-marketer");
  }

  @Test
  void aBrokenDraftIsSavedButValidateAndPublishNameEveryProblem() {
    ok(marketer.post("/api/v1/journeys", journey("ja-broken").toString()));
    ObjectNode broken = journey("ja-broken");
    ArrayNode nodes = (ArrayNode) broken.get("nodes");
    ((ObjectNode) nodes.get(3)).put("next", "nowhere");
    ((ObjectNode) nodes.get(2)).put("destination", "ja-dst");
    ((ObjectNode) nodes.get(2).get("mapping").get(1)).put("from", "lifetime_valu");
    ok(marketer.put("/api/v1/journeys/ja-broken", broken.toString()));

    JsonNode validation = ok(marketer.post("/api/v1/journeys/ja-broken/validate", null));
    assertThat(validation.get("problems").findValuesAsText("path"))
        .containsExactlyInAnyOrder(
            "$.nodes[3].next", "$.nodes[2].destination", "$.nodes[2].mapping[1].from");
    assertThat(validation.toString()).contains("did you mean \\\"ja-dest\\\"");

    ApiClient.Response refused = marketer.post("/api/v1/journeys/ja-broken/publish", null);
    assertThat(refused.status()).isEqualTo(400);
    assertThat(paths(refused))
        .containsExactlyInAnyOrder(
            "$.nodes[3].next", "$.nodes[2].destination", "$.nodes[2].mapping[1].from");
    assertThat(ok(marketer.get("/api/v1/journeys/ja-broken")).get("state").asText())
        .isEqualTo("draft");

    // what the reader cannot read is not saved at all
    ObjectNode unreadable = journey("ja-broken");
    ((ObjectNode) unreadable.get("nodes").get(0)).put("colour", "red");
    ((ObjectNode) unreadable.get("nodes").get(1)).put("type", "loop");
    ApiClient.Response bad = marketer.put("/api/v1/journeys/ja-broken", unreadable.toString());
    assertThat(bad.status()).isEqualTo(400);
    assertThat(paths(bad)).containsExactlyInAnyOrder("$.nodes[0].colour", "$.nodes[1].type");
    assertThat(paths(marketer.post("/api/v1/journeys", "{\"name\": \"x\"}")))
        .contains("$.key", "$.parent");
    assertThat(paths(marketer.post("/api/v1/journeys/ja-broken/publish", "{\"migrate\": 3}")))
        .containsExactly("$.migrate");
    assertThat(paths(marketer.post("/api/v1/journeys/ja-broken/publish", "{\"migrat\": true}")))
        .containsExactly("$.migrat");
    assertThat(paths(marketer.post("/api/v1/journeys/ja-broken/publish", "[true]")))
        .containsExactly("$");
  }

  @Test
  void publishWithMigrateMovesPeopleAtNodesThatStillExist() {
    ok(marketer.post("/api/v1/journeys", journey("ja-migrate").toString()));
    ok(marketer.post("/api/v1/journeys/ja-migrate/publish", null));
    OffsetDateTime since =
        OffsetDateTime.now(ZoneOffset.UTC).minusHours(3).truncatedTo(ChronoUnit.MILLIS);
    OffsetDateTime later = since.plusDays(30);
    entry("m-wait", "wait", "wait", since, later);
    entry("m-gone", "gone", "wait", since, later);
    entry("m-arrive", "value", "arrive", since, later);
    entry("m-sending", "send", "send", since, later);
    long exited = entry("m-exited", null, null, since, null);

    // version 2 drops node "gone"
    ObjectNode v2 = journey("ja-migrate");
    ArrayNode nodes = (ArrayNode) v2.get("nodes");
    nodes.remove(3);
    ((ObjectNode) nodes.get(1)).put("else", "done");
    ok(marketer.put("/api/v1/journeys/ja-migrate", v2.toString()));
    JsonNode published =
        ok(marketer.post("/api/v1/journeys/ja-migrate/publish", "{\"migrate\": true}"));
    assertThat(published.get("version").asInt()).isEqualTo(2);
    assertThat(published.get("migrated").asInt()).isEqualTo(2);

    Map<String, Integer> versions =
        appStore
            .select(JOURNEY_ENTRY.PERSON, JOURNEY_ENTRY.VERSION)
            .from(JOURNEY_ENTRY)
            .where(JOURNEY_ENTRY.JOURNEY_KEY.eq("ja-migrate"))
            .fetch()
            .stream()
            .collect(Collectors.toMap(r -> r.value1(), r -> r.value2()));
    assertThat(versions)
        .containsEntry("m-wait", 2)
        .containsEntry("m-arrive", 2)
        .containsEntry("m-gone", 1)
        .containsEntry("m-sending", 1)
        .containsEntry("m-exited", 1);
    var moved =
        appStore
            .selectFrom(JOURNEY_ENTRY)
            .where(JOURNEY_ENTRY.JOURNEY_KEY.eq("ja-migrate"), JOURNEY_ENTRY.PERSON.eq("m-wait"))
            .fetchOne();
    // the time already waited is kept: since is untouched, the engine re-arrives them now
    assertThat(moved.getSince().toInstant()).isEqualTo(since.toInstant());
    assertThat(moved.getNode()).isEqualTo("wait");
    assertThat(exited).isPositive();

    // without migrate, nobody moves
    ok(marketer.put("/api/v1/journeys/ja-migrate", v2.toString()));
    JsonNode v3 = ok(marketer.post("/api/v1/journeys/ja-migrate/publish", "{\"migrate\": false}"));
    assertThat(v3.get("version").asInt()).isEqualTo(3);
    assertThat(v3.get("migrated").asInt()).isZero();
  }

  long entry(String person, String node, String phase, OffsetDateTime since, OffsetDateTime due) {
    return appStore
        .insertInto(JOURNEY_ENTRY)
        .set(JOURNEY_ENTRY.JOURNEY_KEY, "ja-migrate")
        .set(JOURNEY_ENTRY.VERSION, 1)
        .set(JOURNEY_ENTRY.PERSON, person)
        .set(JOURNEY_ENTRY.ENTERED_AT, since)
        .set(JOURNEY_ENTRY.NODE, node)
        .set(JOURNEY_ENTRY.PHASE, phase)
        .set(JOURNEY_ENTRY.SINCE, since)
        .set(JOURNEY_ENTRY.DUE, due)
        .set(JOURNEY_ENTRY.EXITED_AT, node == null ? since : null)
        .set(JOURNEY_ENTRY.EXIT_REASON, node == null ? "exit" : null)
        .returning(JOURNEY_ENTRY.ID)
        .fetchOne()
        .getId();
  }

  @Test
  void theStateMachineRefusesWhatItDoesNotAllow() {
    ok(marketer.post("/api/v1/journeys", journey("ja-states").toString()));
    // a draft neither pauses, resumes nor stops
    assertThat(marketer.post("/api/v1/journeys/ja-states/pause", null).status()).isEqualTo(409);
    assertThat(marketer.post("/api/v1/journeys/ja-states/resume", null).status()).isEqualTo(409);
    assertThat(marketer.post("/api/v1/journeys/ja-states/stop", null).status()).isEqualTo(409);

    ok(marketer.post("/api/v1/journeys/ja-states/publish", null));
    assertThat(marketer.post("/api/v1/journeys/ja-states/resume", null).status()).isEqualTo(409);
    ApiClient.Response deleteLive = marketer.delete("/api/v1/journeys/ja-states");
    assertThat(deleteLive.status()).isEqualTo(409);
    assertThat(deleteLive.body()).contains("stop it first");

    assertThat(ok(marketer.post("/api/v1/journeys/ja-states/pause", null)).get("state").asText())
        .isEqualTo("paused");
    assertThat(marketer.post("/api/v1/journeys/ja-states/pause", null).status()).isEqualTo(409);
    // publishing a paused journey keeps it paused
    JsonNode republished = ok(marketer.post("/api/v1/journeys/ja-states/publish", null));
    assertThat(republished.get("state").asText()).isEqualTo("paused");
    assertThat(republished.get("version").asInt()).isEqualTo(2);
    assertThat(marketer.delete("/api/v1/journeys/ja-states").status()).isEqualTo(409);
    assertThat(ok(marketer.post("/api/v1/journeys/ja-states/resume", null)).get("state").asText())
        .isEqualTo("live");
    assertThat(ok(marketer.post("/api/v1/journeys/ja-states/stop", null)).get("state").asText())
        .isEqualTo("stopped");

    // stopped is final
    for (String action : List.of("pause", "resume", "stop", "publish")) {
      ApiClient.Response r = marketer.post("/api/v1/journeys/ja-states/" + action, null);
      assertThat(r.status()).as(action).isEqualTo(409);
      assertThat(r.body()).as(action).contains("stopped");
    }
    assertThat(marketer.put("/api/v1/journeys/ja-states", journey("ja-states").toString()).status())
        .isEqualTo(409);
    assertThat(marketer.delete("/api/v1/journeys/ja-states").status()).isEqualTo(204);
    assertThat(marketer.get("/api/v1/journeys/ja-states").status()).isEqualTo(404);
    assertThat(marketer.post("/api/v1/journeys/ja-states/pause", null).status()).isEqualTo(404);
  }

  @Test
  void deletesOfADestinationOrAnAudienceNameTheJourneysUsingThem() {
    destination("ja-dest-used");
    if (marketer.get("/api/v1/audiences/ja-entry").status() == 404) {
      ok(
          marketer.post(
              "/api/v1/audiences",
              "{\"key\": \"ja-entry\", \"name\": \"Entry\", \"definition\": {\"parent\":"
                  + " \"users\"}}"));
    }
    // a draft uses the destination; a published version uses the audience
    ObjectNode draft = journey("ja-uses");
    ((ObjectNode) draft.get("nodes").get(2)).put("destination", "ja-dest-used");
    ok(marketer.post("/api/v1/journeys", draft.toString()));
    ApiClient.Response dest = admin.delete("/api/v1/destinations/ja-dest-used");
    assertThat(dest.status()).isEqualTo(409);
    assertThat(dest.body()).contains("ja-uses");

    ObjectNode byAudience = journey("ja-by-audience");
    byAudience
        .putObject("entry")
        .put("type", "audience")
        .put("audience", "ja-entry")
        .put("every", "PT5M");
    ((ArrayNode) byAudience.get("nodes").get(2).get("mapping")).remove(2);
    ok(marketer.post("/api/v1/journeys", byAudience.toString()));
    JsonNode validation = ok(marketer.post("/api/v1/journeys/ja-by-audience/validate", null));
    assertThat(validation.get("problems")).as(validation.toString()).isEmpty();
    ok(marketer.post("/api/v1/journeys/ja-by-audience/publish", null));
    // the draft no longer uses it, version 1 still does
    ObjectNode changed = byAudience.deepCopy();
    ((ObjectNode) changed.get("entry")).put("audience", "ja-vips");
    ok(marketer.put("/api/v1/journeys/ja-by-audience", changed.toString()));
    ApiClient.Response audience = marketer.delete("/api/v1/audiences/ja-entry");
    assertThat(audience.status()).isEqualTo(409);
    assertThat(audience.body()).contains("ja-by-audience");
    // a condition's audience counts too
    ApiClient.Response vips = marketer.delete("/api/v1/audiences/ja-vips");
    assertThat(vips.status()).isEqualTo(409);
    assertThat(vips.body()).contains("journey");

    // once stopped and deleted, nothing holds them
    ok(marketer.post("/api/v1/journeys/ja-by-audience/stop", null));
    assertThat(marketer.delete("/api/v1/audiences/ja-entry").status()).isEqualTo(204);
    ok(marketer.delete("/api/v1/journeys/ja-uses"));
    assertThat(admin.delete("/api/v1/destinations/ja-dest-used").status()).isEqualTo(204);
  }
}
