package io.customerstudio.app.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.customerstudio.app.ApiClient;
import io.customerstudio.app.AppTestSupport;
import io.customerstudio.infra.warehouse.Warehouse;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;

/**
 * Row-level access, end to end (governance spec 4): a marketer restricted to region "de" (demo
 * users whose country is 'DE') walks every GET and POST operation of the app's own OpenAPI
 * document, POSTs with the example bodies of {@link ApiFuzzTest#validRequests()}, and nothing
 * outside her subset leaks: no response holds the email of a user outside it, every user_id,
 * streamed key, snapshot key and membership key is hers, counts equal an admin's count of the same
 * definition ANDed with her subset, and a profile outside is a 404. An operation this test does not
 * know fails it, so a new endpoint is checked from its first day.
 */
class SubsetIsolationTest extends AppTestSupport {

  static final ObjectMapper JSON = new ObjectMapper();
  static final String MARKETER = "iso-de";
  static final String PASSWORD = "iso-de-password";
  static final String DE =
      "{\"type\": \"property\", \"column\": \"country\", \"op\": \"eq\", \"value\": \"DE\"}";

  /** GET operations and the query each needs; path variables come from {@link #variables}. */
  static final Map<String, String> GETS =
      Map.ofEntries(
          Map.entry("/api/v1/schema", ""),
          Map.entry("/api/v1/schema/models/{model}/columns", ""),
          Map.entry("/api/v1/schema/models/{model}/values", "?column=email&limit=1000"),
          Map.entry("/api/v1/schema/tables", ""),
          Map.entry("/api/v1/schema/tables/{table}/columns", ""),
          Map.entry("/api/v1/users", ""),
          Map.entry("/api/v1/users/{username}", ""),
          Map.entry("/api/v1/templates", ""),
          Map.entry("/api/v1/templates/{key}", ""),
          Map.entry("/api/v1/audiences", ""),
          Map.entry("/api/v1/audiences/{key}", ""),
          Map.entry("/api/v1/audiences/{key}/versions", ""),
          Map.entry("/api/v1/audiences/{key}/snapshots", ""),
          Map.entry("/api/v1/audiences/{key}/membership", "?at=2100-01-01T00:00:00Z&limit=1000"),
          Map.entry("/api/v1/snapshots/{id}/members", ""),
          Map.entry("/api/v1/syncs", ""),
          Map.entry("/api/v1/syncs/{key}", ""),
          Map.entry("/api/v1/syncs/{key}/runs", ""),
          Map.entry("/api/v1/runs/{runId}", ""),
          Map.entry("/api/v1/runs/{runId}/errors", ""),
          Map.entry("/api/v1/destinations", ""),
          Map.entry("/api/v1/destinations/{key}", ""),
          Map.entry("/api/v1/tokens", ""),
          Map.entry("/api/v1/status", ""),
          Map.entry("/api/v1/export", ""),
          Map.entry("/api/v1/profiles/{model}/{key}", ""),
          Map.entry("/api/v1/subset-categories", ""),
          Map.entry("/api/v1/subset-categories/{key}", ""),
          Map.entry("/api/v1/runs/{runId}/exclusions", ""),
          Map.entry("/api/v1/runs/{runId}/holdouts", ""),
          Map.entry("/api/v1/runs/{runId}/holdouts.csv", ""),
          Map.entry("/api/v1/audiences/{key}/holdouts", ""),
          Map.entry("/api/v1/audiences/{key}/holdouts.csv", ""),
          Map.entry("/api/v1/audiences/{key}/split", ""),
          Map.entry("/api/v1/audiences/{key}/split/sizes", ""),
          Map.entry("/api/v1/priority-lists", ""),
          Map.entry("/api/v1/priority-lists/{key}", ""),
          Map.entry("/api/v1/priority-lists/{key}/preview", ""),
          Map.entry("/api/v1/consent", ""),
          Map.entry("/api/v1/consent/purposes", ""),
          Map.entry("/api/v1/destinations/{key}/rule-impact", "?audience=iso-aud"),
          Map.entry("/api/v1/syncs/{key}/why/{memberKey}", ""),
          Map.entry("/api/v1/event-sources", ""),
          Map.entry("/api/v1/event-sources/{key}", ""),
          Map.entry("/api/v1/journeys", ""),
          Map.entry("/api/v1/journeys/{key}", ""),
          Map.entry("/api/v1/journeys/{key}/versions/{version}", ""),
          Map.entry("/api/v1/journeys/{key}/stats", ""),
          Map.entry("/api/v1/journeys/{key}/nodes/{id}/people", ""),
          Map.entry("/api/v1/journeys/{key}/people/{personKey}", ""),
          Map.entry("/api/v1/journeys/{key}/holdouts", ""),
          Map.entry("/api/v1/journeys/{key}/sends", ""),
          Map.entry("/api/v1/audit", ""));

  static boolean ready;
  static Set<String> outsideEmails;
  static Set<String> insideKeys;
  static String insideKey;
  static String outsideKey;
  static String snapshotId;

  @LocalServerPort int port;
  @Autowired Warehouse warehouse;
  ApiClient admin;
  ApiClient her;

  @BeforeEach
  void setUp() throws Exception {
    admin = new ApiClient(port, "admin", ADMIN_PASSWORD);
    her = new ApiClient(port, MARKETER, PASSWORD);
    if (ready) {
      return;
    }
    created(
        admin.post(
            "/api/v1/subset-categories",
            "{\"key\": \"iso-region\", \"name\": \"Region\", \"parent\": \"users\", \"subsets\": ["
                + "{\"key\": \"de\", \"name\": \"Germany\", \"condition\": "
                + DE
                + "}]}"));
    // the fixtures ApiFuzzTest's examples point at
    if (admin.get("/api/v1/audiences/fz-aud").status() == 404) {
      created(admin.post("/api/v1/subset-categories", ApiFuzzTest.category("fz-cat").toString()));
      created(admin.post("/api/v1/audiences", ApiFuzzTest.audience("fz-aud").toString()));
      created(admin.post("/api/v1/audiences", ApiFuzzTest.audience("fz-aud-b").toString()));
      assertThat(admin.put("/api/v1/templates/fz-tpl", ApiFuzzTest.template().toString()).status())
          .isEqualTo(200);
      created(
          admin.post("/api/v1/destinations", ApiFuzzTest.fileDestination("fz-dest").toString()));
      created(admin.post("/api/v1/syncs", ApiFuzzTest.sync("fz-sync", "cron").toString()));
      created(admin.post("/api/v1/users", ApiFuzzTest.newUser("fz-user").toString()));
    }
    if (admin.get("/api/v1/journeys/fz-journey").status() == 404) {
      created(admin.post("/api/v1/journeys", ApiFuzzTest.journey("fz-journey").toString()));
    }
    created(
        admin.post(
            "/api/v1/users",
            "{\"username\": \""
                + MARKETER
                + "\", \"role\": \"MARKETER\", \"password\": \""
                + PASSWORD
                + "\", \"subsets\": {\"iso-region\": [\"de\"]}}"));
    // German and French users, and an unrestricted snapshot of them by the admin: its members and
    // the membership log hold both
    created(
        admin.post(
            "/api/v1/audiences",
            "{\"key\": \"iso-aud\", \"name\": \"DE and FR\", \"definition\": {\"parent\":"
                + " \"users\", \"filter\": {\"type\": \"property\", \"column\": \"country\","
                + " \"op\": \"in\", \"value\": [\"DE\", \"FR\"]}}}"));
    snapshotId =
        created(admin.post("/api/v1/audiences/iso-aud/snapshots", null)).path("id").asText();
    outsideEmails = new HashSet<>();
    insideKeys = new HashSet<>();
    warehouse
        .dsl()
        .fetch("select user_id, email, country from demo.users")
        .forEach(
            r -> {
              if ("DE".equals(r.get(2, String.class))) {
                insideKeys.add(r.get(0, Long.class).toString());
              } else {
                outsideEmails.add(r.get(1, String.class));
              }
            });
    insideKey =
        warehouse
            .dsl()
            .fetchValue("select min(user_id) from demo.users where country = 'DE'")
            .toString();
    outsideKey =
        warehouse
            .dsl()
            .fetchValue("select min(user_id) from demo.users where country is distinct from 'DE'")
            .toString();
    assertThat(insideKeys).isNotEmpty();
    assertThat(outsideEmails).isNotEmpty();
    created(admin.post("/api/v1/journeys", ApiFuzzTest.journey("iso-journey").toString()));
    journeyPeople();
    ready = true;
  }

  static JsonNode created(ApiClient.Response r) {
    assertThat(r.status()).as(r.body()).isBetween(200, 299);
    return r.body() == null || r.body().isEmpty() ? JSON.nullNode() : r.json();
  }

  Map<String, String> variables(String path) {
    Map<String, String> v = new LinkedHashMap<>();
    v.put("model", "users");
    v.put("table", "demo.users");
    v.put("username", MARKETER);
    v.put("id", snapshotId);
    v.put("runId", "iso-no-such-run");
    v.put("version", "1");
    // why for a person outside her subsets: as if there were none (404), nothing of them shown
    v.put("memberKey", outsideKey);
    // a journey's node, and the path of a person outside her subsets (404)
    if (path.startsWith("/api/v1/journeys")) {
      v.put("id", "wait");
      v.put("personKey", outsideKey);
    }
    String key =
        path.startsWith("/api/v1/templates")
            ? "fz-tpl"
            : path.startsWith("/api/v1/journeys")
                ? "fz-journey"
                : path.startsWith("/api/v1/syncs")
                    ? "fz-sync"
                    : path.startsWith("/api/v1/destinations")
                        ? "fz-dest"
                        : path.startsWith("/api/v1/subset-categories")
                            ? "iso-region"
                            : path.startsWith("/api/v1/profiles") ? insideKey : "iso-aud";
    v.put("key", key);
    if (path.matches("/api/v1/journeys/\\{key}/(stats|nodes|people|holdouts|sends).*")) {
      // the journey with people of hers and not (a draft: nothing but this test moves them)
      v.put("key", "iso-journey");
    }
    return v;
  }

  static String fill(String path, Map<String, String> variables) {
    String out = path;
    for (Map.Entry<String, String> e : variables.entrySet()) {
      out = out.replace("{" + e.getKey() + "}", e.getValue());
    }
    assertThat(out).as("a path variable this test cannot fill in " + path).doesNotContain("{");
    return out;
  }

  /** No 5xx, and nothing of a user outside her subset in the body. */
  void assertNoLeak(String what, ApiClient.Response r) throws Exception {
    assertThat(r.status()).as(what + " -> " + r.body()).isLessThan(500);
    String body = r.body() == null ? "" : r.body();
    for (String email : outsideEmails) {
      assertThat(body).as(what + " shows " + email).doesNotContain(email);
    }
    String type = r.raw().headers().firstValue("content-type").orElse("");
    if (r.status() >= 300 || body.isEmpty()) {
      return;
    }
    if (type.startsWith("application/json")) {
      userIds(JSON.readTree(body), what);
    } else if (type.startsWith("text/")) {
      // evaluate streams keys, a snapshot's CSV holds them under a "key" header
      for (String line : body.split("\n")) {
        String k = line.strip();
        if (!k.isEmpty() && !k.equals("key")) {
          assertThat(insideKeys).as(what + " streams " + k).contains(k);
        }
      }
    }
  }

  /** Every user_id and membership member in a JSON answer is one of hers. */
  void userIds(JsonNode node, String what) {
    if (node.isObject()) {
      node.fields()
          .forEachRemaining(
              f -> {
                if ((f.getKey().equals("user_id")
                        || f.getKey().equals("member")
                        || f.getKey().equals("personKey"))
                    && f.getValue().isValueNode()
                    && !f.getValue().isNull()) {
                  assertThat(insideKeys).as(what + " shows " + f).contains(f.getValue().asText());
                } else {
                  userIds(f.getValue(), what);
                }
              });
    } else if (node.isArray()) {
      node.forEach(n -> userIds(n, what));
    }
  }

  long adminCount(JsonNode definition) {
    return adminCount(definition, ApiFuzzTest.AS_OF);
  }

  /** An admin's count of {@code definition} ANDed with her subset, at {@code asOf} (null: now). */
  long adminCount(JsonNode definition, String asOf) {
    ObjectNode restricted = definition.deepCopy();
    ObjectNode and = JSON.createObjectNode().put("type", "and");
    and.putArray("conditions").add(restricted.get("filter")).add(ApiFuzzTest.json(DE));
    restricted.set("filter", and);
    ObjectNode body = JSON.createObjectNode();
    body.set("definition", restricted);
    body.put("limit", 0);
    if (asOf != null) {
      body.put("asOf", asOf);
    }
    return created(admin.post("/api/v1/audiences/preview", body.toString())).path("count").asLong();
  }

  @Test
  void everyGetAndPostOperationShowsARestrictedUserOnlyHerRows() throws Exception {
    JsonNode doc = JSON.readTree(admin.get("/v3/api-docs").body());
    Map<String, List<ApiFuzzTest.ValidRequest>> posts = new LinkedHashMap<>();
    for (ApiFuzzTest.ValidRequest e : ApiFuzzTest.validRequests()) {
      posts.computeIfAbsent(e.path(), k -> new ArrayList<>()).add(e);
    }
    Set<String> unknown = new TreeSet<>();
    Set<String> walked = new TreeSet<>();
    List<String> paths = new ArrayList<>();
    doc.get("paths").fieldNames().forEachRemaining(paths::add);
    // POSTs first (the marketer's own snapshot among them), then every GET sees what they made
    for (String path : paths) {
      if (!path.startsWith("/api/") || !doc.get("paths").get(path).has("post")) {
        continue;
      }
      List<ApiFuzzTest.ValidRequest> examples = posts.get(path);
      if (examples == null) {
        unknown.add("POST " + path);
        continue;
      }
      for (ApiFuzzTest.ValidRequest e : examples) {
        JsonNode body;
        try {
          body = e.body().get();
        } catch (RuntimeException noFuzzApp) {
          body = JSON.createObjectNode(); // the import example reads the fuzz app's export
        }
        StringBuilder uri = new StringBuilder(fill(path, e.pathVariables()));
        String sep = "?";
        for (Map.Entry<String, String> q : e.query().entrySet()) {
          uri.append(sep).append(q.getKey()).append('=').append(q.getValue());
          sep = "&";
        }
        ApiClient.Response r = her.post(uri.toString(), body == null ? null : body.toString());
        assertNoLeak("POST " + uri, r);
        walked.add("POST " + path);
      }
    }
    for (String path : paths) {
      if (!path.startsWith("/api/") || !doc.get("paths").get(path).has("get")) {
        continue;
      }
      String query = GETS.get(path);
      if (query == null) {
        unknown.add("GET " + path);
        continue;
      }
      String uri = fill(path, variables(path)) + query;
      assertNoLeak("GET " + uri, her.get(uri));
      walked.add("GET " + path);
    }
    assertThat(unknown).as("operations this test does not cover").isEmpty();
    assertThat(walked).isNotEmpty();
  }

  @Test
  void countsAreTheCountsOfHerRows() throws Exception {
    JsonNode definition = ApiFuzzTest.definition();
    long hers = adminCount(definition);
    long all =
        created(
                admin.post(
                    "/api/v1/audiences/preview",
                    "{\"audience\": \"fz-aud\", \"limit\": 0, \"asOf\": \""
                        + ApiFuzzTest.AS_OF
                        + "\"}"))
            .path("count")
            .asLong();
    assertThat(hers).isPositive().isLessThan(all);

    JsonNode preview =
        created(
            her.post(
                "/api/v1/audiences/preview",
                "{\"audience\": \"fz-aud\", \"limit\": 1000, \"asOf\": \""
                    + ApiFuzzTest.AS_OF
                    + "\"}"));
    assertThat(preview.path("count").asLong()).isEqualTo(hers);
    assertThat(preview.path("sample")).hasSize((int) hers);
    assertThat(preview.path("sql").asText()).contains("'DE'");

    String keys =
        her.post(
                "/api/v1/audiences/evaluate",
                "{\"audience\": \"fz-aud\", \"asOf\": \"" + ApiFuzzTest.AS_OF + "\"}")
            .body();
    assertThat(keys.lines().filter(l -> !l.isBlank()).count()).isEqualTo(hers);

    JsonNode explain =
        created(
            her.post(
                "/api/v1/audiences/explain",
                "{\"audience\": \"fz-aud\", \"asOf\": \"" + ApiFuzzTest.AS_OF + "\"}"));
    assertThat(explain.path("count").asLong()).isEqualTo(hers);
    assertThat(explain.path("steps").get(0).path("count").asLong())
        .isEqualTo(
            adminCount(
                ApiFuzzTest.json(
                    "{\"parent\": \"users\", \"filter\": "
                        + definition.at("/filter/conditions/0")
                        + "}")));

    JsonNode overlap =
        created(
            her.post(
                "/api/v1/insights/overlap",
                "{\"audiences\": [\"fz-aud\", \"fz-aud-b\"], \"asOf\": \""
                    + ApiFuzzTest.AS_OF
                    + "\"}"));
    assertThat(overlap.path("sizes").path("fz-aud").asLong()).isEqualTo(hers);
    assertThat(overlap.path("union").asLong()).isEqualTo(hers);

    JsonNode breakdown =
        created(
            her.post(
                "/api/v1/insights/breakdown",
                "{\"audience\": \"fz-aud\", \"column\": \"country\", \"asOf\": \""
                    + ApiFuzzTest.AS_OF
                    + "\"}"));
    assertThat(breakdown.path("total").asLong()).isEqualTo(hers);
    assertThat(breakdown.path("buckets")).allMatch(b -> b.path("value").asText().equals("DE"));

    JsonNode values = her.get("/api/v1/schema/models/users/values?column=country").json();
    assertThat(values).allMatch(v -> v.path("value").asText().equals("DE"));

    // snapshots and the membership log of German and French users: hers are the Germans
    long germans = insideKeys.size();
    JsonNode snapshot = created(her.post("/api/v1/audiences/iso-aud/snapshots", null));
    assertThat(snapshot.path("members").asLong()).isEqualTo(germans);
    JsonNode snapshots = her.get("/api/v1/audiences/iso-aud/snapshots").json();
    assertThat(snapshots).hasSizeGreaterThanOrEqualTo(2);
    assertThat(snapshots).allMatch(s -> s.path("members").asLong() == germans);
    assertThat(admin.get("/api/v1/audiences/iso-aud/snapshots").json())
        .anyMatch(s -> s.path("members").asLong() > germans);
    JsonNode membership =
        her.get("/api/v1/audiences/iso-aud/membership?at=2100-01-01T00:00:00Z&limit=1000").json();
    assertThat(membership.path("members").asLong()).isEqualTo(germans);
    assertThat(membership.path("page"))
        .allMatch(m -> insideKeys.contains(m.path("member").asText()));

    JsonNode listed = her.get("/api/v1/audiences").json();
    assertThat(listed).allMatch(a -> a.path("size").isNull() || a.path("size").isMissingNode());
  }

  @Test
  void aProfileOutsideHerSubsetIsNotFound() {
    assertThat(her.get("/api/v1/profiles/users/" + insideKey).status()).isEqualTo(200);
    assertThat(her.get("/api/v1/profiles/users/" + outsideKey).status()).isEqualTo(404);
    assertThat(admin.get("/api/v1/profiles/users/" + outsideKey).status()).isEqualTo(200);
    assertThat(her.get("/api/v1/profiles/purchases/1").status()).isEqualTo(404);
  }

  @Test
  void herRunRecordsWhoAskedAndHerDryRunIsRefused() {
    created(admin.put("/api/v1/syncs/fz-sync/enabled", "{\"enabled\": true}"));
    JsonNode run = created(her.post("/api/v1/syncs/fz-sync/runs", null));
    String runId = run.path("runId").asText();
    assertThat(warehouseOrStore("select requested_by from sync_run where run_id = '" + runId + "'"))
        .isEqualTo(MARKETER);
    assertThat(her.post("/api/v1/syncs/fz-sync/dry-run", null).status()).isEqualTo(403);
    admin.put("/api/v1/syncs/fz-sync/enabled", "{\"enabled\": false}");
  }

  @Autowired org.jooq.DSLContext store;

  String warehouseOrStore(String sql) {
    return store.fetchValue(sql).toString();
  }

  /**
   * Someone of hers and someone not, waiting at iso-journey's first node, held out and sent, as the
   * engine writes them: the journey's lists must show only hers.
   */
  void journeyPeople() {
    java.time.OffsetDateTime now = java.time.OffsetDateTime.now();
    for (String person : List.of(insideKey, outsideKey)) {
      long entry =
          store
              .fetchSingle(
                  "insert into journey_entry (journey_key, version, person, entered_at, node,"
                      + " phase, since) values ('iso-journey', 1, ?, ?, 'wait', 'wait', ?)"
                      + " returning id",
                  person,
                  now,
                  now)
              .get(0, Long.class);
      store.execute(
          "insert into journey_holdout (journey_key, version, node, grp, person, entry_id, at)"
              + " values ('iso-journey', 1, 'wait', 'control', ?, ?, ?)",
          person,
          entry,
          now);
      store.execute(
          "insert into journey_send (entry_id, node, journey_key, version, person, destination,"
              + " status, reason, created_at) values (?, 'send', 'iso-journey', 1, ?, 'fz-dest',"
              + " 'rejected', 'test', ?)",
          entry,
          person,
          now);
    }
  }

  @Test
  void aJourneyListsOnlyHerPeople() {
    for (String list : List.of("nodes/wait/people", "holdouts", "sends")) {
      JsonNode hers = created(her.get("/api/v1/journeys/iso-journey/" + list));
      assertThat(hers).as(list).isNotEmpty();
      assertThat(hers).as(list).allMatch(p -> insideKeys.contains(p.path("personKey").asText()));
      assertThat(created(admin.get("/api/v1/journeys/iso-journey/" + list)).toString())
          .as(list)
          .contains("\"" + outsideKey + "\"");
    }
    assertThat(her.get("/api/v1/journeys/iso-journey/people/" + insideKey).status()).isEqualTo(200);
    assertThat(her.get("/api/v1/journeys/iso-journey/people/" + outsideKey).status())
        .isEqualTo(404);
    assertThat(admin.get("/api/v1/journeys/iso-journey/people/" + outsideKey).status())
        .isEqualTo(200);
  }
}
