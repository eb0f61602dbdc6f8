package io.customerstudio.app.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.springframework.security.test.web.servlet.request.SecurityMockMvcRequestPostProcessors.user;
import static org.springframework.security.test.web.servlet.setup.SecurityMockMvcConfigurers.springSecurity;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ContainerNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.customerstudio.app.CustomerStudioApplication;
import io.customerstudio.query.testing.TestPostgres;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import java.util.function.Supplier;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.ShrinkingMode;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.http.HttpMethod;
import org.springframework.mock.web.MockHttpServletResponse;
import org.springframework.test.web.servlet.MockMvc;
import org.springframework.test.web.servlet.MvcResult;
import org.springframework.test.web.servlet.request.MockHttpServletRequestBuilder;
import org.springframework.test.web.servlet.request.MockMvcRequestBuilders;
import org.springframework.test.web.servlet.setup.MockMvcBuilders;
import org.springframework.web.context.WebApplicationContext;
import org.springframework.web.util.UriComponentsBuilder;

/**
 * Fuzzes every POST and PUT endpoint of the app's own OpenAPI document (read at test time): a valid
 * example body per endpoint, mutated by up to three random edits (a field dropped, nulls, wrong
 * types, extreme numbers, hostile text, deep nesting, unknown fields, arrays for objects and back,
 * malformed bodies and content types, odd path variables). Whatever comes in: never a 5xx, and
 * every 4xx is problem+json whose {@code errors} each name a {@code path}.
 *
 * <p>Runs against its own app (its own app store and demo warehouse of 300 users), in process
 * through MockMvc: no HTTP, so 10,000 cases take about a minute. Nothing it does starts heavy work:
 * creations are deleted again, a replaced schema is restored, the import is a dry run, and the
 * endpoints that start a sync run or a dry run ({@code /runs}, {@code /dry-run}, replay, cancel)
 * get only ids of things that do not exist, so their validation and lookups are fuzzed but never a
 * run.
 */
class ApiFuzzTest {

  static final ObjectMapper JSON = new ObjectMapper();
  static final JsonNodeFactory NODES = JsonNodeFactory.instance;
  static final String AS_OF = "2026-11-01T00:00:00Z";
  static final String PASSWORD = "fuzz-admin-password";
  static final String DEEP_MARKER = "@@deep@@";
  static final AtomicLong FRESH = new AtomicLong();

  static ConfigurableApplicationContext app;
  static MockMvc mvc;
  static org.springframework.security.core.userdetails.UserDetails admin;
  static List<ValidRequest> examples;
  static JsonNode originalSchema;

  /** One valid request of an operation; {@code body} is made anew for every case. */
  record ValidRequest(
      String method,
      String path,
      Map<String, String> pathVariables,
      Supplier<JsonNode> body,
      Map<String, String> query,
      Function<JsonNode, String> cleanup) {

    String operation() {
      return method + " " + path;
    }

    @Override
    public String toString() {
      return operation();
    }
  }

  enum Kind {
    DROP,
    NULL,
    WRONG_TYPE,
    NUMBER,
    TEXT,
    DEEP,
    UNKNOWN_FIELD,
    WRAP_IN_ARRAY,
    UNWRAP,
    REPEAT,
    PATH_VARIABLE,
    RAW_BODY,
    CONTENT_TYPE
  }

  /** One edit: what, where (an index into the body's nodes) and which variant. */
  record Mutation(Kind kind, int where, int variant) {}

  record Request(
      String method, String uri, String body, String contentType, List<Mutation> mutations) {}

  // ---------------------------------------------------------------- the app under test

  @BeforeContainer
  static void start() throws Exception {
    Map<String, Object> properties = new LinkedHashMap<>();
    properties.put("server.port", "0");
    properties.put("studio.admin-password", PASSWORD);
    properties.put("studio.demo.data", "true");
    properties.put("studio.demo.users", "300");
    properties.put("studio.demo.warehouse", "postgres");
    properties.put("studio.demo.anchor", AS_OF);
    properties.put("studio.database.url", TestPostgres.newDatabaseUrl("fuzz"));
    properties.put("studio.database.user", "postgres");
    properties.put("studio.database.password", "");
    properties.put("studio.data-dir", Files.createTempDirectory("studio-fuzz").toString());
    properties.put("spring.main.banner-mode", "off");
    // requests that fail validation are the point here; keep the log to what matters
    properties.put("logging.level.org.springframework.web", "ERROR");
    app =
        new SpringApplicationBuilder(CustomerStudioApplication.class).properties(properties).run();
    mvc =
        MockMvcBuilders.webAppContextSetup((WebApplicationContext) app)
            .apply(springSecurity())
            .build();
    admin =
        app.getBean(org.springframework.security.core.userdetails.UserDetailsService.class)
            .loadUserByUsername("admin");
    fixtures();
    examples = validRequests();
  }

  @AfterContainer
  static void stop() {
    if (app != null) {
      app.close();
    }
  }

  /**
   * The things the examples point at: audiences, a template, a destination, a sync, a user, an
   * event source.
   */
  static void fixtures() throws Exception {
    ok(call("POST", "/api/v1/subset-categories", category("fz-cat")));
    ok(call("POST", "/api/v1/audiences", audience("fz-aud")));
    ok(call("POST", "/api/v1/audiences", audience("fz-aud-b")));
    ok(call("POST", "/api/v1/audiences", audience("fz-aud-c")));
    ok(call("POST", "/api/v1/priority-lists", priorityList("fz-prio", "fz-aud", "fz-aud-b")));
    ok(call("PUT", "/api/v1/templates/fz-tpl", template()));
    ok(call("POST", "/api/v1/destinations", fileDestination("fz-dest")));
    ok(call("POST", "/api/v1/syncs", sync("fz-sync", "cron")));
    ok(call("POST", "/api/v1/users", newUser("fz-user")));
    ok(call("POST", "/api/v1/event-sources", json("{\"key\": \"fz-src\", \"name\": \"Fuzz\"}")));
    ok(call("POST", "/api/v1/journeys", journey("fz-journey")));
    originalSchema = JSON.readTree(ok(call("GET", "/api/v1/schema", null)));
  }

  static JsonNode definition() {
    return json(
        """
        {"parent": "users", "filter": {"type": "and", "conditions": [
          {"type": "property", "column": "country", "op": "in", "value": ["DE", "FR"]},
          {"type": "trait", "trait": "lifetime_value", "op": "gt", "value": 100},
          {"type": "event", "event": "events", "eventType": "order_completed",
           "window": {"withinLast": {"amount": 2, "unit": "week"}}},
          {"type": "not", "condition":
            {"type": "property", "column": "loyalty_member", "op": "is_true"}}]}}""");
  }

  static JsonNode audience(String key) {
    ObjectNode a = obj("{\"name\": \"Fuzz\", \"description\": \"fuzzing\"}");
    a.put("key", key);
    a.set("definition", definition());
    return a;
  }

  static JsonNode priorityList(String key, String... audiences) {
    ObjectNode l = obj("{\"name\": \"Fuzz priorities\"}");
    if (key != null) {
      l.put("key", key);
    }
    ArrayNode a = l.putArray("audiences");
    for (String x : audiences) {
      a.add(x);
    }
    return l;
  }

  static JsonNode template() {
    return json(
        """
        {"name": "Big spender", "description": "d", "params": ["min"],
         "condition": {"type": "trait", "trait": "lifetime_value", "op": "gte",
                       "value": {"param": "min"}}}""");
  }

  static JsonNode fileDestination(String key) {
    ObjectNode d =
        obj(
            """
            {"name": "Fuzz file", "type": "file",
             "config": {"directory": "fuzz", "format": "csv", "batchSize": 500},
             "subsets": {"fz-cat": ["west"]}}""");
    d.put("key", key);
    return d;
  }

  /** A destination rule: a condition over the parent of fz-sync's audience. */
  static JsonNode rule() {
    return json(
        """
        {"type": "or", "conditions": [
          {"type": "property", "column": "country", "op": "in", "value": ["DE", "FR"]},
          {"type": "trait", "trait": "lifetime_value", "op": "gt", "value": 100}]}""");
  }

  static JsonNode sync(String key, String schedule) {
    ObjectNode s =
        obj(
            """
            {"name": "Fuzz sync", "audience": "fz-aud", "destination": "fz-dest", "mode": "upsert",
             "mapping": [{"from": "first_name", "to": "firstName"},
                         {"from": "lifetime_value", "to": "ltv"}],
             "identifier": {"from": "email", "to": "email"}, "enabled": false,
             "subsets": {"fz-cat": ["de", "west"]}}""");
    s.put("key", key);
    s.set(
        "schedule",
        schedule.equals("cron")
            ? json(
                "{\"type\": \"cron\", \"expression\": \"0 6 * * *\", \"timezone\": \"Europe/Berlin\"}")
            : json("{\"type\": \"interval\", \"every\": \"PT6H\"}"));
    return s;
  }

  static JsonNode category(String key) {
    ObjectNode c =
        obj(
            """
            {"name": "Region", "parent": "users", "subsets": [
              {"key": "de", "name": "Germany",
               "condition": {"type": "property", "column": "country", "op": "eq", "value": "DE"}},
              {"key": "west", "name": "West",
               "condition": {"type": "or", "conditions": [
                 {"type": "property", "column": "country", "op": "in", "value": ["FR", "NL"]},
                 {"type": "trait", "trait": "lifetime_value", "op": "gt", "value": 100}]}}]}""");
    c.put("key", key);
    return c;
  }

  /** A journey that publish would take: an event entry, a wait, a branch, a send to fz-dest. */
  static JsonNode journey(String key) {
    ObjectNode j =
        obj(
            """
            {"name": "Fuzz journey", "parent": "users",
             "entry": {"type": "event", "eventType": "add_to_cart",
                       "where": [{"property": "value", "op": "gte", "value": 20}]},
             "reentry": {"policy": "cooldown", "cooldown": "P1D"},
             "exitCriteria": [{"event": {"eventType": "order_completed"}}],
             "settings": {"quietHours": {"from": "21:00", "to": "08:00", "defaultTimezone": "Europe/Berlin"},
                          "frequencyCap": {"max": 2, "per": "P1D"}},
             "start": "wait",
             "nodes": [
               {"id": "wait", "type": "wait", "duration": "PT1H", "next": "value"},
               {"id": "value", "type": "branch",
                "branches": [{"name": "high", "next": "send",
                              "condition": {"type": "trait", "trait": "lifetime_value", "op": "gt",
                                            "value": 100}}],
                "else": "done"},
               {"id": "send", "type": "send", "destination": "fz-dest",
                "identifier": {"from": "email", "to": "email"},
                "mapping": [{"from": "first_name", "to": "firstName"},
                            {"from": "event.properties.cart_url", "to": "cartUrl"}],
                "next": "done"},
               {"id": "done", "type": "exit"}]}""");
    if (key != null) {
      j.put("key", key);
    }
    return j;
  }

  static JsonNode newUser(String username) {
    ObjectNode u =
        obj(
            "{\"displayName\": \"Fuzz\", \"role\": \"MARKETER\", \"password\": \"fuzz-password-1\"}");
    u.put("username", username);
    return u;
  }

  static String fresh(String prefix) {
    return prefix + FRESH.incrementAndGet();
  }

  /**
   * A valid example for every POST and PUT operation; the test fails when the OpenAPI document has
   * an operation this table lacks, so a new endpoint gets fuzzed from its first day.
   */
  static List<ValidRequest> validRequests() throws Exception {
    List<ValidRequest> out = new ArrayList<>();
    Map<String, String> none = Map.of();
    Function<JsonNode, String> keep = r -> null;
    // audiences
    out.add(
        new ValidRequest(
            "POST",
            "/api/v1/audiences",
            none,
            () -> audience(fresh("fz-a-")),
            none,
            r -> "/api/v1/audiences/" + r.path("key").asText()));
    out.add(
        new ValidRequest(
            "PUT",
            "/api/v1/audiences/{key}",
            Map.of("key", "fz-aud"),
            () -> {
              ObjectNode a = (ObjectNode) audience("x");
              a.remove("key");
              return a;
            },
            none,
            keep));
    out.add(
        new ValidRequest(
            "POST",
            "/api/v1/audiences/{key}/versions/{version}/restore",
            Map.of("key", "fz-aud", "version", "1"),
            () -> null,
            none,
            keep));
    out.add(
        new ValidRequest(
            "POST",
            "/api/v1/audiences/preview",
            none,
            () -> {
              ObjectNode p =
                  obj(
                      """
                      {"asOf": "2026-11-01T00:00:00Z", "sampling": {"percent": 50, "seed": 7},
                       "limit": 5, "columns": ["country", "lifetime_value"]}""");
              p.set("definition", definition());
              return p;
            },
            none,
            keep));
    out.add(
        new ValidRequest(
            "POST",
            "/api/v1/audiences/preview",
            none,
            () -> json("{\"audience\": \"fz-aud\", \"limit\": 3}"),
            none,
            keep));
    out.add(
        new ValidRequest(
            "POST",
            "/api/v1/audiences/evaluate",
            none,
            () -> {
              ObjectNode p = obj("{\"asOf\": \"2026-11-01T00:00:00Z\"}");
              p.set("definition", definition());
              return p;
            },
            none,
            keep));
    out.add(
        new ValidRequest(
            "POST",
            "/api/v1/audiences/explain",
            none,
            // explain counts after every condition: two keep it cheap
            () ->
                json(
                    """
                    {"asOf": "2026-11-01T00:00:00Z", "definition": {"parent": "users",
                     "filter": {"type": "or", "conditions": [
                       {"type": "property", "column": "country", "op": "eq", "value": "DE"},
                       {"type": "trait", "trait": "lifetime_value", "op": "gt", "value": 100}]}}}"""),
            none,
            keep));
    out.add(
        new ValidRequest(
            "POST",
            "/api/v1/audiences/{key}/snapshots",
            Map.of("key", "fz-aud"),
            () -> null,
            none,
            keep));
    // splits
    out.add(
        new ValidRequest(
            "PUT",
            "/api/v1/audiences/{key}/split",
            Map.of("key", "fz-aud-b"),
            () ->
                json(
                    """
                    {"salt": "fz-salt",
                     "groups": [{"name": "treatment", "percent": 45},
                                {"name": "variant-b", "percent": 45.5},
                                {"name": "control", "percent": 9.5, "holdout": true}],
                     "stratifyBy": "country"}"""),
            none,
            keep));
    // insights
    out.add(
        new ValidRequest(
            "POST",
            "/api/v1/insights/overlap",
            none,
            () ->
                json(
                    "{\"audiences\": [\"fz-aud\", \"fz-aud-b\"], \"asOf\": \"2026-11-01T00:00:00Z\"}"),
            none,
            keep));
    out.add(
        new ValidRequest(
            "POST",
            "/api/v1/insights/breakdown",
            none,
            () ->
                json(
                    "{\"audience\": \"fz-aud\", \"column\": \"country\", \"limit\": 5,"
                        + " \"asOf\": \"2026-11-01T00:00:00Z\"}"),
            none,
            keep));
    out.add(
        new ValidRequest(
            "POST",
            "/api/v1/insights/breakdown",
            none,
            () -> {
              ObjectNode b = obj("{\"trait\": \"lifetime_value\", \"limit\": 8}");
              b.set("definition", definition());
              return b;
            },
            none,
            keep));
    // templates and schema
    // priority lists: fz-aud-c is in no list, so a new list may take it
    out.add(
        new ValidRequest(
            "POST",
            "/api/v1/priority-lists",
            none,
            () -> priorityList(fresh("fz-p-"), "fz-aud-c"),
            none,
            r -> "/api/v1/priority-lists/" + r.path("key").asText()));
    out.add(
        new ValidRequest(
            "PUT",
            "/api/v1/priority-lists/{key}",
            Map.of("key", "fz-prio"),
            () -> priorityList(null, "fz-aud-b", "fz-aud"),
            none,
            keep));
    out.add(
        new ValidRequest(
            "PUT",
            "/api/v1/templates/{key}",
            Map.of("key", "fz-tpl"),
            ApiFuzzTest::template,
            none,
            keep));
    out.add(
        new ValidRequest(
            "PUT",
            "/api/v1/schema",
            none,
            () -> originalSchema.deepCopy(),
            none,
            r -> "restore-schema"));
    out.add(
        new ValidRequest(
            "POST", "/api/v1/import", none, ApiFuzzTest::exported, Map.of("dryRun", "true"), keep));
    // destinations
    out.add(
        new ValidRequest(
            "POST",
            "/api/v1/destinations",
            none,
            () -> fileDestination(fresh("fz-d-")),
            none,
            r -> "/api/v1/destinations/" + r.path("key").asText()));
    out.add(
        new ValidRequest(
            "POST",
            "/api/v1/destinations",
            none,
            () -> {
              ObjectNode d =
                  obj(
                      """
                      {"name": "Hook", "type": "webhook",
                       "config": {"url": "http://127.0.0.1:1/hook", "batchSize": 100,
                                  "requestsPerSecond": 5, "signingSecret": "whsec-0123456789abcdef",
                                  "headers": {"Authorization": "Bearer t", "X-Api-Key": "k"}}}""");
              d.put("key", fresh("fz-d-"));
              return d;
            },
            none,
            r -> "/api/v1/destinations/" + r.path("key").asText()));
    out.add(
        new ValidRequest(
            "POST",
            "/api/v1/destinations",
            none,
            () -> {
              ObjectNode d =
                  obj(
                      """
                      {"name": "Table", "type": "postgres",
                       "config": {"url": "jdbc:postgresql://127.0.0.1:1/crm?user=u&password=p&ssl=false",
                                  "user": "u", "table": "public.audience", "batchSize": 1000}}""");
              d.put("key", fresh("fz-d-"));
              return d;
            },
            none,
            r -> "/api/v1/destinations/" + r.path("key").asText()));
    out.add(
        new ValidRequest(
            "PUT",
            "/api/v1/destinations/{key}",
            Map.of("key", "fz-dest"),
            () -> {
              ObjectNode d = (ObjectNode) fileDestination("x");
              d.remove("key");
              d.set("rule", rule());
              d.set("consentPurposes", json("[\"advertising\", \"Email_Marketing\"]"));
              return d;
            },
            none,
            keep));
    out.add(
        new ValidRequest(
            "POST",
            "/api/v1/destinations",
            none,
            () -> {
              ObjectNode d = (ObjectNode) fileDestination(fresh("fz-d-"));
              d.set("rule", rule());
              d.set("consentPurposes", json("[\"advertising\"]"));
              return d;
            },
            none,
            r -> "/api/v1/destinations/" + r.path("key").asText()));
    // consent
    out.add(
        new ValidRequest(
            "PUT",
            "/api/v1/consent",
            none,
            () ->
                json(
                    """
                    {"source": {"table": "demo.consent"},
                     "subjectColumn": "data_subject_identifier", "purposeColumn": "purpose",
                     "statusColumn": "status", "timestampColumn": "updated_at",
                     "parentColumn": "email", "parent": "users",
                     "missing": {"default": "block", "purposes": {"analytics": "allow"}}}"""),
            none,
            keep));
    out.add(
        new ValidRequest(
            "POST",
            "/api/v1/destinations/{key}/test",
            Map.of("key", "fz-dest"),
            () -> null,
            none,
            keep));
    // journeys: publish, pause, resume and stop start or wake a workflow, so only ids of journeys
    // that do not exist (see the class comment)
    out.add(
        new ValidRequest(
            "POST",
            "/api/v1/journeys",
            none,
            () -> journey(fresh("fz-j-")),
            none,
            r -> "/api/v1/journeys/" + r.path("key").asText()));
    out.add(
        new ValidRequest(
            "PUT",
            "/api/v1/journeys/{key}",
            Map.of("key", "fz-journey"),
            () -> journey(null),
            none,
            keep));
    out.add(
        new ValidRequest(
            "POST",
            "/api/v1/journeys/{key}/validate",
            Map.of("key", "fz-journey"),
            () -> null,
            none,
            keep));
    out.add(
        new ValidRequest(
            "POST",
            "/api/v1/journeys/{key}/publish",
            Map.of("key", "fz-no-such-journey"),
            () -> json("{\"migrate\": true}"),
            none,
            keep));
    out.add(
        new ValidRequest(
            "POST",
            "/api/v1/journeys/{key}/simulate",
            Map.of("key", "fz-journey"),
            () ->
                json(
                    """
                    {"people": {"asOf": "2026-11-01T00:00:00Z"}, "horizon": "PT2H",
                     "events": [{"eventId": "fz-e1", "personKey": "1", "type": "add_to_cart",
                                 "properties": {"value": 30}, "occurredAt": "2026-11-01T00:10:00Z"}]}"""),
            none,
            keep));
    // a retry wakes the journey's workflow: a journey that does not exist, as for publish
    out.add(
        new ValidRequest(
            "POST",
            "/api/v1/journeys/{key}/sends/retry",
            Map.of("key", "fz-no-such-journey"),
            () -> json("{\"node\": \"send\", \"entries\": [12, 13]}"),
            none,
            keep));
    for (String action : List.of("pause", "resume", "stop")) {
      out.add(
          new ValidRequest(
              "POST",
              "/api/v1/journeys/{key}/" + action,
              Map.of("key", "fz-no-such-journey"),
              () -> null,
              none,
              keep));
    }
    // syncs and runs
    out.add(
        new ValidRequest(
            "POST",
            "/api/v1/syncs",
            none,
            () -> sync(fresh("fz-s-"), "interval"),
            none,
            r -> "/api/v1/syncs/" + r.at("/sync/key").asText()));
    out.add(
        new ValidRequest(
            "PUT",
            "/api/v1/syncs/{key}",
            Map.of("key", "fz-sync"),
            () -> {
              ObjectNode s = (ObjectNode) sync("x", "cron");
              s.remove("key");
              return s;
            },
            none,
            keep));
    out.add(
        new ValidRequest(
            "PUT",
            "/api/v1/syncs/{key}/enabled",
            Map.of("key", "fz-sync"),
            () -> json("{\"enabled\": true}"),
            none,
            keep));
    out.add(
        new ValidRequest(
            "POST",
            "/api/v1/syncs/{key}/trigger-secret",
            Map.of("key", "fz-sync"),
            () -> null,
            none,
            keep));
    // these start work: only ids of things that do not exist (see the class comment)
    out.add(
        new ValidRequest(
            "POST",
            "/api/v1/syncs/{key}/runs",
            Map.of("key", "fz-no-such-sync"),
            () -> null,
            none,
            keep));
    out.add(
        new ValidRequest(
            "POST",
            "/api/v1/syncs/{key}/dry-run",
            Map.of("key", "fz-no-such-sync"),
            () -> null,
            Map.of("sample", "20"),
            keep));
    out.add(
        new ValidRequest(
            "POST",
            "/api/v1/runs/{runId}/replay",
            Map.of("runId", "fz-no-such-run"),
            () -> null,
            none,
            keep));
    out.add(
        new ValidRequest(
            "POST",
            "/api/v1/runs/{runId}/cancel",
            Map.of("runId", "fz-no-such-run"),
            () -> null,
            none,
            keep));
    // unsigned, so it never triggers anything
    out.add(
        new ValidRequest(
            "POST",
            "/api/v1/webhooks/syncs/{key}",
            Map.of("key", "fz-sync"),
            () -> json("{\"reason\": \"fuzz\"}"),
            none,
            keep));
    // events: appended for real (the stream only grows), under fresh ids
    out.add(
        new ValidRequest(
            "POST",
            "/api/v1/events",
            none,
            () ->
                json(
                    "{\"events\": [{\"eventId\": \""
                        + fresh("fz-ev-")
                        + "\", \"personKey\": \"42\", \"type\": \"add_to_cart\","
                        + " \"properties\": {\"value\": 35.5, \"cart_url\": \"https://x\"},"
                        + " \"occurredAt\": \"2026-12-01T10:00:00Z\"},"
                        + " {\"eventId\": \""
                        + fresh("fz-ev-")
                        + "\", \"personKey\": 43, \"type\": \"purchase\"}]}"),
            none,
            keep));
    // unsigned, so it never appends anything
    out.add(
        new ValidRequest(
            "POST",
            "/api/v1/webhooks/events/{source}",
            Map.of("source", "fz-src"),
            () -> json("{\"eventId\": \"fz-hook\", \"personKey\": \"42\", \"type\": \"x\"}"),
            none,
            keep));
    out.add(
        new ValidRequest(
            "POST",
            "/api/v1/event-sources",
            none,
            () -> obj("{\"name\": \"Fuzz source\"}").put("key", fresh("fz-s-")),
            none,
            r -> "/api/v1/event-sources/" + r.path("key").asText()));
    out.add(
        new ValidRequest(
            "POST",
            "/api/v1/event-sources/{key}/rotate",
            Map.of("key", "fz-src"),
            () -> null,
            none,
            keep));
    // subsets
    out.add(
        new ValidRequest(
            "POST",
            "/api/v1/subset-categories",
            none,
            () -> category(fresh("fz-c-")),
            none,
            r -> "/api/v1/subset-categories/" + r.path("key").asText()));
    out.add(
        new ValidRequest(
            "PUT",
            "/api/v1/subset-categories/{key}",
            Map.of("key", "fz-cat"),
            () -> {
              ObjectNode c = (ObjectNode) category("x");
              c.remove("key");
              return c;
            },
            none,
            keep));
    // users and tokens
    out.add(
        new ValidRequest(
            "POST",
            "/api/v1/users",
            none,
            () -> newUser(fresh("fz-u-")),
            none,
            r -> "/api/v1/users/" + r.path("username").asText()));
    out.add(
        new ValidRequest(
            "PUT",
            "/api/v1/users/{username}",
            Map.of("username", "fz-user"),
            () ->
                json(
                    "{\"displayName\": \"Fuzz again\", \"role\": \"MARKETER\", \"enabled\": true,"
                        + " \"subsets\": {\"fz-cat\": [\"de\", \"west\"]}}"),
            none,
            keep));
    out.add(
        new ValidRequest(
            "POST",
            "/api/v1/tokens",
            none,
            () -> json("{\"name\": \"fuzz\", \"username\": \"fz-user\", \"expiresInDays\": 30}"),
            none,
            r -> "/api/v1/tokens/" + r.at("/info/id").asText()));
    return out;
  }

  static JsonNode exported() {
    try {
      return JSON.readTree(ok(call("GET", "/api/v1/export", null)));
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  // ---------------------------------------------------------------- the properties

  @Example
  void everyPostAndPutOperationInTheOpenApiDocumentHasAnExample() throws Exception {
    JsonNode doc = JSON.readTree(ok(call("GET", "/v3/api-docs", null)));
    Set<String> documented = new TreeSet<>();
    doc.get("paths")
        .fields()
        .forEachRemaining(
            p -> {
              for (String method : List.of("post", "put")) {
                if (p.getValue().has(method)) {
                  documented.add(method.toUpperCase() + " " + p.getKey());
                }
              }
            });
    Set<String> covered = new TreeSet<>();
    examples.forEach(e -> covered.add(e.operation()));
    assertThat(covered).containsExactlyInAnyOrderElementsOf(documented);
  }

  @Example
  void everyExampleIsValidAsItIs() throws Exception {
    for (ValidRequest e : examples) {
      MockHttpServletResponse r = send(request(e, List.of()));
      int expected =
          e.pathVariables().values().stream().anyMatch(v -> v.startsWith("fz-no-such"))
              ? 404
              : e.path().startsWith("/api/v1/webhooks/") ? 401 : 200;
      if (expected == 200) {
        assertThat(r.getStatus()).as(e + ": " + r.getContentAsString()).isBetween(200, 299);
      } else {
        assertThat(r.getStatus()).as(e + ": " + r.getContentAsString()).isEqualTo(expected);
      }
      check(e, List.of(), r);
    }
  }

  @Property(tries = 10_000, shrinking = ShrinkingMode.BOUNDED)
  void mutatedRequestsNeverFailTheServerAndEveryRefusalNamesItsPaths(
      @ForAll("requests") ValidRequest example, @ForAll("mutations") List<Mutation> mutations)
      throws Exception {
    Request request = request(example, mutations);
    check(example, mutations, send(request));
  }

  @Provide
  Arbitrary<ValidRequest> requests() {
    return Arbitraries.of(examples);
  }

  @Provide
  Arbitrary<List<Mutation>> mutations() {
    Arbitrary<Mutation> one =
        Combinators.combine(
                Arbitraries.of(Kind.class),
                Arbitraries.integers().between(0, 10_000),
                Arbitraries.integers().between(0, 10_000))
            .as(Mutation::new);
    return one.list().ofMinSize(1).ofMaxSize(3);
  }

  /** No 5xx; a 4xx is problem+json with an errors array whose entries each name a path. */
  static void check(ValidRequest example, List<Mutation> mutations, MockHttpServletResponse r)
      throws Exception {
    String body = r.getContentAsString();
    String what = example + " " + mutations + " -> " + r.getStatus() + " " + body;
    assertThat(r.getStatus()).as(what).isLessThan(500);
    if (r.getStatus() >= 400) {
      assertThat(r.getContentType()).as(what).startsWith("application/problem+json");
      JsonNode problem = JSON.readTree(body);
      assertThat(problem.path("errors").isArray()).as(what).isTrue();
      for (JsonNode error : problem.get("errors")) {
        assertThat(error.path("path").asText()).as(what).isNotBlank();
        assertThat(error.path("message").asText()).as(what).isNotBlank();
      }
    } else {
      cleanUp(example, r);
    }
  }

  /** Deletes what a successful creation made and restores a replaced schema. */
  static void cleanUp(ValidRequest example, MockHttpServletResponse r) throws Exception {
    String body = r.getContentAsString();
    JsonNode created =
        body.isBlank() || !r.getContentType().contains("json")
            ? NODES.nullNode()
            : JSON.readTree(body);
    String undo = example.cleanup().apply(created);
    if (undo == null) {
      return;
    }
    if (undo.equals("restore-schema")) {
      ok(call("PUT", "/api/v1/schema", originalSchema));
    } else {
      int status = call("DELETE", undo, null).getStatus();
      assertThat(status).as("cleaning up with DELETE " + undo).isEqualTo(204);
    }
  }

  // ---------------------------------------------------------------- requests and mutations

  static Request request(ValidRequest example, List<Mutation> mutations) throws Exception {
    JsonNode body = example.body().get();
    Map<String, String> variables = new LinkedHashMap<>(example.pathVariables());
    String raw = null;
    String contentType = body == null ? null : "application/json";
    String deep = null;
    for (Mutation m : mutations) {
      switch (m.kind()) {
        case PATH_VARIABLE -> {
          if (!variables.isEmpty()) {
            List<String> names = new ArrayList<>(variables.keySet());
            variables.put(names.get(m.where() % names.size()), pick(ODD_PATHS, m.variant()));
          }
        }
        case RAW_BODY -> {
          raw = pick(RAW_BODIES, m.variant());
          contentType = "application/json";
        }
        case CONTENT_TYPE -> contentType = pick(CONTENT_TYPES, m.variant());
        case DEEP -> {
          deep = deepJson(m.variant());
          body = edit(body, m, NODES.textNode(DEEP_MARKER));
        }
        default -> body = edit(body, m, null);
      }
    }
    String text = raw != null ? raw : body == null ? null : JSON.writeValueAsString(body);
    if (text != null && deep != null) {
      text = text.replace("\"" + DEEP_MARKER + "\"", deep);
    }
    if (text != null && contentType == null) {
      contentType = "application/json";
    }
    UriComponentsBuilder uri = UriComponentsBuilder.fromPath(example.path());
    example.query().forEach(uri::queryParam);
    String expanded = uri.buildAndExpand(variables).encode().toUriString();
    return new Request(example.method(), expanded, text, contentType, mutations);
  }

  /** Applies one edit at the node {@code where} picks (root included). */
  static JsonNode edit(JsonNode body, Mutation m, JsonNode replacement) {
    JsonNode root = body == null ? NODES.objectNode() : body;
    List<Object[]> places = new ArrayList<>(); // {parent, field name or index, node}
    places.add(new Object[] {null, null, root});
    collect(root, places);
    Object[] place = places.get(m.where() % places.size());
    JsonNode node = (JsonNode) place[2];
    JsonNode next =
        switch (m.kind()) {
          case DROP -> null;
          case NULL -> NODES.nullNode();
          case WRONG_TYPE -> wrongType(node, m.variant());
          case NUMBER -> pick(NUMBERS, m.variant());
          case TEXT -> NODES.textNode(pick(TEXTS, m.variant()));
          case DEEP -> replacement;
          case UNKNOWN_FIELD -> {
            if (node instanceof ObjectNode o) {
              ObjectNode copy = o.deepCopy();
              copy.put("zz_unknown_" + (m.variant() % 3), m.variant());
              yield copy;
            }
            yield node;
          }
          case WRAP_IN_ARRAY -> NODES.arrayNode().add(node);
          case UNWRAP -> {
            if (node instanceof ArrayNode a) {
              yield a.isEmpty() ? NODES.objectNode() : a.get(0);
            }
            if (node instanceof ObjectNode o) {
              ArrayNode values = NODES.arrayNode();
              o.elements().forEachRemaining(values::add);
              yield values;
            }
            yield NODES.objectNode().set("value", node);
          }
          case REPEAT -> {
            // a few copies: hundreds of repeated conditions are valid (the limit is 2,000 nodes)
            // but make the warehouse run for minutes, which is not what this test is about
            int times = 2 + m.variant() % 19;
            if (node instanceof ArrayNode a && !a.isEmpty()) {
              ArrayNode many = NODES.arrayNode();
              for (int i = 0; i < times; i++) {
                many.add(a.get(i % a.size()).deepCopy());
              }
              yield many;
            }
            yield NODES.textNode(node.asText().repeat(Math.min(times, 200)));
          }
          default -> node;
        };
    if (place[0] == null) {
      return next == null ? NODES.objectNode() : next;
    }
    if (place[0] instanceof ObjectNode parent) {
      if (next == null) {
        parent.remove((String) place[1]);
      } else {
        parent.set((String) place[1], next);
      }
    } else if (place[0] instanceof ArrayNode parent) {
      if (next == null) {
        parent.remove((Integer) place[1]);
      } else {
        parent.set((Integer) place[1], next);
      }
    }
    return root;
  }

  static void collect(JsonNode node, List<Object[]> places) {
    if (node instanceof ObjectNode o) {
      List<String> names = new ArrayList<>();
      o.fieldNames().forEachRemaining(names::add);
      for (String name : names) {
        places.add(new Object[] {o, name, o.get(name)});
        collect(o.get(name), places);
      }
    } else if (node instanceof ArrayNode a) {
      for (int i = 0; i < a.size(); i++) {
        places.add(new Object[] {a, i, a.get(i)});
        collect(a.get(i), places);
      }
    }
  }

  static JsonNode wrongType(JsonNode node, int variant) {
    List<JsonNode> others = new ArrayList<>();
    if (!node.isTextual()) {
      others.add(NODES.textNode("text"));
    }
    if (!node.isNumber()) {
      others.add(NODES.numberNode(42));
    }
    if (!node.isBoolean()) {
      others.add(NODES.booleanNode(true));
    }
    if (!node.isArray()) {
      others.add(NODES.arrayNode().add("a").add(1));
    }
    if (!(node instanceof ContainerNode<?>) || node.isArray()) {
      others.add(NODES.objectNode().put("a", 1));
    }
    return others.get(variant % others.size());
  }

  static String deepJson(int variant) {
    int depth = List.of(40, 300, 1200).get(variant % 3);
    boolean arrays = variant % 2 == 0;
    return (arrays ? "[" : "{\"a\":").repeat(depth) + "1" + (arrays ? "]" : "}").repeat(depth);
  }

  static final List<JsonNode> NUMBERS =
      List.of(
          NODES.numberNode(0),
          NODES.numberNode(-1),
          NODES.numberNode(Integer.MAX_VALUE),
          NODES.numberNode(Integer.MIN_VALUE),
          NODES.numberNode(Long.MAX_VALUE),
          NODES.numberNode(Long.MIN_VALUE),
          NODES.numberNode(new java.math.BigInteger("123456789012345678901234567890")),
          NODES.numberNode(new java.math.BigDecimal("1e400")),
          NODES.numberNode(1e308),
          NODES.numberNode(-1e308),
          NODES.numberNode(4.9e-324),
          NODES.numberNode(0.5),
          NODES.numberNode(-2.75),
          NODES.numberNode(2147483648L));

  static final List<String> TEXTS =
      List.of(
          "",
          " ",
          "\u0000",
          "a\u0000b",
          "😀🎉",
          "\u202egnp.exe",
          "\u200b\ufeff",
          "Zürich – 東京 – القاهرة",
          "\ud800",
          "x".repeat(70_000),
          "' or 1=1 --",
          "\"; drop table users; --",
          "${jndi:ldap://127.0.0.1/x}",
          "../../../etc/passwd",
          "%s%n%x",
          "NaN",
          "-Infinity",
          "1e999",
          "2026-02-30T25:61:00Z",
          "P-1D",
          "PT0S",
          "PT999999999999H",
          "Europe/Nowhere",
          "* * * * * * * *",
          "http://",
          "jdbc:postgresql://u:p@",
          "DE",
          "users",
          "lifetime_value",
          "true",
          "null",
          "{}",
          "[]");

  static final List<String> ODD_PATHS =
      List.of(
          "",
          " ",
          "fz no such",
          "😀",
          "..",
          "%00",
          "a/b",
          "x".repeat(2_000),
          "-1",
          "99999999999999999999",
          "Zürich",
          "null");

  static final List<String> RAW_BODIES =
      List.of(
          "",
          "null",
          "[]",
          "\"text\"",
          "42",
          "{",
          "{\"a\":",
          "not json",
          "{}{}",
          "\ufeff{}",
          "{\"a\": 1,}",
          "{'a': 1}",
          "a: 1\nb: [2",
          "[".repeat(5_000));

  static final List<String> CONTENT_TYPES =
      List.of(
          "text/plain", "application/xml", "application/x-www-form-urlencoded", "application/yaml");

  static <T> T pick(List<T> list, int variant) {
    return list.get(Math.floorMod(variant, list.size()));
  }

  // ---------------------------------------------------------------- HTTP, in process

  static MockHttpServletResponse send(Request r) throws Exception {
    MockHttpServletRequestBuilder b =
        MockMvcRequestBuilders.request(HttpMethod.valueOf(r.method()), java.net.URI.create(r.uri()))
            // as the admin, without a password check per case (logins have their own tests)
            .with(user(admin));
    if (r.body() != null) {
      b.content(r.body());
    }
    if (r.contentType() != null) {
      b.contentType(r.contentType());
    }
    MvcResult result = mvc.perform(b).andReturn();
    if (result.getRequest().isAsyncStarted()) {
      // a streamed body (evaluate) is written after the handler returns
      result = mvc.perform(MockMvcRequestBuilders.asyncDispatch(result)).andReturn();
    }
    return result.getResponse();
  }

  static MockHttpServletResponse call(String method, String path, JsonNode body) throws Exception {
    return send(
        new Request(
            method,
            path,
            body == null ? null : JSON.writeValueAsString(body),
            body == null ? null : "application/json",
            List.of()));
  }

  static String ok(MockHttpServletResponse r) throws Exception {
    assertThat(r.getStatus()).as(r.getContentAsString()).isBetween(200, 299);
    return r.getContentAsString();
  }

  static JsonNode json(String text) {
    try {
      return JSON.readTree(text);
    } catch (Exception e) {
      throw new IllegalArgumentException(e);
    }
  }

  static ObjectNode obj(String text) {
    return (ObjectNode) json(text);
  }
}
