package io.customerstudio.app.destinations;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;
import io.customerstudio.app.ApiClient;
import io.customerstudio.app.AppTestSupport;
import java.net.InetSocketAddress;
import java.util.Map;
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
  @Autowired io.customerstudio.infra.store.DestinationStore destinationStore;
  @Autowired io.customerstudio.infra.secrets.SecretBox secretBox;
  @Autowired io.customerstudio.infra.config.StudioProperties properties;
  @Autowired DestinationService destinations;

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
  void headerValuesAreSecrets_namesOnly_keptOnUpdate_andDeliveredWithTheBatch() throws Exception {
    java.util.List<String> received = new java.util.concurrent.CopyOnWriteArrayList<>();
    HttpServer sink = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    sink.createContext(
        "/hook",
        x -> {
          received.add(
              x.getRequestHeaders().getFirst("Authorization")
                  + " | "
                  + x.getRequestHeaders().getFirst("X-Api-Key"));
          x.getRequestBody().readAllBytes();
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
              {"key": "keyed-hook", "name": "Keyed", "type": "webhook",
               "config": {"url": "%s", "signingSecret": "whsec-0123456789abcdef",
                          "headers": {"Authorization": "Bearer crm-token-1", "X-Api-Key": "key-1"}}}"""
                  .formatted(url));
      assertThat(created.status()).isEqualTo(201);
      assertThat(created.body()).doesNotContain("crm-token-1").doesNotContain("key-1");
      assertThat(created.json().has("headers")).isFalse();
      assertThat(created.json().get("secretsSet"))
          .extracting(JsonNode::asText)
          .containsExactlyInAnyOrder("signingSecret", "headers.Authorization", "headers.X-Api-Key");
      String stored =
          String.valueOf(
              appStore.fetchValue(
                  "select config || secrets from destination where destination_key = 'keyed-hook'"));
      assertThat(stored).doesNotContain("crm-token-1").doesNotContain("key-1");

      // marketers see names only too
      admin.post(
          "/api/v1/users",
          "{\"username\":\"hdr-marketer\",\"role\":\"MARKETER\",\"password\":\"hdr-marketer-pw\"}");
      ApiClient.Response seen =
          new ApiClient(port, "hdr-marketer", "hdr-marketer-pw").get("/api/v1/destinations");
      assertThat(seen.status()).isEqualTo(200);
      assertThat(seen.body()).contains("headers.Authorization").doesNotContain("crm-token-1");

      // an update without headers keeps both; one naming a header replaces only that one
      assertThat(
              admin
                  .put(
                      "/api/v1/destinations/keyed-hook",
                      "{\"name\": \"Keyed\", \"type\": \"webhook\", \"config\": {\"url\": \""
                          + url
                          + "\"}}")
                  .status())
          .isEqualTo(200);
      deliverOneRow("keyed-hook");
      assertThat(received).containsExactly("Bearer crm-token-1 | key-1");
      ApiClient.Response replaced =
          admin.put(
              "/api/v1/destinations/keyed-hook",
              "{\"name\": \"Keyed\", \"type\": \"webhook\", \"config\": {\"url\": \""
                  + url
                  + "\", \"headers\": {\"X-Api-Key\": \"key-2\"}}}");
      assertThat(replaced.status()).isEqualTo(200);
      deliverOneRow("keyed-hook");
      assertThat(received).last().isEqualTo("Bearer crm-token-1 | key-2");
      // null removes a header
      ApiClient.Response removed =
          admin.put(
              "/api/v1/destinations/keyed-hook",
              "{\"name\": \"Keyed\", \"type\": \"webhook\", \"config\": {\"url\": \""
                  + url
                  + "\", \"headers\": {\"Authorization\": null}}}");
      assertThat(removed.json().get("secretsSet"))
          .extracting(JsonNode::asText)
          .containsExactlyInAnyOrder("signingSecret", "headers.X-Api-Key");
      deliverOneRow("keyed-hook");
      assertThat(received).last().isEqualTo("null | key-2");

      ApiClient.Response badHeader =
          admin.put(
              "/api/v1/destinations/keyed-hook",
              "{\"name\": \"Keyed\", \"type\": \"webhook\", \"config\": {\"url\": \""
                  + url
                  + "\", \"headers\": {\"X-Bad\": \"a\\nb\", \"Idempotency-Key\": \"x\", \"X-N\": 1}}}");
      assertThat(badHeader.status()).isEqualTo(400);
      assertThat(badHeader.json().get("errors"))
          .extracting(e -> e.get("path").asText())
          .containsExactly("$.config.headers.X-N");
    } finally {
      sink.stop(0);
      new ApiClient(port, "admin", ADMIN_PASSWORD).delete("/api/v1/destinations/keyed-hook");
    }
  }

  /** Delivers one row the way a sync run does: connector opened from the stored destination. */
  void deliverOneRow(String key) {
    var destination = destinationStore.find(key).orElseThrow();
    var connector =
        io.customerstudio.activities.destinations.Connectors.open(
            destination, secretBox, exportDir(), java.time.Clock.systemUTC());
    var outcome =
        connector.deliver(
            new io.customerstudio.activities.destinations.Batch(
                "s",
                "r1",
                1,
                "r1-" + System.nanoTime(),
                java.util.List.of(
                    io.customerstudio.activities.destinations.DeliveryRow.ofJson(
                        io.customerstudio.activities.destinations.DeliveryRow.Op.UPSERT,
                        "k1",
                        "{\"a\":1}"))));
    assertThat(outcome).hasSize(1);
  }

  java.nio.file.Path exportDir() {
    return properties.exports();
  }

  @Test
  void credentialsInAJdbcUrlAreTakenOutSealedAndStillUsed() {
    ApiClient admin = new ApiClient(port, "admin", ADMIN_PASSWORD);
    String base = io.customerstudio.query.testing.TestPostgres.newDatabaseUrl("desturl");
    // the embedded server takes any password; what matters is where it is stored and shown
    ApiClient.Response query =
        admin.post(
            "/api/v1/destinations",
            """
            {"key": "pg-url-query", "name": "x", "type": "postgres",
             "config": {"url": "%s&password=url-secret-1&sslpassword=ssl-secret-1", "user": "postgres", "table": "public.t1"}}"""
                .formatted(base));
    assertThat(query.status()).isEqualTo(201);
    assertThat(query.body()).doesNotContain("url-secret-1").doesNotContain("ssl-secret-1");
    assertThat(query.json().at("/config/url").asText()).isEqualTo(base);
    assertThat(query.json().get("secretsSet"))
        .extracting(JsonNode::asText)
        .containsExactlyInAnyOrder("password", "url.sslpassword");
    assertThat(
            String.valueOf(
                appStore.fetchValue(
                    "select config::text || secrets::text from destination where destination_key = 'pg-url-query'")))
        .doesNotContain("url-secret-1")
        .doesNotContain("ssl-secret-1");
    Map<String, String> unsealed =
        io.customerstudio.activities.destinations.Connectors.unsealed(
            destinationStore.find("pg-url-query").orElseThrow(), secretBox);
    assertThat(unsealed)
        .containsEntry("password", "url-secret-1")
        .containsEntry("url.sslpassword", "ssl-secret-1");

    // user:password@host: the driver cannot read it; user and password are taken out
    String hostAndDb = base.substring("jdbc:postgresql://".length(), base.indexOf('?'));
    ApiClient.Response userInfo =
        admin.post(
            "/api/v1/destinations",
            """
            {"key": "pg-url-userinfo", "name": "x", "type": "postgres",
             "config": {"url": "jdbc:postgresql://postgres:info%%40secret@%s", "table": "public.t2"}}"""
                .formatted(hostAndDb));
    assertThat(userInfo.status()).isEqualTo(201);
    assertThat(userInfo.body()).doesNotContain("info@secret").doesNotContain("info%40secret");
    assertThat(userInfo.json().at("/config/url").asText())
        .isEqualTo("jdbc:postgresql://" + hostAndDb);
    assertThat(userInfo.json().at("/config/user").asText()).isEqualTo("postgres");
    assertThat(
            io.customerstudio.activities.destinations.Connectors.unsealed(
                destinationStore.find("pg-url-userinfo").orElseThrow(), secretBox))
        .containsEntry("password", "info@secret");
    assertThat(
            admin
                .post("/api/v1/destinations/pg-url-userinfo/test", "")
                .json()
                .get("ok")
                .asBoolean())
        .isTrue();

    // an update without the password keeps it
    ApiClient.Response updated =
        admin.put(
            "/api/v1/destinations/pg-url-query",
            """
            {"name": "y", "type": "postgres",
             "config": {"url": "%s", "user": "postgres", "table": "public.t1"}}"""
                .formatted(base));
    assertThat(updated.json().get("secretsSet"))
        .extracting(JsonNode::asText)
        .containsExactlyInAnyOrder("password", "url.sslpassword");
    ApiClient.Response twoPasswords =
        admin.put(
            "/api/v1/destinations/pg-url-query",
            """
            {"name": "y", "type": "postgres",
             "config": {"url": "%s&password=a", "password": "b", "user": "postgres", "table": "public.t1"}}"""
                .formatted(base));
    assertThat(twoPasswords.status()).isEqualTo(400);
    assertThat(twoPasswords.json().at("/errors/0/path").asText()).isEqualTo("$.config.url");
    admin.delete("/api/v1/destinations/pg-url-query");
    admin.delete("/api/v1/destinations/pg-url-userinfo");
  }

  @Test
  void settingsStoredInTheClearBeforeAreSealedAtStart() {
    appStore.execute(
        "insert into destination (destination_key, name, type, config, secrets, created_by,"
            + " created_at, updated_by, updated_at) values ('legacy-hook', 'Legacy', 'webhook',"
            + " '{\"url\": \"http://127.0.0.1:1/x\", \"headers\": {\"X-Api-Key\": \"legacy-key\"}}',"
            + " '{}', 'admin', now(), 'admin', now())");
    try {
      ApiClient admin = new ApiClient(port, "admin", ADMIN_PASSWORD);
      // never shown, even before it is sealed
      assertThat(admin.get("/api/v1/destinations/legacy-hook").body()).doesNotContain("legacy-key");
      destinations.afterPropertiesSet();
      assertThat(
              String.valueOf(
                  appStore.fetchValue(
                      "select config::text || secrets::text from destination where destination_key = 'legacy-hook'")))
          .doesNotContain("legacy-key");
      assertThat(
              io.customerstudio.activities.destinations.Connectors.unsealed(
                  destinationStore.find("legacy-hook").orElseThrow(), secretBox))
          .containsEntry("headers.X-Api-Key", "legacy-key");
    } finally {
      appStore.execute("delete from destination where destination_key = 'legacy-hook'");
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
