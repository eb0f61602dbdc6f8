package io.customerstudio.app.syncs;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.customerstudio.app.ApiClient;
import io.customerstudio.app.AppTestSupport;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jooq.DSLContext;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;

/**
 * Sync definitions through the API, as the API answered before the service took typed commands: the
 * JSON reader's and the definitions' problems in one 400 ("Invalid request"), each path once and in
 * the reader's words where it saw the value; 404, 409 and 401 with the same titles and details;
 * modes and schedule types stored and answered as the same lower-case words.
 */
class SyncApiTest extends AppTestSupport {

  @LocalServerPort int port;
  @Autowired DSLContext appStore;

  ApiClient admin;

  @BeforeEach
  void audienceAndDestination() {
    admin = new ApiClient(port, "admin", ADMIN_PASSWORD);
    if (admin.get("/api/v1/audiences/api-sync-aud").status() == 404) {
      assertThat(
              admin
                  .post(
                      "/api/v1/audiences",
                      """
                      {"key": "api-sync-aud", "name": "API sync", "definition": {"parent": "users",
                       "filter": {"type": "property", "column": "country", "op": "eq", "value": "FR"}}}""")
                  .status())
          .isEqualTo(201);
      assertThat(
              admin
                  .post(
                      "/api/v1/destinations",
                      """
                      {"key": "api-sync-hook", "name": "Hook", "type": "webhook",
                       "config": {"url": "http://127.0.0.1:9/hook",
                                  "signingSecret": "whsec-0123456789abcdef"}}""")
                  .status())
          .isEqualTo(201);
    }
  }

  /** Path to message, in the order the answer gives them. */
  static Map<String, String> errors(ApiClient.Response r) {
    Map<String, String> out = new LinkedHashMap<>();
    List<String> paths = new ArrayList<>();
    for (JsonNode e : r.json().get("errors")) {
      paths.add(e.get("path").asText());
      out.put(e.get("path").asText(), e.get("message").asText());
    }
    assertThat(paths).as("each path once").doesNotHaveDuplicates();
    return out;
  }

  @Test
  void everyProblemOfABodyIsOne400NamingItsPathOnce() {
    ApiClient.Response r =
        admin.post(
            "/api/v1/syncs",
            """
            {"key": "api-bad", "audience": "api-sync-aud", "destination": "api-sync-hook",
             "mode": "sideways", "mapping": [5, {"from": "shoe_size", "to": "size"},
                                             {"from": "city", "to": "size"}],
             "identifier": {"from": "user_id", "to": ""},
             "schedule": {"type": "weekly"}, "enabled": "yes", "snapshots": 1}""");
    assertThat(r.status()).isEqualTo(400);
    assertThat(r.raw().headers().firstValue("Content-Type")).hasValue("application/problem+json");
    assertThat(r.json().get("title").asText()).isEqualTo("Invalid request");
    Map<String, String> errors = errors(r);
    assertThat(r.json().get("detail").asText())
        .isEqualTo(errors.size() + " problems in the request; see errors");
    assertThat(errors)
        .containsEntry("$.mode", "one of [upsert, mirror, insert] (was \"sideways\")")
        .containsEntry(
            "$.schedule.type", "one of manual, interval, cron, realtime (was \"weekly\")")
        .containsEntry("$.enabled", "true or false")
        .containsEntry("$.snapshots", "true or false")
        .containsEntry(
            "$.mapping[0]", "give {\"from\": column or trait, \"to\": destination field}")
        .containsEntry("$.mapping[2].to", "\"size\" is mapped twice")
        .containsEntry("$.identifier.to", "give the destination's field name");
    // positions are the request's: the entry at 1 is the one that names no column
    assertThat(errors.get("$.mapping[1].from"))
        .startsWith("\"shoe_size\" is not a column or trait of users; one of [");
    assertThat(admin.get("/api/v1/syncs/api-bad").status()).isEqualTo(404);

    ApiClient.Response notAnObject = admin.post("/api/v1/syncs", "[1]");
    assertThat(notAnObject.status()).isEqualTo(400);
    assertThat(errors(notAnObject).keySet()).containsExactly("$.key", "$");
    assertThat(errors(notAnObject)).containsEntry("$", "give the sync as a JSON object");

    ApiClient.Response one =
        admin.post(
            "/api/v1/syncs",
            """
            {"key": "api-one", "audience": "api-sync-aud", "destination": "nope",
             "identifier": {"from": "user_id", "to": "id"}}""");
    assertThat(one.status()).isEqualTo(400);
    assertThat(one.json().get("detail").asText())
        .isEqualTo("$.destination: no destination \"nope\"");
  }

  @Test
  void aSyncRoundTripsWithItsWordsAndRefusalsKeepTheirStatusAndWords() {
    ApiClient.Response created =
        admin.post(
            "/api/v1/syncs",
            """
            {"key": "api-sync", "name": "API sync", "audience": "api-sync-aud",
             "destination": "api-sync-hook", "mode": "mirror",
             "mapping": [{"from": "city", "to": "city"}], "identifier": {"from": "user_id", "to": "id"},
             "schedule": {"type": "cron", "expression": "0 6 * * *", "timezone": "Europe/Berlin"}}""");
    assertThat(created.status()).as(created.body()).isEqualTo(201);
    JsonNode sync = created.json().get("sync");
    assertThat(sync.get("mode").asText()).isEqualTo("mirror");
    assertThat(sync.at("/schedule/type").asText()).isEqualTo("cron");
    assertThat(sync.get("scheduleText").asText()).isEqualTo("cron 0 6 * * * (Europe/Berlin)");
    // stored as before: no migration
    assertThat(
            appStore
                .fetchOne("select mode, schedule from sync where sync_key = 'api-sync'")
                .intoList())
        .containsExactly(
            "mirror",
            "{\"type\":\"cron\",\"every\":null,\"expression\":\"0 6 * * *\","
                + "\"timezone\":\"Europe/Berlin\"}");

    // what GET answers can be sent back: fields the body does not take are ignored
    ObjectNode back = (ObjectNode) admin.get("/api/v1/syncs/api-sync").json();
    back.put("mode", "insert").put("enabled", false);
    ApiClient.Response updated = admin.put("/api/v1/syncs/api-sync", back.toString());
    assertThat(updated.status()).as(updated.body()).isEqualTo(200);
    assertThat(updated.json().get("mode").asText()).isEqualTo("insert");
    assertThat(updated.json().get("enabled").asBoolean()).isFalse();

    ApiClient.Response again = admin.post("/api/v1/syncs", created.json().get("sync").toString());
    assertThat(again.status()).isEqualTo(409);
    assertThat(again.json().get("title").asText()).isEqualTo("Conflict");
    assertThat(again.json().get("detail").asText()).isEqualTo("A sync 'api-sync' already exists");

    ApiClient.Response disabled = admin.post("/api/v1/syncs/api-sync/runs", "");
    assertThat(disabled.status()).isEqualTo(409);
    assertThat(disabled.json().get("detail").asText())
        .isEqualTo("sync api-sync is disabled; enable it to run it");

    ApiClient.Response missing = admin.put("/api/v1/syncs/api-none", "[1]");
    assertThat(missing.status()).isEqualTo(404);
    assertThat(missing.json().get("title").asText()).isEqualTo("Not found");
    assertThat(missing.json().get("detail").asText()).isEqualTo("Sync 'api-none' not found");
    assertThat(admin.get("/api/v1/runs/no-such-run").json().get("detail").asText())
        .isEqualTo("Run 'no-such-run' not found");
    assertThat(admin.get("/api/v1/snapshots/987654/members").status()).isEqualTo(404);

    ApiClient.Response unsigned = admin.post("/api/v1/webhooks/syncs/api-sync", "{}");
    assertThat(unsigned.status()).isEqualTo(401);
    assertThat(unsigned.json().get("detail").asText())
        .isEqualTo("missing, invalid or stale X-Studio-Signature for this sync");

    assertThat(admin.delete("/api/v1/syncs/api-sync").status()).isEqualTo(204);
  }
}
