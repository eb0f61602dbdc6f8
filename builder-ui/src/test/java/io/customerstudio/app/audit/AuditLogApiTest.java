package io.customerstudio.app.audit;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.customerstudio.app.ApiClient;
import io.customerstudio.app.AppTestSupport;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.StreamSupport;
import org.jooq.DSLContext;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;

/**
 * The audit log through the API, on the real app: each governed thing's changes are recorded with
 * who made them and the thing before and after; no secret reaches the table; the filters and both
 * cursor forms; bad parameters and non-admins are refused.
 */
class AuditLogApiTest extends AppTestSupport {

  @LocalServerPort int port;
  @Autowired DSLContext appStore;

  static final String BOSS_PASSWORD = "audit-boss-password-1";
  static final String USER_PASSWORD = "audit-user-password-1";
  static final String USER_PASSWORD_2 = "audit-user-password-2";
  static final String SIGNING_SECRET = "whsec-audit-signing-0123456789";
  static final String HEADER_VALUE = "Bearer audit-header-value-42";
  static final String PG_PASSWORD = "audit-pg-url-secret";

  ApiClient admin() {
    return new ApiClient(port, "admin", ADMIN_PASSWORD);
  }

  /** A second admin, so the actor is not simply the bootstrap admin. */
  ApiClient boss() {
    ApiClient admin = admin();
    if (admin.get("/api/v1/users/audit-boss").status() == 404) {
      assertThat(
              admin
                  .post(
                      "/api/v1/users",
                      "{\"username\":\"audit-boss\",\"role\":\"ADMIN\",\"password\":\""
                          + BOSS_PASSWORD
                          + "\"}")
                  .status())
          .isEqualTo(201);
    }
    return new ApiClient(port, "audit-boss", BOSS_PASSWORD);
  }

  List<JsonNode> entries(ApiClient client, String query) {
    ApiClient.Response r = client.get("/api/v1/audit?" + query);
    assertThat(r.status()).as(r.body()).isEqualTo(200);
    return StreamSupport.stream(r.json().spliterator(), false).toList();
  }

  /** The entries for one thing, oldest first. */
  List<JsonNode> of(String entity, String key) {
    return entries(
        admin(),
        "entity="
            + entity
            + "&key="
            + URLEncoder.encode(key, StandardCharsets.UTF_8)
            + "&limit=1000");
  }

  static List<String> actions(List<JsonNode> entries) {
    return entries.stream().map(e -> e.get("action").asText()).toList();
  }

  @Test
  void everyGovernedChangeIsRecordedWithItsActorActionBeforeAndAfter_andNoSecretEver() {
    ApiClient boss = boss();
    List<String> secrets =
        new ArrayList<>(
            List.of(
                BOSS_PASSWORD,
                USER_PASSWORD,
                USER_PASSWORD_2,
                SIGNING_SECRET,
                HEADER_VALUE,
                "audit-header-value-42",
                PG_PASSWORD));

    // the schema and its traits: one trait added, changed, then removed again
    JsonNode original = boss.get("/api/v1/schema").json();
    ObjectNode withTrait = original.deepCopy();
    ObjectNode trait =
        ((ArrayNode) withTrait.get("traits"))
            .addObject()
            .put("name", "audit_paid_total")
            .put("model", "users")
            .put("kind", "aggregation")
            .put("relationship", "purchases")
            .put("function", "sum")
            .put("column", "amount");
    assertThat(boss.put("/api/v1/schema", withTrait.toString()).status()).isEqualTo(200);
    trait.put("function", "max");
    assertThat(boss.put("/api/v1/schema", withTrait.toString()).status()).isEqualTo(200);
    assertThat(boss.put("/api/v1/schema", original.toString()).status()).isEqualTo(200);
    List<JsonNode> traitLog = of("trait", "users.audit_paid_total");
    assertThat(actions(traitLog)).containsExactly("create", "update", "delete");
    assertThat(traitLog)
        .allSatisfy(e -> assertThat(e.get("actor").asText()).isEqualTo("audit-boss"));
    assertThat(traitLog.get(0).get("before").isNull()).isTrue();
    assertThat(traitLog.get(0).at("/after/function").asText()).isEqualTo("sum");
    assertThat(traitLog.get(1).at("/before/function").asText()).isEqualTo("sum");
    assertThat(traitLog.get(1).at("/after/function").asText()).isEqualTo("max");
    assertThat(traitLog.get(2).at("/before/function").asText()).isEqualTo("max");
    assertThat(traitLog.get(2).get("after").isNull()).isTrue();
    List<JsonNode> schemaLog =
        entries(admin(), "entity=schema&key=schema&actor=audit-boss&limit=1000");
    JsonNode lastSchema = schemaLog.get(schemaLog.size() - 1);
    assertThat(lastSchema.get("action").asText()).isEqualTo("update");
    assertThat(lastSchema.at("/before/document/traits").toString()).contains("audit_paid_total");
    assertThat(lastSchema.at("/after/document/traits").toString())
        .doesNotContain("audit_paid_total");
    assertThat(lastSchema.at("/after/version").asInt())
        .isEqualTo(lastSchema.at("/before/version").asInt() + 1);

    // audiences: create, update, restore, delete
    String definition =
        "{\"parent\": \"users\", \"filter\": {\"type\": \"property\", \"column\": \"country\","
            + " \"op\": \"eq\", \"value\": \"%s\"}}";
    assertThat(
            boss.post(
                    "/api/v1/audiences",
                    "{\"key\": \"audit-aud\", \"name\": \"Audit FR\", \"definition\": "
                        + definition.formatted("FR")
                        + "}")
                .status())
        .isEqualTo(201);
    assertThat(
            boss.put(
                    "/api/v1/audiences/audit-aud",
                    "{\"name\": \"Audit DE\", \"definition\": " + definition.formatted("DE") + "}")
                .status())
        .isEqualTo(200);
    assertThat(boss.post("/api/v1/audiences/audit-aud/versions/1/restore", "").status())
        .isEqualTo(200);
    // a second audience (kept: the sync below delivers it)
    assertThat(
            boss.post(
                    "/api/v1/audiences",
                    "{\"key\": \"audit-sync-aud\", \"name\": \"Audit sync\", \"definition\": "
                        + definition.formatted("FR")
                        + "}")
                .status())
        .isEqualTo(201);
    assertThat(boss.delete("/api/v1/audiences/audit-aud").status()).isEqualTo(204);
    List<JsonNode> audienceLog = of("audience", "audit-aud");
    assertThat(actions(audienceLog)).containsExactly("create", "update", "restore", "delete");
    assertThat(audienceLog.get(0).at("/after/name").asText()).isEqualTo("Audit FR");
    assertThat(audienceLog.get(1).at("/before/definition/filter/value").asText()).isEqualTo("FR");
    assertThat(audienceLog.get(1).at("/after/definition/filter/value").asText()).isEqualTo("DE");
    assertThat(audienceLog.get(2).at("/before/name").asText()).isEqualTo("Audit DE");
    assertThat(audienceLog.get(2).at("/after/name").asText()).isEqualTo("Audit FR");
    assertThat(audienceLog.get(2).at("/after/version").asInt()).isEqualTo(3);
    assertThat(audienceLog.get(3).at("/before/version").asInt()).isEqualTo(3);
    assertThat(audienceLog.get(3).get("after").isNull()).isTrue();
    assertThat(audienceLog)
        .allSatisfy(e -> assertThat(e.get("actor").asText()).isEqualTo("audit-boss"));

    // templates: create, update, delete
    String template =
        "{\"name\": \"%s\", \"params\": [\"c\"], \"condition\": {\"type\": \"property\","
            + " \"column\": \"country\", \"op\": \"eq\", \"value\": {\"param\": \"c\"}}}";
    assertThat(boss.put("/api/v1/templates/audit-tpl", template.formatted("One")).status())
        .isEqualTo(200);
    assertThat(boss.put("/api/v1/templates/audit-tpl", template.formatted("Two")).status())
        .isEqualTo(200);
    assertThat(boss.delete("/api/v1/templates/audit-tpl").status()).isEqualTo(204);
    List<JsonNode> templateLog = of("template", "audit-tpl");
    assertThat(actions(templateLog)).containsExactly("create", "update", "delete");
    assertThat(templateLog.get(1).at("/before/name").asText()).isEqualTo("One");
    assertThat(templateLog.get(1).at("/after/name").asText()).isEqualTo("Two");
    assertThat(templateLog.get(2).at("/before/params/0").asText()).isEqualTo("c");

    // destinations: a webhook with a signing secret and a header value, a postgres URL with a
    // password in it
    assertThat(
            boss.post(
                    "/api/v1/destinations",
                    """
                    {"key": "audit-hook", "name": "Audit hook", "type": "webhook",
                     "config": {"url": "http://127.0.0.1:9/hook", "signingSecret": "%s",
                                "headers": {"Authorization": "%s", "X-Team": "growth"}}}"""
                        .formatted(SIGNING_SECRET, HEADER_VALUE))
                .status())
        .isEqualTo(201);
    assertThat(
            boss.put(
                    "/api/v1/destinations/audit-hook",
                    "{\"name\": \"Audit hook 2\", \"type\": \"webhook\", \"config\": {\"url\":"
                        + " \"http://127.0.0.1:9/hook\"}}")
                .status())
        .isEqualTo(200);
    String base = io.customerstudio.query.testing.TestPostgres.newDatabaseUrl("auditdest");
    assertThat(
            boss.post(
                    "/api/v1/destinations",
                    """
                    {"key": "audit-pg", "name": "Audit pg", "type": "postgres",
                     "config": {"url": "%s&password=%s", "user": "postgres", "table": "public.t1"}}"""
                        .formatted(base, PG_PASSWORD))
                .status())
        .isEqualTo(201);
    assertThat(boss.delete("/api/v1/destinations/audit-pg").status()).isEqualTo(204);
    List<JsonNode> hookLog = of("destination", "audit-hook");
    assertThat(actions(hookLog)).containsExactly("create", "update");
    assertThat(hookLog.get(0).at("/after/secretsSet").toString())
        .contains("signingSecret")
        .contains("Authorization");
    assertThat(hookLog.get(1).at("/before/name").asText()).isEqualTo("Audit hook");
    assertThat(hookLog.get(1).at("/after/name").asText()).isEqualTo("Audit hook 2");
    List<JsonNode> pgLog = of("destination", "audit-pg");
    assertThat(actions(pgLog)).containsExactly("create", "delete");
    assertThat(pgLog.get(0).at("/after/config/url").asText()).isEqualTo(base);

    // syncs: create, update, disable, a new trigger secret, delete
    ApiClient.Response created =
        boss.post(
            "/api/v1/syncs",
            """
            {"key": "audit-sync", "audience": "audit-sync-aud", "destination": "audit-hook",
             "mapping": [{"from": "city", "to": "city"}], "identifier": {"from": "user_id", "to": "id"},
             "schedule": {"type": "realtime"}}""");
    assertThat(created.status()).as(created.body()).isEqualTo(201);
    secrets.add(created.json().get("triggerSecret").asText());
    ObjectNode sync = (ObjectNode) created.json().get("sync");
    sync.put("name", "Audit sync renamed");
    assertThat(boss.put("/api/v1/syncs/audit-sync", sync.toString()).status()).isEqualTo(200);
    assertThat(boss.put("/api/v1/syncs/audit-sync/enabled", "{\"enabled\": false}").status())
        .isEqualTo(200);
    ApiClient.Response rotated = boss.post("/api/v1/syncs/audit-sync/trigger-secret", "");
    assertThat(rotated.status()).isEqualTo(200);
    secrets.add(rotated.json().get("triggerSecret").asText());
    assertThat(boss.delete("/api/v1/syncs/audit-sync").status()).isEqualTo(204);
    List<JsonNode> syncLog = of("sync", "audit-sync");
    assertThat(actions(syncLog)).containsExactly("create", "update", "update", "rotate", "delete");
    assertThat(syncLog.get(1).at("/after/name").asText()).isEqualTo("Audit sync renamed");
    assertThat(syncLog.get(2).at("/before/enabled").asBoolean()).isTrue();
    assertThat(syncLog.get(2).at("/after/enabled").asBoolean()).isFalse();
    assertThat(syncLog.get(4).at("/before/destination").asText()).isEqualTo("audit-hook");
    assertThat(boss.delete("/api/v1/destinations/audit-hook").status()).isEqualTo(204);
    assertThat(actions(of("destination", "audit-hook"))).endsWith("delete");

    // users: create, change the password, delete
    assertThat(
            boss.post(
                    "/api/v1/users",
                    "{\"username\":\"audit-someone\",\"role\":\"MARKETER\",\"password\":\""
                        + USER_PASSWORD
                        + "\"}")
                .status())
        .isEqualTo(201);
    assertThat(
            boss.put(
                    "/api/v1/users/audit-someone",
                    "{\"displayName\": \"Some One\", \"password\": \"" + USER_PASSWORD_2 + "\"}")
                .status())
        .isEqualTo(200);
    secrets.add(
        appStore
            .fetchValue("select password_hash from app_user where username = 'audit-someone'")
            .toString());
    secrets.addAll(appStore.fetch("select password_hash from app_user").getValues(0, String.class));

    // tokens: create, revoke
    ApiClient.Response token =
        boss.post("/api/v1/tokens", "{\"name\": \"audit token\", \"username\": \"audit-someone\"}");
    assertThat(token.status()).isEqualTo(201);
    String tokenValue = token.json().get("token").asText();
    long tokenId = token.json().at("/info/id").asLong();
    secrets.add(tokenValue);
    secrets.add(
        appStore.fetchValue("select token_hash from api_token where id = " + tokenId).toString());
    assertThat(boss.delete("/api/v1/tokens/" + tokenId).status()).isEqualTo(204);
    List<JsonNode> tokenLog = of("token", String.valueOf(tokenId));
    assertThat(actions(tokenLog)).containsExactly("create", "revoke");
    assertThat(tokenLog.get(0).at("/after/name").asText()).isEqualTo("audit token");
    assertThat(tokenLog.get(0).at("/after/username").asText()).isEqualTo("audit-someone");
    assertThat(tokenLog.get(0).at("/after/createdBy").asText()).isEqualTo("audit-boss");
    assertThat(tokenLog.get(1).at("/before/revokedAt").isNull()).isTrue();
    assertThat(tokenLog.get(1).at("/after/revokedAt").isNull()).isFalse();

    assertThat(boss.delete("/api/v1/users/audit-someone").status()).isEqualTo(204);
    List<JsonNode> userLog = of("user", "audit-someone");
    assertThat(actions(userLog)).containsExactly("create", "update", "delete");
    assertThat(userLog.get(0).at("/after/role").asText()).isEqualTo("MARKETER");
    assertThat(userLog.get(1).at("/after/displayName").asText()).isEqualTo("Some One");
    assertThat(userLog.get(1).at("/after/passwordChanged").asBoolean()).isTrue();
    assertThat(userLog.get(2).at("/before/username").asText()).isEqualTo("audit-someone");
    assertThat(userLog)
        .allSatisfy(e -> assertThat(e.get("actor").asText()).isEqualTo("audit-boss"));
    // the first admin was made by the app itself
    assertThat(of("user", "admin").get(0).get("actor").asText()).isEqualTo("system");

    // nothing secret anywhere in the table, in any column
    String everything =
        appStore.fetchValue("select string_agg(audit_log::text, E'\\n') from audit_log").toString();
    assertThat(everything).contains("audit-sync").contains("audit_paid_total");
    for (String secret : secrets) {
      assertThat(everything).as("the audit log holds a secret").doesNotContain(secret);
    }
  }

  @Test
  void filtersAndBothCursorFormsPageThroughTheLog() throws Exception {
    ApiClient admin = admin();
    String template =
        "{\"name\": \"%s\", \"params\": [], \"condition\": {\"type\": \"property\","
            + " \"column\": \"country\", \"op\": \"eq\", \"value\": \"FR\"}}";
    for (int i = 1; i <= 3; i++) {
      admin.put("/api/v1/templates/audit-page", template.formatted("Page " + i));
    }
    List<JsonNode> all = of("template", "audit-page");
    assertThat(all).hasSizeGreaterThanOrEqualTo(3);
    List<Long> ids = all.stream().map(e -> e.get("id").asLong()).toList();
    assertThat(ids).isSorted();

    // by id: the last id of one page is the cursor of the next
    List<JsonNode> first = entries(admin, "entity=template&key=audit-page&limit=2");
    assertThat(first).hasSize(2);
    List<JsonNode> next =
        entries(
            admin,
            "entity=template&key=audit-page&limit=2&after=" + first.get(1).get("id").asLong());
    assertThat(next.get(0).get("id").asLong()).isEqualTo(ids.get(2));

    // by time: entries made after an instant (an offset other than Z, encoded)
    String at = all.get(all.size() - 2).get("at").asText();
    java.time.OffsetDateTime moment =
        java.time.OffsetDateTime.parse(at)
            .atZoneSameInstant(java.time.ZoneOffset.ofHours(2))
            .toOffsetDateTime();
    List<JsonNode> afterTime =
        entries(
            admin,
            "entity=template&key=audit-page&after="
                + URLEncoder.encode(moment.toString(), StandardCharsets.UTF_8));
    assertThat(afterTime)
        .extracting(e -> e.get("id").asLong())
        .containsExactly(ids.get(ids.size() - 1));
    assertThat(
            entries(
                admin,
                "entity=template&key=audit-page&after="
                    + URLEncoder.encode(at, StandardCharsets.UTF_8)))
        .extracting(e -> e.get("id").asLong())
        .containsExactly(ids.get(ids.size() - 1));

    // by actor: only theirs
    assertThat(entries(admin, "actor=admin&limit=1000"))
        .allSatisfy(e -> assertThat(e.get("actor").asText()).isEqualTo("admin"))
        .isNotEmpty();
    assertThat(entries(admin, "actor=nobody-at-all")).isEmpty();
    // empty parameters are absent ones; the entity name is read in any case
    assertThat(entries(admin, "entity=TEMPLATE&key=audit-page&actor=&after=")).hasSize(all.size());

    // refusals name the parameter
    ApiClient.Response unknown = admin.get("/api/v1/audit?entity=widget");
    assertThat(unknown.status()).isEqualTo(400);
    assertThat(unknown.raw().headers().firstValue("Content-Type"))
        .hasValue("application/problem+json");
    assertThat(unknown.json().at("/errors/0/path").asText()).isEqualTo("entity");
    assertThat(unknown.json().at("/errors/0/message").asText())
        .contains("schema", "trait", "audience", "priority_list", "token")
        .contains("widget");
    ApiClient.Response badAfter = admin.get("/api/v1/audit?after=yesterday");
    assertThat(badAfter.status()).isEqualTo(400);
    assertThat(badAfter.json().at("/errors/0/path").asText()).isEqualTo("after");
    assertThat(admin.get("/api/v1/audit?after=-3").json().at("/errors/0/path").asText())
        .isEqualTo("after");
    assertThat(
            admin
                .get("/api/v1/audit?after=99999999999999999999")
                .json()
                .at("/errors/0/path")
                .asText())
        .isEqualTo("after");
    for (String limit : List.of("0", "1001", "many")) {
      ApiClient.Response r = admin.get("/api/v1/audit?limit=" + limit);
      assertThat(r.status()).as(limit).isEqualTo(400);
      assertThat(r.json().at("/errors/0/path").asText()).isEqualTo("limit");
    }
    assertThat(entries(admin, "limit=1000")).hasSizeLessThanOrEqualTo(1000);
    ApiClient.Response both = admin.get("/api/v1/audit?entity=x&after=y&limit=0");
    assertThat(both.json().get("errors")).hasSize(3);

    // admins only
    admin.post(
        "/api/v1/users",
        "{\"username\":\"audit-marketer\",\"role\":\"MARKETER\",\"password\":\"audit-marketer-pw\"}");
    ApiClient.Response refused =
        new ApiClient(port, "audit-marketer", "audit-marketer-pw").get("/api/v1/audit");
    assertThat(refused.status()).isEqualTo(403);
    assertThat(refused.raw().headers().firstValue("Content-Type"))
        .hasValue("application/problem+json");
    admin.delete("/api/v1/templates/audit-page");
  }

  @Test
  void anImportRecordsWhatItCreatedAndChanged_andADryRunNothing() {
    ApiClient boss = boss();
    ObjectNode doc = (ObjectNode) boss.get("/api/v1/export").json();
    doc.remove("schema");
    ((ArrayNode) doc.get("templates")).removeAll();
    ArrayNode audiences = (ArrayNode) doc.get("audiences");
    audiences.removeAll();
    ObjectNode audience =
        audiences.addObject().put("key", "audit-imported").put("name", "Imported");
    audience.set(
        "definition",
        io.customerstudio.app.api.Json.parse(
            "{\"parent\": \"users\", \"filter\": {\"type\": \"property\", \"column\":"
                + " \"country\", \"op\": \"eq\", \"value\": \"FR\"}}"));
    assertThat(boss.post("/api/v1/import?dryRun=true", doc.toString()).status()).isEqualTo(200);
    assertThat(of("audience", "audit-imported")).isEmpty();

    assertThat(boss.post("/api/v1/import?dryRun=false", doc.toString()).status()).isEqualTo(200);
    audience.put("name", "Imported again");
    assertThat(boss.post("/api/v1/import?dryRun=false", doc.toString()).status()).isEqualTo(200);
    List<JsonNode> log = of("audience", "audit-imported");
    assertThat(actions(log)).containsExactly("create", "update");
    assertThat(log).allSatisfy(e -> assertThat(e.get("actor").asText()).isEqualTo("audit-boss"));
    assertThat(log.get(0).get("before").isNull()).isTrue();
    assertThat(log.get(0).at("/after/name").asText()).isEqualTo("Imported");
    assertThat(log.get(1).at("/before/name").asText()).isEqualTo("Imported");
    assertThat(log.get(1).at("/after/name").asText()).isEqualTo("Imported again");
    assertThat(log.get(1).at("/after/version").asInt()).isEqualTo(2);
    boss.delete("/api/v1/audiences/audit-imported");
  }
}
