package io.customerstudio.app.splits;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.customerstudio.app.ApiClient;
import io.customerstudio.app.AppTestSupport;
import io.customerstudio.infra.store.AuditStore;
import io.customerstudio.infra.store.RunStore;
import io.customerstudio.infra.warehouse.Warehouse;
import io.customerstudio.query.Problems;
import io.customerstudio.query.audience.AudienceJson;
import io.customerstudio.query.governance.Split;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.jooq.impl.DSL;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;

/**
 * Splits, the syncs' split groups and the holdout log through the API, on the demo warehouse (2,000
 * users): 4xx with JSON paths, sizes equal to the assignment computed in Java over the members'
 * keys, and the log read back from rows this test writes into the warehouse table (the runs that
 * write it are tested with the run side).
 */
class SplitApiTest extends AppTestSupport {

  static final AtomicInteger SEQ = new AtomicInteger();
  static final String SPLIT =
      """
      {"salt": "q4-test",
       "groups": [{"name": "treatment", "percent": 45},
                  {"name": "variant-b", "percent": 45},
                  {"name": "control", "percent": 10, "holdout": true}]}""";

  @LocalServerPort int port;
  @Autowired Warehouse warehouse;
  @Autowired AuditStore auditStore;
  @Autowired RunStore runStore;
  ApiClient admin;

  @BeforeEach
  void client() {
    admin = new ApiClient(port, "admin", ADMIN_PASSWORD);
  }

  String audience(String filter) {
    String key = "split-aud-" + SEQ.incrementAndGet();
    ApiClient.Response r =
        admin.post(
            "/api/v1/audiences",
            "{\"key\": \""
                + key
                + "\", \"name\": \"Split test\", \"definition\": {\"parent\": \"users\""
                + (filter == null ? "" : ", \"filter\": " + filter)
                + "}}");
    assertThat(r.status()).as(r.body()).isEqualTo(201);
    return key;
  }

  static List<String> paths(ApiClient.Response r) {
    List<String> out = new ArrayList<>();
    r.json().path("errors").forEach(e -> out.add(e.path("path").asText()));
    return out;
  }

  static String message(ApiClient.Response r, String path) {
    for (JsonNode e : r.json().path("errors")) {
      if (e.path("path").asText().equals(path)) {
        return e.path("message").asText();
      }
    }
    throw new AssertionError("no error at " + path + ": " + r.body());
  }

  @Test
  void putGetDeleteWithPathsAndAnAuditTrail() {
    String key = audience(null);
    assertThat(admin.get("/api/v1/audiences/" + key + "/split").status()).isEqualTo(404);
    assertThat(admin.put("/api/v1/audiences/no-such-aud/split", SPLIT).status()).isEqualTo(404);

    ApiClient.Response bad =
        admin.put(
            "/api/v1/audiences/" + key + "/split",
            """
            {"salt": "s", "groups": [{"name": "a", "percent": 50},
              {"name": "b", "percent": "lots"}, {"name": "a", "percent": 10.005}],
             "stratifyBy": "contry", "colour": 1}""");
    assertThat(bad.status()).as(bad.body()).isEqualTo(400);
    assertThat(bad.raw().headers().firstValue("Content-Type")).hasValue("application/problem+json");
    assertThat(paths(bad))
        .contains(
            "$.groups[1].percent",
            "$.groups[2].name",
            "$.groups[2].percent",
            "$.stratifyBy",
            "$.colour");
    assertThat(message(bad, "$.stratifyBy")).contains("did you mean \"country\"");
    ApiClient.Response sum =
        admin.put(
            "/api/v1/audiences/" + key + "/split",
            "{\"salt\": \"s\", \"groups\": [{\"name\": \"a\", \"percent\": 50.5}]}");
    assertThat(paths(sum)).containsExactly("$.groups");
    assertThat(message(sum, "$.groups")).contains("sum to 100").contains("50.5");

    ApiClient.Response put = admin.put("/api/v1/audiences/" + key + "/split", SPLIT);
    assertThat(put.status()).as(put.body()).isEqualTo(200);
    JsonNode got = admin.get("/api/v1/audiences/" + key + "/split").json();
    assertThat(got.get("salt").asText()).isEqualTo("q4-test");
    assertThat(got.get("groups")).hasSize(3);
    assertThat(got.at("/groups/2/holdout").asBoolean()).isTrue();
    assertThat(got.at("/groups/0/percent").decimalValue()).isEqualByComparingTo("45");
    assertThat(got.get("updatedBy").asText()).isEqualTo("admin");
    // stratifyBy takes traits as well as columns
    ApiClient.Response byTrait =
        admin.put(
            "/api/v1/audiences/" + key + "/split",
            SPLIT.replace("}]}", "}], \"stratifyBy\": \"value_tier\"}"));
    assertThat(byTrait.status()).as(byTrait.body()).isEqualTo(200);

    assertThat(admin.delete("/api/v1/audiences/" + key + "/split").status()).isEqualTo(204);
    assertThat(admin.get("/api/v1/audiences/" + key + "/split").status()).isEqualTo(404);
    assertThat(admin.delete("/api/v1/audiences/" + key + "/split").status()).isEqualTo(404);

    List<AuditStore.Entry> trail =
        auditStore.list(new AuditStore.Query("split", key, null, null, null, 0, 10, false));
    assertThat(trail)
        .extracting(AuditStore.Entry::action)
        .containsExactlyInAnyOrder("create", "update", "delete");
    AuditStore.Entry created =
        trail.stream().filter(e -> e.action().equals("create")).findFirst().orElseThrow();
    assertThat(created.before()).isNull();
    assertThat(AudienceJson.parse(created.after()).get("salt").asText()).isEqualTo("q4-test");
    assertThat(created.actor()).isEqualTo("admin");
  }

  @Test
  void sizesEqualTheJavaAssignmentOverTheMembersKeys() throws Exception {
    String filter =
        "{\"type\": \"property\", \"column\": \"marketing_opt_in\", \"op\": \"is_true\"}";
    String key = audience(filter);
    assertThat(admin.get("/api/v1/audiences/" + key + "/split/sizes").status()).isEqualTo(404);
    assertThat(admin.put("/api/v1/audiences/" + key + "/split", SPLIT).status()).isEqualTo(200);
    Split split = read(SPLIT);

    List<String> keys = members(key);
    assertThat(keys).hasSizeGreaterThan(500);
    Map<String, Long> expected = new LinkedHashMap<>();
    split.names().forEach(n -> expected.put(n, 0L));
    keys.forEach(k -> expected.merge(split.groupOf(Split.bucket(split.salt(), k)), 1L, Long::sum));

    JsonNode sizes = admin.get("/api/v1/audiences/" + key + "/split/sizes").json();
    assertThat(sizes.get("members").asLong()).isEqualTo(keys.size());
    assertThat(groups(sizes.get("groups"))).isEqualTo(expected);
    assertThat(sizes.at("/groups/2/holdout").asBoolean()).isTrue();
    for (JsonNode g : sizes.get("groups")) {
      double p = g.get("percent").asDouble() / 100;
      double sd = Math.sqrt(keys.size() * p * (1 - p));
      assertThat((double) g.get("members").asLong())
          .isCloseTo(keys.size() * p, org.assertj.core.data.Offset.offset(4 * sd));
    }

    // stratified by country: each stratum within one member of the exact shares, and equal to
    // the rank rule computed here from the warehouse's own rows
    String stratified = SPLIT.replace("}]}", "}], \"stratifyBy\": \"country\"}");
    assertThat(admin.put("/api/v1/audiences/" + key + "/split", stratified).status())
        .isEqualTo(200);
    Map<String, String> country = new HashMap<>();
    warehouse
        .dsl()
        .fetch("select user_id::text as k, country from demo.users where marketing_opt_in")
        .forEach(r -> country.put(r.get("k", String.class), r.get("country", String.class)));
    assertThat(country.keySet()).containsExactlyInAnyOrderElementsOf(keys);
    JsonNode s = admin.get("/api/v1/audiences/" + key + "/split/sizes").json();
    assertThat(s.get("stratifyBy").asText()).isEqualTo("country");
    Map<String, Map<String, Long>> javaStrata = stratified(read(stratified), keys, country);
    assertThat(s.get("strataCount").asLong()).isEqualTo(javaStrata.size());
    Map<String, Map<String, Long>> apiStrata = new HashMap<>();
    for (JsonNode st : s.get("strata")) {
      Map<String, Long> gs = new LinkedHashMap<>();
      st.get("groups").fields().forEachRemaining(e -> gs.put(e.getKey(), e.getValue().asLong()));
      apiStrata.put(st.get("value").isNull() ? null : st.get("value").asText(), gs);
      for (Split.Group g : split.groups()) {
        double exact = st.get("members").asLong() * g.percent().doubleValue() / 100;
        assertThat((double) gs.get(g.name()))
            .isCloseTo(exact, org.assertj.core.data.Offset.offset(1.0));
      }
    }
    assertThat(apiStrata).isEqualTo(javaStrata);
  }

  @Test
  void syncsChooseSplitGroupsAndMapTheGroup() {
    String key = audience(null);
    String plain = audience(null);
    String dest = "split-dest-" + SEQ.incrementAndGet();
    assertThat(
            admin
                .post(
                    "/api/v1/destinations",
                    "{\"key\": \""
                        + dest
                        + "\", \"name\": \"Split file\", \"type\": \"file\", \"config\":"
                        + " {\"directory\": \"splits\", \"format\": \"csv\", \"batchSize\": 500}}")
                .status())
        .isEqualTo(201);
    assertThat(admin.put("/api/v1/audiences/" + key + "/split", SPLIT).status()).isEqualTo(200);

    ApiClient.Response noSplit =
        admin.post(
            "/api/v1/syncs",
            sync(
                "s-none",
                plain,
                dest,
                ", \"splitGroups\": [\"treatment\"], \"mapping\": [{\"from\": \"split.group\", \"to\": \"g\"}]"));
    assertThat(noSplit.status()).as(noSplit.body()).isEqualTo(400);
    assertThat(paths(noSplit)).contains("$.splitGroups", "$.mapping[0].from");
    assertThat(message(noSplit, "$.mapping[0].from")).contains("has no split");

    ApiClient.Response wrong =
        admin.post(
            "/api/v1/syncs",
            sync("s-wrong", key, dest, ", \"splitGroups\": [\"treatmnet\", \"control\", 7]"));
    assertThat(wrong.status()).as(wrong.body()).isEqualTo(400);
    assertThat(paths(wrong)).contains("$.splitGroups[2]");
    ApiClient.Response wrong2 =
        admin.post(
            "/api/v1/syncs",
            sync("s-wrong", key, dest, ", \"splitGroups\": [\"treatmnet\", \"control\"]"));
    assertThat(paths(wrong2)).containsExactlyInAnyOrder("$.splitGroups[0]", "$.splitGroups[1]");
    assertThat(message(wrong2, "$.splitGroups[0]"))
        .contains("[treatment, variant-b, control]")
        .contains("did you mean \"treatment\"");
    assertThat(message(wrong2, "$.splitGroups[1]")).contains("holdout groups are never delivered");

    String syncKey = "split-sync-" + SEQ.incrementAndGet();
    ApiClient.Response ok =
        admin.post(
            "/api/v1/syncs",
            sync(
                syncKey,
                key,
                dest,
                ", \"splitGroups\": [\"treatment\"], \"mapping\": [{\"from\": \"split.group\", \"to\": \"group\"}]"));
    assertThat(ok.status()).as(ok.body()).isEqualTo(201);
    JsonNode got = admin.get("/api/v1/syncs/" + syncKey).json();
    assertThat(got.get("splitGroups")).hasSize(1);
    assertThat(got.at("/splitGroups/0").asText()).isEqualTo("treatment");
    assertThat(got.at("/mapping/0/from").asText()).isEqualTo("split.group");

    // the split may not drop or hold out a group a sync delivers, nor go while one is chosen
    ApiClient.Response drop =
        admin.put(
            "/api/v1/audiences/" + key + "/split",
            "{\"salt\": \"q4-test\", \"groups\": [{\"name\": \"variant-b\", \"percent\": 90},"
                + " {\"name\": \"control\", \"percent\": 10, \"holdout\": true}]}");
    assertThat(drop.status()).as(drop.body()).isEqualTo(409);
    assertThat(drop.json().get("detail").asText()).contains(syncKey).contains("treatment");
    assertThat(admin.delete("/api/v1/audiences/" + key + "/split").status()).isEqualTo(409);

    // back to the default (every group that is not a holdout): then the split may go
    ApiClient.Response reset = admin.put("/api/v1/syncs/" + syncKey, sync(syncKey, key, dest, ""));
    assertThat(reset.status()).as(reset.body()).isEqualTo(200);
    assertThat(reset.json().get("splitGroups").isNull()).isTrue();
    assertThat(admin.delete("/api/v1/audiences/" + key + "/split").status()).isEqualTo(204);
  }

  @Test
  void theHoldoutLogPagesByMemberKeyPerRunAndNewestFirstPerAudience() throws Exception {
    String key = audience(null);
    String dest = "split-dest-" + SEQ.incrementAndGet();
    admin.post(
        "/api/v1/destinations",
        "{\"key\": \""
            + dest
            + "\", \"name\": \"Log file\", \"type\": \"file\", \"config\":"
            + " {\"directory\": \"splits\", \"format\": \"csv\", \"batchSize\": 500}}");
    String syncA = "log-a-" + SEQ.incrementAndGet();
    String syncB = "log-b-" + SEQ.incrementAndGet();
    assertThat(admin.post("/api/v1/syncs", sync(syncA, key, dest, "")).status()).isEqualTo(201);
    assertThat(admin.post("/api/v1/syncs", sync(syncB, key, dest, "")).status()).isEqualTo(201);
    String run1 = runStore.enqueue(syncA, "manual").orElseThrow().runId();
    String run2 = runStore.enqueue(syncB, "manual").orElseThrow().runId();
    OffsetDateTime t1 = OffsetDateTime.of(2026, 11, 2, 6, 0, 0, 123_456_000, ZoneOffset.UTC);
    OffsetDateTime t2 = t1.plusDays(1);
    var log = DSL.table(DSL.name("cs_logs", "holdout_log"));
    for (int i = 0; i < 25; i++) {
      insert(log, syncA, run1, key, i % 2 == 0 ? "control" : "control-2", "k" + (100 + i), t1);
    }
    for (int i = 0; i < 7; i++) {
      insert(log, syncB, run2, key, "control", "k" + (200 + i), t2);
    }

    // per run, by member key, paged by the last key
    assertThat(admin.get("/api/v1/runs/no-such-run/holdouts").status()).isEqualTo(404);
    List<String> seen = new ArrayList<>();
    String after = "";
    for (int page = 0; page < 10; page++) {
      JsonNode p = admin.get("/api/v1/runs/" + run1 + "/holdouts?limit=10&after=" + after).json();
      p.forEach(e -> seen.add(e.get("memberKey").asText()));
      if (p.size() < 10) {
        break;
      }
      after = p.get(p.size() - 1).get("memberKey").asText();
    }
    assertThat(seen).hasSize(25).isSorted().doesNotHaveDuplicates();
    JsonNode first = admin.get("/api/v1/runs/" + run1 + "/holdouts?limit=1").json().get(0);
    assertThat(first.get("syncKey").asText()).isEqualTo(syncA);
    assertThat(first.get("runId").asText()).isEqualTo(run1);
    assertThat(first.get("audience").asText()).isEqualTo(key);
    assertThat(first.get("group").asText()).isEqualTo("control");
    assertThat(first.get("memberKey").asText()).isEqualTo("k100");
    assertThat(OffsetDateTime.parse(first.get("loggedAt").asText()).toInstant())
        .isEqualTo(t1.toInstant());
    assertThat(admin.get("/api/v1/runs/" + run1 + "/holdouts?group=control-2").json()).hasSize(12);
    ApiClient.Response badLimit = admin.get("/api/v1/runs/" + run1 + "/holdouts?limit=0");
    assertThat(badLimit.status()).isEqualTo(400);
    assertThat(paths(badLimit)).containsExactly("$.limit");

    ApiClient.Response csv = admin.get("/api/v1/runs/" + run1 + "/holdouts.csv?group=control");
    assertThat(csv.status()).isEqualTo(200);
    assertThat(csv.raw().headers().firstValue("Content-Type").orElse("")).startsWith("text/csv");
    List<String> lines = csv.body().lines().toList();
    assertThat(lines.get(0)).isEqualTo("sync_key,run_id,audience,split_group,member_key,logged_at");
    assertThat(lines).hasSize(1 + 13);
    assertThat(lines.get(1))
        .isEqualTo(syncA + "," + run1 + "," + key + ",control,k100," + t1.toInstant());
    assertThat(admin.get("/api/v1/runs/nope/holdouts.csv").status()).isEqualTo(404);

    // per audience: newest first, then run and key; the cursor from the X-Next-After header
    assertThat(admin.get("/api/v1/audiences/no-such-aud/holdouts").status()).isEqualTo(404);
    List<String> order = new ArrayList<>();
    String cursor = null;
    for (int page = 0; page < 10; page++) {
      ApiClient.Response r =
          admin.get(
              "/api/v1/audiences/"
                  + key
                  + "/holdouts?limit=8"
                  + (cursor == null
                      ? ""
                      : "&after=" + java.net.URLEncoder.encode(cursor, StandardCharsets.UTF_8)));
      assertThat(r.status()).as(r.body()).isEqualTo(200);
      r.json().forEach(e -> order.add(e.get("memberKey").asText()));
      cursor = r.raw().headers().firstValue("X-Next-After").orElse(null);
      if (cursor == null) {
        break;
      }
    }
    List<String> expected = new ArrayList<>();
    for (int i = 0; i < 7; i++) {
      expected.add("k" + (200 + i));
    }
    for (int i = 0; i < 25; i++) {
      expected.add("k" + (100 + i));
    }
    assertThat(order).isEqualTo(expected);
    assertThat(admin.get("/api/v1/audiences/" + key + "/holdouts?sync=" + syncA).json())
        .hasSize(25);
    assertThat(admin.get("/api/v1/audiences/" + key + "/holdouts?since=" + t2.toInstant()).json())
        .hasSize(7);
    assertThat(admin.get("/api/v1/audiences/" + key + "/holdouts?group=control-2").json())
        .hasSize(12);
    ApiClient.Response badSince = admin.get("/api/v1/audiences/" + key + "/holdouts?since=monday");
    assertThat(badSince.status()).isEqualTo(400);
    assertThat(paths(badSince)).containsExactly("$.since");
    ApiClient.Response badAfter = admin.get("/api/v1/audiences/" + key + "/holdouts?after=x");
    assertThat(paths(badAfter)).containsExactly("$.after");
    ApiClient.Response all = admin.get("/api/v1/audiences/" + key + "/holdouts.csv?sync=" + syncB);
    assertThat(all.body().lines().count()).isEqualTo(1 + 7);
  }

  // ---------------------------------------------------------------- helpers

  void insert(
      org.jooq.Table<?> log,
      String sync,
      String run,
      String audience,
      String group,
      String member,
      OffsetDateTime at) {
    warehouse
        .dsl()
        .insertInto(log)
        .columns(
            DSL.field("sync_key"),
            DSL.field("run_id"),
            DSL.field("audience"),
            DSL.field("split_group"),
            DSL.field("member_key"),
            DSL.field("logged_at"))
        .values(sync, run, audience, group, member, at)
        .execute();
  }

  static String sync(String key, String audience, String destination, String extra) {
    return "{\"key\": \""
        + key
        + "\", \"name\": \"Split sync\", \"audience\": \""
        + audience
        + "\", \"destination\": \""
        + destination
        + "\", \"mode\": \"upsert\", \"identifier\": {\"from\": \"email\", \"to\": \"email\"},"
        + " \"enabled\": false"
        + extra
        + "}";
  }

  List<String> members(String audience) {
    ApiClient.Response r =
        admin.post("/api/v1/audiences/evaluate", "{\"audience\": \"" + audience + "\"}");
    assertThat(r.status()).as(r.body()).isEqualTo(200);
    return r.body().lines().filter(l -> !l.isEmpty()).toList();
  }

  static Split read(String json) {
    Problems p = new Problems();
    Split s = Split.read(AudienceJson.parse(json), "$", p);
    p.throwIfAny();
    return s;
  }

  static Map<String, Long> groups(JsonNode array) {
    Map<String, Long> out = new LinkedHashMap<>();
    array.forEach(g -> out.put(g.get("name").asText(), g.get("members").asLong()));
    return out;
  }

  /** The stratified rule in Java: rank by md5(salt ':' key) within the stratum. */
  static Map<String, Map<String, Long>> stratified(
      Split split, List<String> keys, Map<String, String> stratumOf) throws Exception {
    Map<String, List<String>> strata = new HashMap<>();
    keys.forEach(k -> strata.computeIfAbsent(stratumOf.get(k), x -> new ArrayList<>()).add(k));
    int[] bounds = split.bounds();
    Map<String, Map<String, Long>> out = new HashMap<>();
    MessageDigest md5 = MessageDigest.getInstance("MD5");
    for (var e : strata.entrySet()) {
      List<String> ks = new ArrayList<>(e.getValue());
      Map<String, String> hash = new HashMap<>();
      for (String k : ks) {
        byte[] d = md5.digest((split.salt() + ":" + k).getBytes(StandardCharsets.UTF_8));
        hash.put(k, String.format("%032x", new BigInteger(1, d)));
      }
      ks.sort(Comparator.comparing(hash::get));
      long n = ks.size();
      Map<String, Long> gs = new LinkedHashMap<>();
      split.names().forEach(x -> gs.put(x, 0L));
      for (int rank = 0; rank < n; rank++) {
        int g = 0;
        while (g < bounds.length - 1 && rank >= n * bounds[g] / Split.BUCKETS) {
          g++;
        }
        gs.merge(split.groups().get(g).name(), 1L, Long::sum);
      }
      out.put(e.getKey(), gs);
    }
    return out;
  }
}
