package io.customerstudio.app.audiences;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.customerstudio.app.ApiClient;
import io.customerstudio.app.AppTestSupport;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.web.server.LocalServerPort;

/**
 * Export, then import: dry run shows the differences, apply makes them, bad documents change
 * nothing.
 */
class AsCodeApiTest extends AppTestSupport {

  @LocalServerPort int port;

  @Test
  void exportThenImportShowsAndAppliesDifferences() {
    ApiClient admin = new ApiClient(port, "admin", ADMIN_PASSWORD);
    admin.post(
        "/api/v1/audiences",
        "{\"key\": \"code-a\", \"name\": \"A\", \"definition\": {\"parent\": \"users\", \"filter\": {\"type\": \"property\", \"column\": \"country\", \"op\": \"eq\", \"value\": \"FR\"}}}");
    JsonNode doc = admin.get("/api/v1/export").json();
    assertThat(doc.get("schema").get("models")).hasSize(5);
    assertThat(doc.get("audiences"))
        .anySatisfy(a -> assertThat(a.get("key").asText()).isEqualTo("code-a"));

    // unchanged document: nothing to do
    JsonNode same = admin.post("/api/v1/import?dryRun=true", doc.toString()).json();
    assertThat(same.get("schema").asText()).isEqualTo("unchanged");
    assertThat(same.at("/audiences/unchanged"))
        .anySatisfy(k -> assertThat(k.asText()).isEqualTo("code-a"));

    ObjectNode changed = doc.deepCopy();
    ((ObjectNode) byKey(changed, "code-a")).put("name", "A renamed");
    ((com.fasterxml.jackson.databind.node.ArrayNode) changed.get("audiences"))
        .addObject()
        .put("key", "code-b")
        .put("name", "B")
        .set(
            "definition",
            ApiClientJson.parse(
                "{\"parent\": \"users\", \"filter\": {\"type\": \"audience\", \"audience\": \"code-a\", \"op\": \"member\"}}"));
    JsonNode dry = admin.post("/api/v1/import?dryRun=true", changed.toString()).json();
    assertThat(dry.at("/audiences/create/0").asText()).isEqualTo("code-b");
    assertThat(dry.at("/audiences/update")).hasSize(1);
    assertThat(admin.get("/api/v1/audiences/code-b").status()).isEqualTo(404);

    JsonNode applied = admin.post("/api/v1/import?dryRun=false", changed.toString()).json();
    assertThat(applied.get("applied").asBoolean()).isTrue();
    assertThat(admin.get("/api/v1/audiences/code-b").status()).isEqualTo(200);
    assertThat(admin.get("/api/v1/audiences/code-a").json().get("name").asText())
        .isEqualTo("A renamed");

    // one bad audience: nothing is applied, and the error points into the document
    ObjectNode bad = changed.deepCopy();
    ((ObjectNode) byKey(bad, "code-a")).put("name", "should not land");
    ((com.fasterxml.jackson.databind.node.ArrayNode) bad.get("audiences"))
        .addObject()
        .put("key", "code-c")
        .put("name", "C")
        .set(
            "definition",
            ApiClientJson.parse(
                "{\"parent\": \"users\", \"filter\": {\"type\": \"property\", \"column\": \"nope\", \"op\": \"is_null\"}}"));
    ApiClient.Response refused = admin.post("/api/v1/import?dryRun=false", bad.toString());
    assertThat(refused.status()).isEqualTo(400);
    assertThat(refused.json().at("/errors/0/path").asText()).endsWith(".definition.filter.column");
    assertThat(admin.get("/api/v1/audiences/code-a").json().get("name").asText())
        .isEqualTo("A renamed");
    assertThat(admin.get("/api/v1/audiences/code-c").status()).isEqualTo(404);
  }

  @Test
  void exportSpeaksYaml() throws Exception {
    ApiClient admin = new ApiClient(port, "admin", ADMIN_PASSWORD);
    java.net.http.HttpResponse<String> r =
        java.net.http.HttpClient.newHttpClient()
            .send(
                java.net.http.HttpRequest.newBuilder(
                        java.net.URI.create("http://localhost:" + port + "/api/v1/export"))
                    .header("Accept", "application/yaml")
                    .header(
                        "Authorization",
                        "Basic "
                            + java.util.Base64.getEncoder()
                                .encodeToString(("admin:" + ADMIN_PASSWORD).getBytes()))
                    .build(),
                java.net.http.HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.body()).contains("schema:").contains("models:");
    java.net.http.HttpResponse<String> back =
        java.net.http.HttpClient.newHttpClient()
            .send(
                java.net.http.HttpRequest.newBuilder(
                        java.net.URI.create(
                            "http://localhost:" + port + "/api/v1/import?dryRun=true"))
                    .header("Content-Type", "application/yaml")
                    .header(
                        "Authorization",
                        "Basic "
                            + java.util.Base64.getEncoder()
                                .encodeToString(("admin:" + ADMIN_PASSWORD).getBytes()))
                    .POST(java.net.http.HttpRequest.BodyPublishers.ofString(r.body()))
                    .build(),
                java.net.http.HttpResponse.BodyHandlers.ofString());
    assertThat(back.statusCode()).as(back.body()).isEqualTo(200);
    assertThat(back.body()).contains("\"schema\":\"unchanged\"").contains("\"create\":[]");
    assertThat(admin.send("POST", "/api/v1/import?dryRun=true", null).status()).isEqualTo(415);
  }

  /** Parsing JSON literals in tests. */
  static final class ApiClientJson {
    static JsonNode parse(String json) {
      try {
        return new com.fasterxml.jackson.databind.ObjectMapper().readTree(json);
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    }
  }

  /** An audience of an exported document by key: other tests' audiences share the store. */
  static JsonNode byKey(JsonNode doc, String key) {
    for (JsonNode a : doc.get("audiences")) {
      if (a.get("key").asText().equals(key)) {
        return a;
      }
    }
    throw new AssertionError("no audience " + key + " in the export");
  }
}
