package io.customerstudio.app.syncs;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.customerstudio.app.ApiClient;
import io.customerstudio.app.AppTestSupport;
import io.customerstudio.infra.store.ConsentStore;
import io.customerstudio.infra.store.DestinationStore;
import io.customerstudio.infra.store.SplitStore;
import io.customerstudio.infra.warehouse.Warehouse;
import io.customerstudio.query.governance.Split;
import java.math.BigDecimal;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;

/**
 * A governed sync end to end, on the demo warehouse, the in-process Temporal server and a local
 * webhook sink: consent (the demo's OneTrust-shaped receipts), a destination rule and a split with
 * a holdout, checked against expectations computed here by hand-written SQL and {@link
 * Split#bucket}: what was sent, what each reason excluded, the holdout log, the members invariant,
 * the why answer for every member, and a withdrawal removed on the next run.
 */
class GovernedSyncTest extends AppTestSupport {

  static SyncSink sink;

  @LocalServerPort int port;
  @Autowired Warehouse warehouse;
  @Autowired SplitStore splits;
  @Autowired ConsentStore consent;
  @Autowired DestinationStore destinations;

  static final Split SPLIT =
      new Split(
          "gov-test",
          List.of(
              new Split.Group("treatment", new BigDecimal("45.00"), false),
              new Split.Group("variant", new BigDecimal("45.00"), false),
              new Split.Group("control", new BigDecimal("10.00"), true)),
          null);

  @BeforeAll
  static void startSink() throws Exception {
    sink = new SyncSink();
  }

  @AfterAll
  static void stopSink() {
    sink.close();
  }

  ApiClient admin() {
    return new ApiClient(port, "admin", ADMIN_PASSWORD);
  }

  @Test
  void consentRuleAndHoldoutDecideWhoIsSentAndWhyAgreesWithTheRun() throws Exception {
    ApiClient admin = admin();
    assertThat(
            admin
                .post(
                    "/api/v1/destinations",
                    """
                    {"key": "gov-hook", "name": "Ads", "type": "webhook",
                     "config": {"url": "%s", "batchSize": 100, "requestsPerSecond": 1000,
                                "signingSecret": "%s"}}"""
                        .formatted(sink.url(), SyncSink.SECRET))
                .status())
        .isEqualTo(201);
    assertThat(
            admin
                .post(
                    "/api/v1/audiences",
                    """
                    {"key": "gov-aud", "name": "Germany", "definition": {"parent": "users",
                      "filter": {"type": "and", "conditions": [
                        {"type": "property", "column": "country", "op": "eq", "value": "DE"}]}}}""")
                .status())
        .isEqualTo(201);
    ApiClient.Response created =
        admin.post(
            "/api/v1/syncs",
            """
            {"key": "gov", "audience": "gov-aud", "destination": "gov-hook", "mode": "upsert",
             "mapping": [{"from": "first_name", "to": "firstName"}],
             "identifier": {"from": "user_id", "to": "id"},
             "schedule": {"type": "manual"}, "enabled": true}""");
    assertThat(created.status()).as(created.body()).isEqualTo(201);
    splits.put("gov-aud", SPLIT.salt(), SPLIT.toJson().get("groups").toString(), null, "admin");
    consent.put(
        """
        {"source": {"table": "demo.consent"}, "subjectColumn": "data_subject_identifier",
         "purposeColumn": "purpose", "statusColumn": "status", "timestampColumn": "updated_at",
         "parentColumn": "email", "missing": {"default": "block"}}""",
        "admin");
    destinations.setRuleAndPurposes(
        "gov-hook",
        """
        {"type": "property", "column": "loyalty_member", "op": "eq", "value": true}""",
        "[\"advertising\"]");

    String first = runToSuccess();
    Map<String, String> expected = expectedReasons();
    Set<String> members = members();
    Set<String> sent = new TreeSet<>(members);
    sent.removeAll(expected.keySet());
    assertThat(expected.values()).contains("consent", "rule", "holdout");
    assertThat(sent).isNotEmpty();

    JsonNode run = admin.get("/api/v1/runs/" + first).json();
    JsonNode excluded = run.get("excluded");
    Map<String, Long> byReason =
        expected.values().stream().collect(Collectors.groupingBy(r -> r, Collectors.counting()));
    for (String reason : List.of("consent", "rule", "holdout")) {
      assertThat(excluded.get(reason).asLong()).as(reason).isEqualTo(byReason.get(reason));
    }
    assertThat(excluded.get("subset").asLong()).isZero();
    assertThat(excluded.get("priority").asLong()).isZero();
    // members = sent (added) + unchanged + excluded, and the sink has exactly the sent ones
    JsonNode counts = run.get("counts");
    assertThat(counts.get("members").asLong()).isEqualTo(members.size());
    assertThat(counts.get("added").asLong() + counts.get("unchanged").asLong())
        .isEqualTo(sent.size());
    assertThat(
            counts.get("added").asLong()
                + counts.get("changed").asLong()
                + counts.get("unchanged").asLong()
                + expected.size())
        .isEqualTo(members.size());
    assertThat(SyncEndToEndTest.keysOf(sink.applied(), first, "upsert")).isEqualTo(sent);

    // the exclusions, paged by key, are exactly the expected ones
    Map<String, String> listed = new TreeMap<>();
    String after = null;
    while (true) {
      JsonNode page =
          admin
              .get(
                  "/api/v1/runs/"
                      + first
                      + "/exclusions?limit=50"
                      + (after == null ? "" : "&after=" + after))
              .json();
      if (page.isEmpty()) {
        break;
      }
      for (JsonNode x : page) {
        listed.put(x.get("key").asText(), x.get("reason").asText());
        after = x.get("key").asText();
      }
    }
    assertThat(listed).isEqualTo(new TreeMap<>(expected));
    assertThat(admin.get("/api/v1/runs/" + first + "/exclusions?reason=nope").status())
        .isEqualTo(400);

    // the holdout log holds exactly the held-out members, in their group
    Set<String> holdouts =
        expected.entrySet().stream()
            .filter(e -> e.getValue().equals("holdout"))
            .map(Map.Entry::getKey)
            .collect(Collectors.toCollection(TreeSet::new));
    assertThat(
            new TreeSet<>(
                warehouse
                    .dsl()
                    .fetch(
                        "select member_key from cs_logs.holdout_log where run_id = ?"
                            + " and split_group = 'control' and sync_key = 'gov'",
                        first)
                    .getValues(0, String.class)))
        .isEqualTo(holdouts);

    // why agrees with the run: every tenth member, and the first of each reason
    List<String> asked = new java.util.ArrayList<>();
    int i = 0;
    for (String key : members) {
      if (i++ % 10 == 0) {
        asked.add(key);
      }
    }
    for (String reason : List.of("consent", "rule", "holdout")) {
      expected.entrySet().stream()
          .filter(e -> e.getValue().equals(reason))
          .findFirst()
          .ifPresent(e -> asked.add(e.getKey()));
    }
    for (String key : asked) {
      JsonNode why = admin.get("/api/v1/syncs/gov/why/" + key).json();
      assertThat(why.get("member").asBoolean()).as(key).isTrue();
      if (sent.contains(key)) {
        assertThat(why.get("result").asText()).as(key).isEqualTo("sent");
        assertThat(why.get("lastDelivery").get("runId").asText()).isEqualTo(first);
      } else {
        assertThat(why.get("result").asText()).as(key).isEqualTo("suppressed");
        assertThat(why.get("reason").asText()).as(key).isEqualTo(expected.get(key));
      }
      assertThat(why.get("now").get("result").asText()).isEqualTo(why.get("result").asText());
      assertThat(why.get("conditions").get(0).get("path").asText())
          .isEqualTo("$.filter.conditions[0]");
      assertThat(why.get("split").get("group").asText())
          .isEqualTo(SPLIT.groupOf(Split.bucket(SPLIT.salt(), key)));
    }

    // a sent person withdraws consent: the next run removes them from the destination
    String withdrawn = sent.iterator().next();
    warehouse
        .dsl()
        .execute(
            "insert into demo.consent (receipt_id, data_subject_identifier, purpose, status,"
                + " collection_point, updated_at) select 999999999, '  ' || upper(email) || ' ',"
                + " 'Advertising ', 'withdrawn', 'preference_center', now() + interval '1 day'"
                + " from demo.users where user_id = ?",
            Long.parseLong(withdrawn));
    String second = runToSuccess();
    assertThat(SyncEndToEndTest.keysOf(sink.applied(), second, "delete"))
        .containsExactly(withdrawn);
    assertThat(sink.records()).doesNotContainKey(withdrawn);
    JsonNode why = admin.get("/api/v1/syncs/gov/why/" + withdrawn).json();
    assertThat(why.get("result").asText()).isEqualTo("suppressed");
    assertThat(why.get("reason").asText()).isEqualTo("consent");
    assertThat(why.get("detail").asText()).isEqualTo("advertising: WITHDRAWN");
    assertThat(why.get("lastDelivery").get("op").asText()).isEqualTo("delete");
    assertThat(why.get("consent").get(0).get("allows").asBoolean()).isFalse();
  }

  String runToSuccess() throws InterruptedException {
    ApiClient.Response r = admin().post("/api/v1/syncs/gov/runs", "");
    assertThat(r.status()).as(r.body()).isEqualTo(202);
    String runId = r.json().get("runId").asText();
    long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
    JsonNode run = null;
    while (System.nanoTime() < deadline) {
      run = admin().get("/api/v1/runs/" + runId).json();
      String status = run.get("status").asText();
      if (status.equals("succeeded")) {
        return runId;
      }
      assertThat(status).as(run.toString()).isNotIn("failed", "cancelled", "interrupted");
      Thread.sleep(100);
    }
    throw new AssertionError("run " + runId + " did not succeed: " + run);
  }

  Set<String> members() {
    return new TreeSet<>(
        warehouse
            .dsl()
            .fetch("select user_id::text from demo.users where country = 'DE'")
            .getValues(0, String.class));
  }

  /**
   * Each excluded member's first reason, computed here: consent for advertising (latest receipt
   * wins, a tie or no receipt blocks, ACTIVE/ALWAYS_ACTIVE allow), then the rule (loyalty members),
   * then the holdout group.
   */
  Map<String, String> expectedReasons() {
    Set<String> allowed =
        new TreeSet<>(
            warehouse
                .dsl()
                .fetch(
                    """
                    with r as (select lower(trim(data_subject_identifier)) s,
                                      upper(trim(status)) st, updated_at
                               from demo.consent where lower(trim(purpose)) = 'advertising'),
                         latest as (select s, max(updated_at) at from r group by s),
                         decided as (select r.s, count(*) n, min(r.st) st
                                     from r join latest l on l.s = r.s and l.at = r.updated_at
                                     group by r.s)
                    select u.user_id::text from demo.users u
                    join decided d on d.s = lower(trim(u.email))
                    where u.country = 'DE' and d.n = 1 and d.st in ('ACTIVE', 'ALWAYS_ACTIVE')""")
                .getValues(0, String.class));
    Set<String> loyal =
        new TreeSet<>(
            warehouse
                .dsl()
                .fetch(
                    "select user_id::text from demo.users where country = 'DE' and loyalty_member")
                .getValues(0, String.class));
    Map<String, String> out = new TreeMap<>();
    for (String key : members()) {
      if (!allowed.contains(key)) {
        out.put(key, "consent");
      } else if (!loyal.contains(key)) {
        out.put(key, "rule");
      } else if (SPLIT.isHoldout(SPLIT.groupOf(Split.bucket(SPLIT.salt(), key)))) {
        out.put(key, "holdout");
      }
    }
    return out;
  }
}
