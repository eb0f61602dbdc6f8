package io.customerstudio.app.journeys;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.customerstudio.app.ApiClient;
import io.customerstudio.app.AppTestSupport;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.web.server.LocalServerPort;

/**
 * Journeys as code, round trip through the API: the export holds each journey's draft, state and
 * versions; importing it unchanged changes nothing; imported as new journeys (other keys, as into
 * another workspace) they come back with the same drafts and versions, paused when published (never
 * started by an import) or draft; newer versions are added, changed published versions and broken
 * documents are refused at their path and nothing lands.
 */
class JourneysAsCodeTest extends AppTestSupport {

  static final ObjectMapper JSON = new ObjectMapper();

  @LocalServerPort int port;

  static String document(String key, String wait) {
    return """
        {"key": "%s", "name": "Code journey", "parent": "users",
         "entry": {"type": "event", "eventType": "jac_event"}, "start": "wait",
         "nodes": [{"id": "wait", "type": "wait", "duration": "%s", "next": "done"},
                   {"id": "done", "type": "exit"}]}"""
        .formatted(key, wait);
  }

  static JsonNode ok(ApiClient.Response r) {
    assertThat(r.status()).as(r.body()).isBetween(200, 299);
    return r.json();
  }

  static JsonNode journey(JsonNode export, String key) {
    for (JsonNode j : export.path("journeys")) {
      if (j.path("key").asText().equals(key)) {
        return j;
      }
    }
    throw new AssertionError("no journey " + key + " in the export");
  }

  /** The export with only the journeys, {@code from} renamed to {@code to} everywhere in them. */
  static ObjectNode only(JsonNode export, List<String> keys, String suffix) throws Exception {
    ObjectNode doc = JSON.createObjectNode();
    ArrayNode list = doc.putArray("journeys");
    for (String k : keys) {
      list.add(
          JSON.readTree(
              journey(export, k).toString().replace("\"" + k + "\"", "\"" + k + suffix + "\"")));
    }
    return doc;
  }

  static List<String> paths(ApiClient.Response r) {
    List<String> out = new ArrayList<>();
    r.json().path("errors").forEach(e -> out.add(e.path("path").asText()));
    return out;
  }

  @Test
  void exportImportRoundTrip() throws Exception {
    ApiClient admin = new ApiClient(port, "admin", ADMIN_PASSWORD);
    ok(admin.post("/api/v1/journeys", document("jac-one", "PT10S")));
    ok(admin.post("/api/v1/journeys/jac-one/publish", "{\"migrate\": false}"));
    ok(admin.put("/api/v1/journeys/jac-one", document("jac-one", "PT20S")));
    ok(admin.post("/api/v1/journeys/jac-one/publish", "{\"migrate\": false}"));
    ok(admin.put("/api/v1/journeys/jac-one", document("jac-one", "PT30S")));
    ok(admin.post("/api/v1/journeys", document("jac-two", "PT10S")));

    JsonNode export = ok(admin.get("/api/v1/export"));
    JsonNode one = journey(export, "jac-one");
    assertThat(one.path("name").asText()).isEqualTo("Code journey");
    assertThat(one.path("parent").asText()).isEqualTo("users");
    assertThat(one.path("state").asText()).isEqualTo("live");
    assertThat(one.path("liveVersion").asInt()).isEqualTo(2);
    assertThat(one.path("draft")).isEqualTo(JSON.readTree(document("jac-one", "PT30S")));
    assertThat(one.path("versions")).hasSize(2);
    assertThat(one.at("/versions/0/version").asInt()).isEqualTo(1);
    assertThat(one.at("/versions/0/definition"))
        .isEqualTo(JSON.readTree(document("jac-one", "PT10S")));
    assertThat(one.at("/versions/1/definition"))
        .isEqualTo(JSON.readTree(document("jac-one", "PT20S")));
    assertThat(one.at("/versions/1/publishedBy").asText()).isEqualTo("admin");
    JsonNode two = journey(export, "jac-two");
    assertThat(two.path("state").asText()).isEqualTo("draft");
    assertThat(two.path("versions")).isEmpty();

    // the same document again: nothing to do
    JsonNode same = ok(admin.post("/api/v1/import?dryRun=true", export.toString()));
    assertThat(same.at("/journeys/unchanged").toString()).contains("\"jac-one\"", "\"jac-two\"");
    assertThat(same.at("/journeys/create")).isEmpty();
    assertThat(same.at("/journeys/update")).isEmpty();

    // as into another workspace: new keys
    ObjectNode copy = only(export, List.of("jac-one", "jac-two"), "-copy");
    JsonNode dry = ok(admin.post("/api/v1/import?dryRun=true", copy.toString()));
    assertThat(dry.at("/journeys/create").toString())
        .isEqualTo("[\"jac-one-copy\",\"jac-two-copy\"]");
    assertThat(admin.get("/api/v1/journeys/jac-one-copy").status()).isEqualTo(404);
    JsonNode applied = ok(admin.post("/api/v1/import?dryRun=false", copy.toString()));
    assertThat(applied.path("applied").asBoolean()).isTrue();

    JsonNode oneCopy = ok(admin.get("/api/v1/journeys/jac-one-copy"));
    assertThat(oneCopy.path("state").asText()).as("never started by an import").isEqualTo("paused");
    assertThat(oneCopy.path("liveVersion").asInt()).isEqualTo(2);
    assertThat(oneCopy.path("name").asText()).isEqualTo("Code journey");
    assertThat(oneCopy.path("draft")).isEqualTo(JSON.readTree(document("jac-one-copy", "PT30S")));
    assertThat(oneCopy.path("versions")).hasSize(2);
    assertThat(oneCopy.at("/versions/0/publishedBy").asText()).isEqualTo("admin");
    // the same instant; the API and the export may print trailing zeros of the fraction differently
    assertThat(Instant.parse(oneCopy.at("/versions/1/publishedAt").asText()))
        .isEqualTo(Instant.parse(one.at("/versions/1/publishedAt").asText()));
    assertThat(ok(admin.get("/api/v1/journeys/jac-one-copy/versions/1")).path("definition"))
        .isEqualTo(JSON.readTree(document("jac-one-copy", "PT10S")));
    JsonNode twoCopy = ok(admin.get("/api/v1/journeys/jac-two-copy"));
    assertThat(twoCopy.path("state").asText()).isEqualTo("draft");
    assertThat(twoCopy.path("versions")).isEmpty();
    // and the copy exports as the original did, but for keys and state
    JsonNode again = ok(admin.get("/api/v1/export"));
    ObjectNode reexported = only(again, List.of("jac-one-copy"), "");
    ObjectNode original = only(export, List.of("jac-one"), "-copy");
    ((ObjectNode) reexported.at("/journeys/0")).remove("state");
    ((ObjectNode) original.at("/journeys/0")).remove("state");
    assertThat(reexported).isEqualTo(original);

    // a newer version and a new draft are added to the copy; it stays paused
    ObjectNode newer = only(export, List.of("jac-one"), "-copy");
    ObjectNode item = (ObjectNode) newer.at("/journeys/0");
    item.set("draft", JSON.readTree(document("jac-one-copy", "PT50S")));
    ((ArrayNode) item.get("versions"))
        .addObject()
        .put("version", 3)
        .set("definition", JSON.readTree(document("jac-one-copy", "PT40S")));
    JsonNode updated = ok(admin.post("/api/v1/import?dryRun=false", newer.toString()));
    assertThat(updated.at("/journeys/update").toString()).isEqualTo("[\"jac-one-copy\"]");
    JsonNode after = ok(admin.get("/api/v1/journeys/jac-one-copy"));
    assertThat(after.path("liveVersion").asInt()).isEqualTo(3);
    assertThat(after.path("state").asText()).isEqualTo("paused");
    assertThat(after.path("draft")).isEqualTo(JSON.readTree(document("jac-one-copy", "PT50S")));

    // a published version changed, a broken draft, an unknown field: refused, nothing lands
    ObjectNode bad = only(export, List.of("jac-one", "jac-two"), "-copy");
    ((ObjectNode) bad.at("/journeys/0/versions/0"))
        .set("definition", JSON.readTree(document("jac-one-copy", "PT11S")));
    ((ObjectNode) bad.at("/journeys/1/draft/nodes/0")).put("next", 7);
    ((ObjectNode) bad.at("/journeys/1")).put("colour", "red");
    ((ObjectNode) bad.at("/journeys/0"))
        .set("draft", JSON.readTree(document("jac-one-copy", "PT9S")));
    ApiClient.Response refused = admin.post("/api/v1/import?dryRun=false", bad.toString());
    assertThat(refused.status()).as(refused.body()).isEqualTo(400);
    assertThat(paths(refused))
        .contains(
            "$.journeys[0].versions[0].definition",
            "$.journeys[1].draft.nodes[0].next",
            "$.journeys[1].colour");
    assertThat(ok(admin.get("/api/v1/journeys/jac-one-copy")).path("draft"))
        .isEqualTo(JSON.readTree(document("jac-one-copy", "PT50S")));
    ApiClient.Response older =
        admin.post(
            "/api/v1/import?dryRun=true",
            "{\"journeys\": [{\"key\": \"jac-one-copy\", \"draft\": "
                + document("jac-one-copy", "PT50S")
                + ", \"versions\": [{\"version\": 2.5, \"definition\": {}}]}]}");
    assertThat(paths(older)).containsExactly("$.journeys[0].versions[0].version");
    assertThat(paths(admin.post("/api/v1/import?dryRun=true", "{\"journeys\": {}}")))
        .containsExactly("$.journeys");
  }
}
