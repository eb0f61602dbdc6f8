package io.customerstudio.app.syncs;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.customerstudio.app.ApiClient;
import io.customerstudio.app.AppTestSupport;
import io.customerstudio.infra.temporal.TemporalWorker;
import io.customerstudio.infra.warehouse.Warehouse;
import io.customerstudio.workflows.sync.SyncRunWorkflow;
import io.customerstudio.workflows.sync.SyncService;
import io.temporal.client.WorkflowClient;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;

/**
 * Syncs end to end on the embedded PostgreSQL and the in-process Temporal server, delivering to a
 * local webhook that checks the wire format and applies each idempotency key once.
 */
class SyncEndToEndTest extends AppTestSupport {

  static SyncSink sink;

  @LocalServerPort int port;
  @Autowired Warehouse warehouse;
  @Autowired TemporalWorker worker;
  @Autowired WorkflowClient client;
  @Autowired SyncService syncService;
  @Autowired io.customerstudio.infra.config.StudioProperties properties;

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

  /** A webhook destination to the sink, an audience of German users up to an id, and a sync. */
  void setUp(String key, String mode, int maxUserId, int batchSize) {
    ApiClient admin = admin();
    assertThat(
            admin
                .post(
                    "/api/v1/destinations",
                    """
                    {"key": "%s-hook", "name": "Sink", "type": "webhook",
                     "config": {"url": "%s", "batchSize": %d, "requestsPerSecond": 1000,
                                "signingSecret": "%s"}}"""
                        .formatted(key, sink.url(), batchSize, SyncSink.SECRET))
                .status())
        .isEqualTo(201);
    assertThat(
            admin
                .post(
                    "/api/v1/audiences",
                    """
                    {"key": "%s-aud", "name": "%s", "definition": {"parent": "users", "filter":
                      {"type": "and", "conditions": [
                        {"type": "property", "column": "country", "op": "eq", "value": "DE"},
                        {"type": "property", "column": "user_id", "op": "lte", "value": %d}]}}}"""
                        .formatted(key, key, maxUserId))
                .status())
        .isEqualTo(201);
    ApiClient.Response sync =
        admin.post(
            "/api/v1/syncs",
            """
            {"key": "%s", "audience": "%s-aud", "destination": "%s-hook", "mode": "%s",
             "mapping": [{"from": "first_name", "to": "firstName"}, {"from": "city", "to": "city"},
                         {"from": "lifetime_value", "to": "ltv"}],
             "identifier": {"from": "user_id", "to": "id"},
             "schedule": {"type": "manual"}, "enabled": true}"""
                .formatted(key, key, key, mode));
    assertThat(sync.status()).as(sync.body()).isEqualTo(201);
    assertThat(sync.json().get("triggerSecret").asText()).startsWith("whsec_");
  }

  Set<String> members(int maxUserId) {
    return new TreeSet<>(
        warehouse
            .dsl()
            .fetch(
                "select user_id::text from demo.users where country = 'DE' and user_id <= ?",
                maxUserId)
            .getValues(0, String.class));
  }

  String run(String key) {
    ApiClient.Response r = admin().post("/api/v1/syncs/" + key + "/runs", "");
    assertThat(r.status()).as(r.body()).isEqualTo(202);
    return r.json().get("runId").asText();
  }

  JsonNode await(String runId, String... statuses) throws InterruptedException {
    return await(runId, Duration.ofSeconds(90), statuses);
  }

  JsonNode await(String runId, Duration patience, String... statuses) throws InterruptedException {
    long deadline = System.nanoTime() + patience.toNanos();
    JsonNode run = null;
    while (System.nanoTime() < deadline) {
      run = admin().get("/api/v1/runs/" + runId).json();
      if (List.of(statuses).contains(run.get("status").asText())) {
        return run;
      }
      Thread.sleep(100);
    }
    throw new AssertionError("run " + runId + " did not reach " + List.of(statuses) + ": " + run);
  }

  static Set<String> keysOf(Map<String, SyncSink.Applied> applied, String runId, String op) {
    Set<String> keys = new TreeSet<>();
    applied.values().stream()
        .filter(a -> a.idempotencyKey().startsWith(runId + "-"))
        .flatMap(a -> a.rows().stream())
        .filter(r -> r.startsWith(op + ":"))
        .forEach(r -> keys.add(r.substring(op.length() + 1)));
    return keys;
  }

  @Test
  void theFirstRunSendsTheMembersThenOnlyTheDiffAndMirrorRemoves() throws Exception {
    sink.reset();
    setUp("e2e-mirror", "mirror", 600, 25);
    Set<String> members = members(600);
    assertThat(members).hasSizeGreaterThan(30);

    String first = run("e2e-mirror");
    JsonNode done = await(first, "succeeded");
    assertThat(keysOf(sink.applied(), first, "upsert")).isEqualTo(members);
    assertThat(done.at("/counts/members").asLong()).isEqualTo(members.size());
    assertThat(done.at("/counts/added").asLong()).isEqualTo(members.size());
    assertThat(done.at("/counts/delivered").asLong()).isEqualTo(members.size());
    assertThat(done.get("phases"))
        .extracting(p -> p.get("phase").asText())
        .containsExactly("querying", "governing", "diffing", "delivering", "committing");
    assertThat(sink.violations()).isEmpty();

    // nothing changed: nothing moves
    String idle = run("e2e-mirror");
    assertThat(await(idle, "succeeded").at("/counts/delivered").asLong()).isZero();
    assertThat(keysOf(sink.applied(), idle, "upsert")).isEmpty();

    List<String> sorted = List.copyOf(members);
    List<String> renamed = sorted.subList(0, 3);
    List<String> moved = sorted.subList(3, 5);
    try {
      warehouse
          .dsl()
          .execute(
              "update demo.users set first_name = first_name || '~' where user_id::text = any(?)",
              (Object) renamed.toArray(String[]::new));
      warehouse
          .dsl()
          .execute(
              "update demo.users set country = 'XX' where user_id::text = any(?)",
              (Object) moved.toArray(String[]::new));

      // a dry run shows exactly that diff, and sends nothing
      int before = sink.applied().size();
      JsonNode dry = admin().post("/api/v1/syncs/e2e-mirror/dry-run", "").json();
      assertThat(dry.get("changed").asLong()).isEqualTo(3);
      assertThat(dry.get("removed").asLong()).isEqualTo(2);
      assertThat(dry.get("added").asLong()).isZero();
      assertThat(dry.get("changedSample"))
          .extracting(r -> r.get("key").asText())
          .containsExactlyInAnyOrderElementsOf(renamed);
      assertThat(dry.at("/changedSample/0/fields/firstName").asText()).endsWith("~");
      assertThat(sink.applied()).hasSize(before);

      String diff = run("e2e-mirror");
      JsonNode r = await(diff, "succeeded");
      assertThat(keysOf(sink.applied(), diff, "upsert"))
          .containsExactlyInAnyOrderElementsOf(renamed);
      assertThat(keysOf(sink.applied(), diff, "delete")).containsExactlyInAnyOrderElementsOf(moved);
      assertThat(r.at("/counts/changed").asLong()).isEqualTo(3);
      assertThat(r.at("/counts/removed").asLong()).isEqualTo(2);
      assertThat(sink.records().keySet()).isEqualTo(members(600));
      assertThat(sink.records().get(renamed.get(0))).contains("~");
    } finally {
      warehouse
          .dsl()
          .execute(
              "update demo.users set first_name = rtrim(first_name, '~') where user_id::text = any(?)",
              (Object) renamed.toArray(String[]::new));
      warehouse
          .dsl()
          .execute(
              "update demo.users set country = 'DE' where user_id::text = any(?)",
              (Object) moved.toArray(String[]::new));
    }

    // the enter/exit log answers who was in the audience at each run's evaluation
    JsonNode now =
        admin()
            .get(
                "/api/v1/audiences/e2e-mirror-aud/membership?limit=1000&at="
                    + java.time.Instant.now())
            .json();
    assertThat(now.get("members").asLong()).isEqualTo(members.size() - 2);
    JsonNode atFirst =
        admin()
            .get(
                "/api/v1/audiences/e2e-mirror-aud/membership?limit=1000&at="
                    + java.time.OffsetDateTime.parse(done.get("evaluatedAt").asText()).toInstant())
            .json();
    assertThat(atFirst.get("members").asLong()).isEqualTo(members.size());
    assertThat(atFirst.at("/page/0/version").asInt()).isEqualTo(1);
  }

  @Test
  void aFlakySinkStillGetsEveryRowOncePerIdempotencyKey() throws Exception {
    sink.reset();
    setUp("e2e-flaky", "upsert", 900, 4);
    Set<String> members = members(900);
    sink.failRate(0.3, 42);
    String runId = run("e2e-flaky");
    JsonNode r = await(runId, "succeeded");
    sink.failRate(0, 0);
    assertThat(sink.faults()).isGreaterThan(3);
    assertThat(keysOf(sink.applied(), runId, "upsert")).isEqualTo(members);
    // each row applied exactly once: retries reused their batch's idempotency key
    assertThat(sink.timesApplied().values()).containsOnly(1);
    assertThat(r.at("/counts/delivered").asLong()).isEqualTo(members.size());
    assertThat(sink.violations()).isEmpty();
  }

  @Test
  void rowsTheSinkRejectsAreRecordedAndRetriedNextRun() throws Exception {
    sink.reset();
    setUp("e2e-reject", "upsert", 500, 10);
    List<String> members = List.copyOf(members(500));
    String bad = members.get(4);
    sink.refuse(Set.of(bad));
    String first = run("e2e-reject");
    JsonNode r = await(first, "succeeded_with_errors");
    assertThat(r.at("/counts/rejected").asLong()).isEqualTo(1);
    assertThat(r.at("/counts/delivered").asLong()).isEqualTo(members.size() - 1);
    JsonNode errors = admin().get("/api/v1/runs/" + first + "/errors").json();
    assertThat(errors).hasSize(1);
    assertThat(errors.at("/0/key").asText()).isEqualTo(bad);
    assertThat(errors.at("/0/reason").asText()).contains("400");
    assertThat(keysOf(sink.applied(), first, "upsert"))
        .doesNotContain(bad)
        .hasSize(members.size() - 1);

    sink.refuse(Set.of());
    String second = run("e2e-reject");
    JsonNode again = await(second, "succeeded");
    assertThat(keysOf(sink.applied(), second, "upsert")).containsExactly(bad);
    assertThat(again.at("/counts/added").asLong()).isEqualTo(1);
  }

  @Test
  void aWorkerKilledMidDeliveryLosesNothingAndSendsNothingTwice() throws Exception {
    sink.reset();
    setUp("e2e-crash", "upsert", 700, 10);
    Set<String> members = members(700);
    var held = sink.hold(2);
    String runId = run("e2e-crash");
    assertThat(held.await(60, TimeUnit.SECONDS)).isTrue();
    worker.crash();
    sink.letGo();
    Thread.sleep(500);
    worker.start();
    JsonNode r = await(runId, "succeeded");
    assertThat(keysOf(sink.applied(), runId, "upsert")).isEqualTo(members);
    assertThat(sink.timesApplied().values()).containsOnly(1);
    assertThat(r.at("/counts/delivered").asLong()).isEqualTo(members.size());
    assertThat(sink.violations()).isEmpty();
  }

  /**
   * The scaled outage drill: the destination answers 503 for 25 s, six times the heartbeat timeout
   * of these tests (the drill that failed on the landed jar was a 180 s outage against a 30 s
   * timeout). The run waits it out, heartbeating, and every row arrives once, never in flight in
   * two attempts at once.
   */
  @Test
  void anOutageLongerThanTheHeartbeatTimeoutDelaysTheRunButDoesNotFailOrDoubleIt()
      throws Exception {
    sink.reset();
    setUp("e2e-outage", "upsert", 600, 10);
    Set<String> members = members(600);
    // -Ddrill.outageSeconds=180 runs the issue's full 3-minute drill (documented in operations.md)
    int outage = Integer.getInteger("drill.outageSeconds", 25);
    sink.outage(Duration.ofSeconds(outage));
    long start = System.nanoTime();
    String runId = run("e2e-outage");
    JsonNode r = await(runId, Duration.ofSeconds(outage + 95L), "succeeded", "failed");
    assertThat(r.get("status").asText()).as(r.toString()).isEqualTo("succeeded");
    assertThat(Duration.ofNanos(System.nanoTime() - start))
        .isGreaterThan(Duration.ofSeconds(outage - 1L));
    assertThat(r.get("attempts").asInt()).isEqualTo(1);
    assertThat(keysOf(sink.applied(), runId, "upsert")).isEqualTo(members);
    assertThat(sink.timesApplied().values()).containsOnly(1);
    assertThat(sink.violations()).isEmpty();
    // backoff (doubling to a minute), not a storm: a few tries per batch in parallel
    assertThat(sink.faults()).isBetween(4, 8 * (outage / 5 + 8));
  }

  /** Retry-After: 60 on the first two requests: honoured for every batch, the run succeeds. */
  @Test
  void retryAfterSixtySecondsIsHonouredWithoutFailingTheRunOrARetryStorm() throws Exception {
    sink.reset();
    setUp("e2e-throttle", "upsert", 300, 10);
    Set<String> members = members(300);
    sink.throttle(2, 60);
    String runId = run("e2e-throttle");
    JsonNode r = await(runId, Duration.ofSeconds(200), "succeeded", "failed");
    assertThat(r.get("status").asText()).as(r.toString()).isEqualTo("succeeded");
    assertThat(keysOf(sink.applied(), runId, "upsert")).isEqualTo(members);
    assertThat(sink.timesApplied().values()).containsOnly(1);
    assertThat(sink.violations()).isEmpty();
    // after the last 429, nothing came for the minute it asked for (requests already in flight
    // with it arrive within a moment)
    long last = sink.throttledAt().stream().max(Long::compare).orElseThrow();
    long quietEnd = last + Duration.ofSeconds(59).toNanos();
    assertThat(
            sink.requestTimes().stream()
                .filter(t -> t > last + Duration.ofMillis(500).toNanos() && t < quietEnd)
                .count())
        .isZero();
  }

  @Test
  void anInterruptedRunReplaysWithoutResendingWhatSucceeded() throws Exception {
    sink.reset();
    setUp("e2e-replay", "upsert", 800, 10);
    Set<String> members = members(800);
    var held = sink.hold(3);
    String runId = run("e2e-replay");
    assertThat(held.await(60, TimeUnit.SECONDS)).isTrue();
    // what a restart of the in-process server does: the workflows are gone, the store says
    // "in flight"; recovery marks the run interrupted
    client.newUntypedWorkflowStub(SyncRunWorkflow.workflowId(runId)).terminate("drill");
    client
        .newUntypedWorkflowStub(
            io.customerstudio.workflows.sync.SyncSchedulerWorkflow.workflowId("e2e-replay"))
        .terminate("drill");
    syncService.recover(true);
    sink.letGo();
    JsonNode interrupted = await(runId, "interrupted");
    assertThat(interrupted.get("replayable").asBoolean()).isTrue();
    Set<String> before = new HashSet<>(sink.applied().keySet());
    assertThat(before).contains(runId + "-0", runId + "-1", runId + "-2");

    ApiClient.Response replay = admin().post("/api/v1/runs/" + runId + "/replay", "");
    assertThat(replay.status()).as(replay.body()).isEqualTo(202);
    JsonNode r = await(runId, "succeeded");
    assertThat(r.get("attempts").asInt()).isEqualTo(2);
    assertThat(keysOf(sink.applied(), runId, "upsert")).isEqualTo(members);
    assertThat(sink.timesApplied().values()).containsOnly(1);
    // a finished run does not replay
    assertThat(admin().post("/api/v1/runs/" + runId + "/replay", "").status()).isEqualTo(409);
  }

  @Test
  void aCancelledRunStopsAndTheNextRunSendsTheRestOnce() throws Exception {
    sink.reset();
    setUp("e2e-cancel", "upsert", 700, 1);
    Set<String> members = members(700);
    sink.delay(400);
    String runId = run("e2e-cancel");
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (sink.applied().isEmpty() && System.nanoTime() < deadline) {
      Thread.sleep(50);
    }
    ApiClient.Response cancel = admin().post("/api/v1/runs/" + runId + "/cancel", "");
    assertThat(cancel.status()).as(cancel.body()).isEqualTo(202);
    JsonNode cancelled = await(runId, "cancelled");
    assertThat(cancelled.get("replayable").asBoolean()).isFalse();
    int sent = keysOf(sink.applied(), runId, "upsert").size();
    assertThat(sent).isPositive().isLessThan(members.size());
    // a finished run cannot be cancelled again
    assertThat(admin().post("/api/v1/runs/" + runId + "/cancel", "").status()).isEqualTo(409);

    sink.delay(0);
    String next = run("e2e-cancel");
    JsonNode r = await(next, "succeeded");
    Set<String> all = new TreeSet<>(keysOf(sink.applied(), runId, "upsert"));
    all.addAll(keysOf(sink.applied(), next, "upsert"));
    assertThat(all).isEqualTo(members);
    assertThat(sink.timesApplied().values()).containsOnly(1);
    assertThat(r.at("/counts/added").asLong()).isEqualTo(members.size() - sent);
  }

  @Test
  void aSignedWebhookTriggersARunAndABadSignatureIs401() throws Exception {
    sink.reset();
    setUp("e2e-hook", "upsert", 300, 50);
    String secret =
        admin()
            .post("/api/v1/syncs/e2e-hook/trigger-secret", "")
            .json()
            .get("triggerSecret")
            .asText();
    byte[] body =
        "{\"reason\": \"order placed\"}".getBytes(java.nio.charset.StandardCharsets.UTF_8);
    long now = java.time.Instant.now().getEpochSecond();
    var http = java.net.http.HttpClient.newHttpClient();
    java.util.function.BiFunction<String, Long, java.net.http.HttpResponse<String>> post =
        (s, t) -> {
          try {
            return http.send(
                java.net.http.HttpRequest.newBuilder(
                        java.net.URI.create(
                            "http://127.0.0.1:" + port + "/api/v1/webhooks/syncs/e2e-hook"))
                    .header(
                        io.customerstudio.activities.destinations.Signatures.HEADER,
                        io.customerstudio.activities.destinations.Signatures.sign(s, t, body))
                    .header("Content-Type", "application/json")
                    .POST(java.net.http.HttpRequest.BodyPublishers.ofByteArray(body))
                    .build(),
                java.net.http.HttpResponse.BodyHandlers.ofString());
          } catch (Exception e) {
            throw new IllegalStateException(e);
          }
        };
    assertThat(post.apply("whsec_wrong-secret-000000", now).statusCode()).isEqualTo(401);
    assertThat(post.apply(secret, now - 301).statusCode()).isEqualTo(401);
    assertThat(admin().get("/api/v1/syncs/e2e-hook/runs").json()).isEmpty();
    var ok = post.apply(secret, now);
    assertThat(ok.statusCode()).as(ok.body()).isEqualTo(202);
    String runId =
        new com.fasterxml.jackson.databind.ObjectMapper().readTree(ok.body()).get("runId").asText();
    JsonNode r = await(runId, "succeeded");
    assertThat(r.get("trigger").asText()).isEqualTo("webhook");
    assertThat(keysOf(sink.applied(), runId, "upsert")).isEqualTo(members(300));
  }

  @Test
  void badSyncsAre400sNamingTheFieldAndUsedThingsCannotBeDeleted() {
    sink.reset();
    setUp("e2e-bad", "upsert", 100, 50);
    ApiClient.Response r =
        admin()
            .post(
                "/api/v1/syncs",
                """
                {"key": "e2e-bad-2", "audience": "e2e-bad-aud", "destination": "nope",
                 "mode": "sideways", "mapping": [{"from": "shoe_size", "to": "size"}],
                 "identifier": {"from": "user_id"}, "schedule": {"type": "interval", "every": "PT1S"}}""");
    assertThat(r.status()).isEqualTo(400);
    assertThat(r.json().get("errors"))
        .extracting(e -> e.get("path").asText())
        .contains(
            "$.mode", "$.mapping[0].from", "$.identifier.to", "$.destination", "$.schedule.every");
    assertThat(admin().delete("/api/v1/audiences/e2e-bad-aud").status()).isEqualTo(409);
    assertThat(admin().delete("/api/v1/destinations/e2e-bad-hook").status()).isEqualTo(409);
    assertThat(admin().delete("/api/v1/syncs/e2e-bad").status()).isEqualTo(204);
    assertThat(admin().delete("/api/v1/destinations/e2e-bad-hook").status()).isEqualTo(204);
  }

  @Test
  void aPostgresTableIsMirroredAndAFileExportWrittenPerRun() throws Exception {
    String url = io.customerstudio.query.testing.TestPostgres.newDatabaseUrl("e2e_crm");
    ApiClient admin = admin();
    assertThat(
            admin
                .post(
                    "/api/v1/destinations",
                    """
                    {"key": "e2e-pg", "name": "CRM copy", "type": "postgres",
                     "config": {"url": "%s", "user": "postgres", "password": "",
                                "table": "crm.members", "batchSize": 40}}"""
                        .formatted(url))
                .status())
        .isEqualTo(201);
    assertThat(
            admin
                .post(
                    "/api/v1/destinations",
                    """
                    {"key": "e2e-file", "name": "Exports", "type": "file",
                     "config": {"directory": "e2e", "format": "jsonl"}}""")
                .status())
        .isEqualTo(201);
    admin.post(
        "/api/v1/audiences",
        """
        {"key": "e2e-table-aud", "name": "e2e table", "definition": {"parent": "users", "filter":
          {"type": "property", "column": "country", "op": "eq", "value": "FR"}}}""");
    for (String[] s :
        new String[][] {{"e2e-to-pg", "e2e-pg", "mirror"}, {"e2e-to-file", "e2e-file", "upsert"}}) {
      ApiClient.Response r =
          admin.post(
              "/api/v1/syncs",
              """
              {"key": "%s", "audience": "e2e-table-aud", "destination": "%s", "mode": "%s",
               "mapping": [{"from": "email", "to": "email"}, {"from": "city", "to": "city"}],
               "identifier": {"from": "user_id", "to": "id"}, "schedule": {"type": "interval", "every": "PT6H"},
               "snapshots": %s}"""
                  .formatted(s[0], s[1], s[2], s[1].equals("e2e-file")));
      assertThat(r.status()).as(r.body()).isEqualTo(201);
    }
    Set<String> members =
        new TreeSet<>(
            warehouse
                .dsl()
                .fetch("select user_id::text from demo.users where country = 'FR'")
                .getValues(0, String.class));

    // the destination's schema is missing: the run fails saying so, and stays replayable
    String pgRun = run("e2e-to-pg");
    JsonNode failed = await(pgRun, "failed");
    assertThat(failed.get("error").asText()).contains("schema \"crm\" does not exist");
    assertThat(failed.get("replayable").asBoolean()).isTrue();
    var crm = org.jooq.impl.DSL.using(url, "postgres", "");
    crm.execute("create schema crm");
    assertThat(admin.post("/api/v1/runs/" + pgRun + "/replay", "").status()).isEqualTo(202);
    await(pgRun, "succeeded");
    assertThat(new TreeSet<>(crm.fetch("select key from crm.members").getValues(0, String.class)))
        .isEqualTo(members);
    assertThat(crm.fetchValue("select fields->>'email' from crm.members limit 1").toString())
        .contains("@");

    String fileRun = run("e2e-to-file");
    await(fileRun, "succeeded");
    java.nio.file.Path dir = properties.exports().resolve("e2e").resolve("e2e-to-file");
    List<String> lines = java.nio.file.Files.readAllLines(dir.resolve(fileRun + ".jsonl"));
    assertThat(lines).hasSize(members.size());
    // that sync keeps a snapshot after every run
    JsonNode snaps = admin.get("/api/v1/audiences/e2e-table-aud/snapshots").json();
    assertThat(snaps).hasSize(1);
    assertThat(snaps.at("/0/runId").asText()).isEqualTo(fileRun);
    assertThat(snaps.at("/0/members").asLong()).isEqualTo(members.size());
    JsonNode manifest =
        new com.fasterxml.jackson.databind.ObjectMapper()
            .readTree(dir.resolve(fileRun + ".manifest.json").toFile());
    assertThat(manifest.get("rows").asInt()).isEqualTo(members.size());
    crm.close();
  }

  @Test
  void snapshotsKeepMembersAsCsv() throws Exception {
    setUp("e2e-snap", "upsert", 200, 50);
    ApiClient.Response taken = admin().post("/api/v1/audiences/e2e-snap-aud/snapshots", "");
    assertThat(taken.status()).as(taken.body()).isEqualTo(201);
    long id = taken.json().get("id").asLong();
    assertThat(taken.json().get("members").asLong()).isEqualTo(members(200).size());
    ApiClient.Response csv = admin().get("/api/v1/snapshots/" + id + "/members");
    assertThat(csv.status()).isEqualTo(200);
    List<String> lines = csv.body().lines().toList();
    assertThat(lines.get(0)).isEqualTo("key");
    assertThat(new TreeSet<>(lines.subList(1, lines.size()))).isEqualTo(members(200));
    assertThat(admin().get("/api/v1/audiences/e2e-snap-aud/snapshots").json()).hasSize(1);
    assertThat(Duration.ZERO).isZero();
  }
}
