package io.customerstudio.app.destinations;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;
import io.customerstudio.app.ApiClient;
import io.customerstudio.app.AppTestSupport;
import java.net.InetSocketAddress;
import org.jooq.DSLContext;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;

/**
 * Destinations through the API: validated with paths, secrets sealed at rest and never returned,
 * kept when an update leaves them out, and a connection test against a local endpoint.
 */
class DestinationApiTest extends AppTestSupport {

  @LocalServerPort int port;
  @Autowired DSLContext appStore;

  @Test
  void createTestUpdateAndDeleteAWebhookWithoutEverShowingItsSecret() throws Exception {
    HttpServer sink = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    sink.createContext(
        "/hook",
        x -> {
          x.sendResponseHeaders(204, -1);
          x.close();
        });
    sink.start();
    try {
      ApiClient admin = new ApiClient(port, "admin", ADMIN_PASSWORD);
      String url = "http://127.0.0.1:" + sink.getAddress().getPort() + "/hook";
      ApiClient.Response created =
          admin.post(
              "/api/v1/destinations",
              """
              {"key": "crm-hook", "name": "CRM webhook", "type": "webhook",
               "config": {"url": "%s", "headers": {"X-Team": "growth"}, "batchSize": 50,
                          "requestsPerSecond": 5, "signingSecret": "whsec-0123456789abcdef"}}"""
                  .formatted(url));
      assertThat(created.status()).isEqualTo(201);
      JsonNode view = created.json();
      assertThat(view.toString()).doesNotContain("whsec-0123456789abcdef");
      assertThat(view.at("/secretsSet/0").asText()).isEqualTo("signingSecret");
      assertThat(view.at("/config/batchSize").asInt()).isEqualTo(50);
      String stored =
          String.valueOf(
              appStore.fetchValue(
                  "select secrets from destination where destination_key = 'crm-hook'"));
      assertThat(stored)
          .contains("\"signingSecret\":\"v1:")
          .doesNotContain("whsec-0123456789abcdef");

      JsonNode test = admin.post("/api/v1/destinations/crm-hook/test", "").json();
      assertThat(test.get("ok").asBoolean()).isTrue();

      // an update without the secret keeps it; the test still signs with it
      ApiClient.Response updated =
          admin.put(
              "/api/v1/destinations/crm-hook",
              "{\"name\": \"CRM\", \"type\": \"webhook\", \"config\": {\"url\": \"" + url + "\"}}");
      assertThat(updated.status()).isEqualTo(200);
      assertThat(updated.json().at("/secretsSet/0").asText()).isEqualTo("signingSecret");

      // marketers read, but do not change
      admin.post(
          "/api/v1/users",
          "{\"username\":\"dest-marketer\",\"role\":\"MARKETER\",\"password\":\"dest-marketer-pw\"}");
      ApiClient marketer = new ApiClient(port, "dest-marketer", "dest-marketer-pw");
      assertThat(marketer.get("/api/v1/destinations/crm-hook").status()).isEqualTo(200);
      assertThat(marketer.delete("/api/v1/destinations/crm-hook").status()).isEqualTo(403);

      assertThat(admin.delete("/api/v1/destinations/crm-hook").status()).isEqualTo(204);
      assertThat(admin.get("/api/v1/destinations/crm-hook").status()).isEqualTo(404);
    } finally {
      sink.stop(0);
    }
  }

  @Test
  void badSettingsAre400sNamingTheField() {
    ApiClient admin = new ApiClient(port, "admin", ADMIN_PASSWORD);
    ApiClient.Response r =
        admin.post(
            "/api/v1/destinations",
            """
            {"key": "Bad Key", "name": "", "type": "webhook",
             "config": {"url": "ftp://nowhere", "batchSize": 0, "signingSecret": "short"}}""");
    assertThat(r.status()).isEqualTo(400);
    assertThat(r.json().get("errors"))
        .extracting(e -> e.get("path").asText())
        .contains(
            "$.key", "$.name", "$.config.url", "$.config.batchSize", "$.config.signingSecret");
    ApiClient.Response type =
        admin.post(
            "/api/v1/destinations",
            "{\"key\": \"x\", \"name\": \"x\", \"type\": \"carrier-pigeon\", \"config\": {}}");
    assertThat(type.status()).isEqualTo(400);
    assertThat(type.json().at("/errors/0/path").asText()).isEqualTo("$.type");
  }

  @Test
  void aTestOfAnUnreachableEndpointSaysSo() {
    ApiClient admin = new ApiClient(port, "admin", ADMIN_PASSWORD);
    admin.post(
        "/api/v1/destinations",
        """
        {"key": "nowhere", "name": "Nowhere", "type": "webhook",
         "config": {"url": "http://127.0.0.1:1/hook", "signingSecret": "whsec-0123456789abcdef"}}""");
    JsonNode test = admin.post("/api/v1/destinations/nowhere/test", "").json();
    assertThat(test.get("ok").asBoolean()).isFalse();
    assertThat(test.get("message").asText()).startsWith("cannot reach http://127.0.0.1:1/hook");
    admin.delete("/api/v1/destinations/nowhere");
  }

  @Test
  void aPostgresTableDestinationKeepsItsPasswordSealedAndTests() {
    ApiClient admin = new ApiClient(port, "admin", ADMIN_PASSWORD);
    String url = io.customerstudio.query.testing.TestPostgres.newDatabaseUrl("destpg");
    ApiClient.Response created =
        admin.post(
            "/api/v1/destinations",
            """
            {"key": "pg-copy", "name": "Analytics copy", "type": "postgres",
             "config": {"url": "%s", "user": "postgres", "table": "public.vip", "password": "pg-secret-pw"}}"""
                .formatted(url));
    assertThat(created.status()).isEqualTo(201);
    assertThat(created.body()).doesNotContain("pg-secret-pw");
    assertThat(created.json().at("/secretsSet/0").asText()).isEqualTo("password");
    assertThat(admin.post("/api/v1/destinations/pg-copy/test", "").json().get("ok").asBoolean())
        .isTrue();
    ApiClient.Response bad =
        admin.post(
            "/api/v1/destinations",
            "{\"key\": \"pg-bad\", \"name\": \"x\", \"type\": \"postgres\", \"config\": {\"url\": \"x\", \"table\": \"vip\"}}");
    assertThat(bad.json().get("errors"))
        .extracting(e -> e.get("path").asText())
        .containsExactly("$.config.url", "$.config.user", "$.config.table");
    admin.delete("/api/v1/destinations/pg-copy");
  }

  @Test
  void aFileExportStaysInsideTheExportDirectory() {
    ApiClient admin = new ApiClient(port, "admin", ADMIN_PASSWORD);
    ApiClient.Response outside =
        admin.post(
            "/api/v1/destinations",
            "{\"key\": \"etc\", \"name\": \"x\", \"type\": \"file\", \"config\": {\"directory\": \"/etc\", \"format\": \"csv\"}}");
    assertThat(outside.status()).isEqualTo(400);
    assertThat(outside.json().at("/errors/0/path").asText()).isEqualTo("$.config.directory");
    assertThat(outside.json().at("/errors/0/message").asText()).contains("STUDIO_EXPORT_DIR");
    ApiClient.Response escape =
        admin.post(
            "/api/v1/destinations",
            "{\"key\": \"up\", \"name\": \"x\", \"type\": \"file\", \"config\": {\"directory\": \"../../x\", \"format\": \"csv\"}}");
    assertThat(escape.status()).isEqualTo(400);
    ApiClient.Response inside =
        admin.post(
            "/api/v1/destinations",
            "{\"key\": \"exports\", \"name\": \"Weekly CSV\", \"type\": \"file\", \"config\": {\"directory\": \"weekly\", \"format\": \"csv\"}}");
    assertThat(inside.status()).isEqualTo(201);
    assertThat(admin.post("/api/v1/destinations/exports/test", "").json().get("ok").asBoolean())
        .isTrue();
    admin.delete("/api/v1/destinations/exports");
  }
}
