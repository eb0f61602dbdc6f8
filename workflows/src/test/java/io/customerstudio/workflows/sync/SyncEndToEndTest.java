package io.customerstudio.workflows.sync;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import io.customerstudio.activities.delivery.Delivery;
import io.customerstudio.activities.delivery.DestinationRuntimes;
import io.customerstudio.activities.governance.Policies;
import io.customerstudio.activities.sync.AdoptSyncStates;
import io.customerstudio.activities.sync.DeliveredState;
import io.customerstudio.activities.sync.ExclusionLog;
import io.customerstudio.activities.sync.MembershipLog;
import io.customerstudio.activities.sync.RunTables;
import io.customerstudio.activities.sync.SyncActivitiesImpl;
import io.customerstudio.activities.sync.SyncEngine;
import io.customerstudio.activities.sync.SyncSpec;
import io.customerstudio.infra.secrets.SecretBox;
import io.customerstudio.infra.store.AudienceStore;
import io.customerstudio.infra.store.BatchLedger;
import io.customerstudio.infra.store.ConsentStore;
import io.customerstudio.infra.store.DestinationStore;
import io.customerstudio.infra.store.LeaseStore;
import io.customerstudio.infra.store.PriorityListStore;
import io.customerstudio.infra.store.RowErrors;
import io.customerstudio.infra.store.RunStore;
import io.customerstudio.infra.store.SchemaStore;
import io.customerstudio.infra.store.SnapshotStore;
import io.customerstudio.infra.store.SplitStore;
import io.customerstudio.infra.store.SubsetCategoryStore;
import io.customerstudio.infra.store.SyncMode;
import io.customerstudio.infra.store.SyncStore;
import io.customerstudio.infra.store.TemplateStore;
import io.customerstudio.infra.store.UserStore;
import io.customerstudio.infra.warehouse.Warehouse;
import io.customerstudio.infra.warehouse.WarehouseMigrations;
import io.customerstudio.infra.workspace.Workspace;
import io.customerstudio.query.governance.Split;
import io.customerstudio.query.testing.TestDuckDb;
import io.customerstudio.query.testing.TestPostgres;
import io.temporal.client.WorkflowOptions;
import io.temporal.testing.TestWorkflowEnvironment;
import io.temporal.worker.Worker;
import java.math.BigDecimal;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.time.Clock;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.jooq.DSLContext;
import org.jooq.SQLDialect;
import org.jooq.impl.DSL;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Whole syncs through the run workflow (Temporal's test server), the real activities and engine, a
 * real app store and a real warehouse, on PostgreSQL and on DuckDB: materialize, govern with a
 * split and a holdout, diff, deliver to a webhook, commit, the delivered state, the membership log,
 * the holdout and exclusion logs and a snapshot. The same data gives the same rows on both.
 */
@Timeout(300)
class SyncEndToEndTest {

  enum Engine {
    POSTGRES,
    DUCKDB
  }

  static final String SECRET = "whsec-0123456789abcdef";

  static final Split SPLIT =
      new Split(
          "e2e-salt",
          List.of(
              new Split.Group("treatment", new BigDecimal("80.00"), false),
              new Split.Group("control", new BigDecimal("20.00"), true)),
          null);

  @ParameterizedTest
  @EnumSource(Engine.class)
  void aGovernedMirrorSyncSendsTheAudienceButTheHoldoutAndThenOnlyWhatChanged(Engine engine)
      throws Exception {
    Map<String, List<String>> out = fullSync(engine);
    List<String> holdout = out.get("holdout_log").stream().filter(h -> h.endsWith(" r1")).toList();
    assertThat(holdout).isNotEmpty().allMatch(h -> h.contains(" control "));
    // run 1 sends every German user outside the holdout, nothing else
    List<String> excluded =
        out.get("run_exclusion").stream().filter(h -> h.endsWith(" r1")).toList();
    assertThat(excluded)
        .anyMatch(e -> e.contains(" consent "))
        .anyMatch(e -> e.contains(" rule "))
        .anyMatch(e -> e.contains(" holdout "));
    assertThat(out.get("run1")).hasSize(out.get("run1 members").size() - excluded.size());
    for (String h : excluded) {
      String member = h.split(" ")[0];
      assertThat(out.get("run1")).noneMatch(r -> r.startsWith("upsert " + member + " "));
    }
    // run 2: one changed email, one user gone (removed); the new user 41 and 5, gone to France,
    // are in the log
    assertThat(out.get("run2")).anyMatch(r -> r.startsWith("upsert 13 ") && r.contains("ltv=1000"));
    assertThat(out.get("run2")).anyMatch(r -> r.startsWith("delete 19 "));
    assertThat(out.get("membership_log"))
        .contains("19 exit v1 r2", "41 enter v1 r2", "5 exit v1 r2");
    assertThat(out.get("snapshot")).hasSize(out.get("audience_member").size());
    assertThat(out.get("dry run")).contains("1 changed", "0 added", "0 removed", "changed [17]");
    assertThat(out.get("why").get(0)).startsWith("13 member=true sent");
  }

  @Test
  void duckDbGivesTheSameRowsAsPostgres() throws Exception {
    Map<String, List<String>> pg = fullSync(Engine.POSTGRES);
    Map<String, List<String>> duck = fullSync(Engine.DUCKDB);
    assertThat(duck.keySet()).isEqualTo(pg.keySet());
    for (String part : pg.keySet()) {
      assertThat(duck.get(part)).as(part).isEqualTo(pg.get(part));
    }
  }

  /** Two runs of one sync; what the destination got and the warehouse kept, as sorted lines. */
  Map<String, List<String>> fullSync(Engine engine) throws Exception {
    Clock clock = Clock.systemUTC();
    DataSource appDs = TestPostgres.newDatabase("e2eapp");
    Flyway.configure().dataSource(appDs).locations("classpath:db/migration").load().migrate();
    DSLContext app = DSL.using(appDs, SQLDialect.POSTGRES);
    DataSource whDs =
        engine == Engine.DUCKDB ? TestDuckDb.newDatabase("e2e") : TestPostgres.newDatabase("e2ewh");
    SQLDialect dialect = engine == Engine.DUCKDB ? SQLDialect.DUCKDB : SQLDialect.POSTGRES;
    Warehouse warehouse = Warehouse.over(whDs, dialect, "test warehouse");
    DSLContext wh = warehouse.dsl();
    wh.execute("create schema shop");
    wh.execute(
        "create table shop.users (user_id bigint primary key, email text, country text,"
            + " ltv numeric(10, 2), signup_at timestamptz, loyal boolean)");
    // consent receipts by email: some allow advertising, some withdrew it (the latest counts)
    wh.execute(
        "create table shop.consent (subject text, purpose text, status text,"
            + " updated_at timestamptz)");
    for (int i = 1; i <= 40; i++) {
      wh.execute(
          "insert into shop.users values ({0}, {1}, {2}, {3}, {4}, {5})",
          DSL.val((long) i),
          DSL.val(i % 7 == 0 ? null : "u" + i + "@example.com"),
          DSL.val(i % 3 == 0 ? "FR" : "DE"),
          DSL.val(i % 5 == 0 ? null : new BigDecimal(i * 3 + ".50")),
          DSL.val(OffsetDateTime.of(2026, 1, 1 + i % 28, i % 24, 0, i % 2, 0, ZoneOffset.UTC)),
          DSL.val(i % 11 != 0));
      if (i % 4 != 0) {
        wh.execute(
            "insert into shop.consent values ({0}, 'advertising', 'ACTIVE', {1})",
            DSL.val("u" + i + "@example.com"),
            DSL.val(OffsetDateTime.of(2026, 3, 1, 0, 0, 0, 0, ZoneOffset.UTC)));
      }
      if (i % 9 == 0) {
        wh.execute(
            "insert into shop.consent values ({0}, 'advertising', 'WITHDRAWN', {1})",
            DSL.val("u" + i + "@example.com"),
            DSL.val(OffsetDateTime.of(2026, 3, 2, 0, 0, 0, 0, ZoneOffset.UTC)));
      }
    }

    SchemaStore schemas = new SchemaStore(app, clock);
    schemas.save(
        """
        {"models": [{"name": "users", "kind": "parent", "source": {"table": "shop.users"},
                     "primaryKey": "user_id", "label": "email"}]}""",
        "admin");
    AudienceStore audiences = new AudienceStore(app, clock);
    audiences.create(
        "de",
        new AudienceStore.Draft(
            "Germany",
            null,
            "users",
            "{\"parent\":\"users\",\"filter\":{\"type\":\"property\",\"column\":\"country\","
                + "\"op\":\"eq\",\"value\":\"DE\"}}"),
        "admin");
    SecretBox box = SecretBox.open(null, Files.createTempDirectory("cs-e2e-secret"), false);
    DestinationStore destinations = new DestinationStore(app, clock);
    SyncStore syncs = new SyncStore(app, clock);
    RunStore runs = new RunStore(app, clock);
    SplitStore splits = new SplitStore(app, clock);
    splits.put("de", SPLIT.salt(), SPLIT.toJson().get("groups").toString(), null, "admin");
    Workspace workspace =
        new Workspace(schemas, audiences, new TemplateStore(app, clock), warehouse);
    WarehouseMigrations.apply(
        warehouse,
        List.of(new AdoptSyncStates(() -> syncs.list().stream().map(SyncStore.Sync::key).toList())),
        WarehouseMigrations.LOG_SCHEMA);
    ConsentStore consent = new ConsentStore(app, clock);
    consent.put(
        """
        {"source": {"table": "shop.consent"}, "subjectColumn": "subject",
         "purposeColumn": "purpose", "statusColumn": "status", "timestampColumn": "updated_at",
         "parentColumn": "email", "missing": {"default": "block"}}""",
        "admin");
    Policies policies =
        new Policies(
            splits,
            consent,
            destinations,
            syncs,
            audiences,
            new PriorityListStore(app, clock),
            new SubsetCategoryStore(app, clock),
            new UserStore(app, clock));
    SyncEngine sync =
        new SyncEngine(
            syncs,
            runs,
            new BatchLedger(app, clock),
            new RowErrors(app, clock),
            new SnapshotStore(app, clock),
            audiences,
            destinations,
            new DestinationRuntimes(
                box, Files.createTempDirectory("cs-e2e-exports"), Duration.ofMinutes(1), clock),
            new Delivery(new LeaseStore(app), Delivery.Timing.DEFAULT),
            workspace,
            new RunTables(wh),
            new DeliveredState(wh),
            new MembershipLog(wh),
            policies,
            new ExclusionLog(wh, WarehouseMigrations.LOG_SCHEMA),
            new SyncEngine.Retention(Duration.ofDays(7), Duration.ofDays(7)),
            clock);

    ConcurrentLinkedQueue<String> received = new ConcurrentLinkedQueue<>();
    ObjectMapper json = new ObjectMapper();
    HttpServer sink = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    sink.createContext(
        "/hook",
        exchange -> {
          JsonNode body = json.readTree(exchange.getRequestBody());
          for (JsonNode row : body.get("rows")) {
            received.add(line(row));
          }
          exchange.sendResponseHeaders(200, -1);
          exchange.close();
        });
    sink.start();
    TestWorkflowEnvironment env = TestWorkflowEnvironment.newInstance();
    try {
      destinations.create(
          "hook",
          new DestinationStore.Draft(
              "Hook",
              "webhook",
              "{\"url\":\"http://127.0.0.1:"
                  + sink.getAddress().getPort()
                  + "/hook\",\"batchSize\":7,\"requestsPerSecond\":10000}",
              "{\"signingSecret\":\"" + box.seal(SECRET) + "\"}"),
          "admin");
      destinations.setRuleAndPurposes(
          "hook",
          "{\"type\": \"property\", \"column\": \"loyal\", \"op\": \"eq\", \"value\": true}",
          "[\"advertising\"]");
      SyncSpec spec =
          new SyncSpec(
              SyncMode.MIRROR,
              List.of(
                  new SyncSpec.Field("email", "email"),
                  new SyncSpec.Field("ltv", "ltv"),
                  new SyncSpec.Field("signup_at", "signedUp"),
                  new SyncSpec.Field(SyncSpec.SPLIT_GROUP, "group")),
              new SyncSpec.Field("user_id", "id"));
      syncs.create(
          "e2e",
          new SyncStore.Draft(
              "E2E",
              "de",
              "hook",
              SyncMode.MIRROR,
              spec.mappingJson(),
              spec.identifierJson(),
              "{\"type\":\"manual\"}",
              true,
              false),
          box.seal("trigger-secret-0123456789"),
          "admin");
      Worker worker = env.newWorker("q");
      worker.registerWorkflowImplementationTypes(SyncRunWorkflowImpl.class);
      worker.registerActivitiesImplementations(new SyncActivitiesImpl(sync, runs));
      env.start();

      Map<String, List<String>> out = new LinkedHashMap<>();
      String r1 = run(env, runs, "r1");
      out.put("run1", drain(received));
      out.put(
          "run1 members",
          wh.fetch("select user_id from shop.users where country = 'DE' order by user_id")
              .map(r -> r.get(0, String.class)));
      wh.execute("update shop.users set ltv = 1000 where user_id = 13");
      wh.execute("delete from shop.users where user_id = 19");
      wh.execute(
          "insert into shop.users values (41, 'u41@example.com', 'DE', 1.25,"
              + " timestamptz '2026-02-01 00:00:00+00', true)");
      wh.execute("update shop.users set country = 'FR' where user_id = 5");
      run(env, runs, "r2");
      out.put("run2", drain(received));
      out.put(
          "delivered_state",
          sorted(
              wh.fetch("select key, fields from cs_sync.delivered_state where sync_key = 'e2e'")
                  .map(r -> r.get(0, String.class) + " " + fields(json, r.get(1, String.class)))));
      out.put(
          "audience_member",
          sorted(
              wh.fetch("select member_key, version from cs_sync.audience_member")
                  .map(r -> r.get(0, String.class) + " v" + r.get(1, String.class))));
      out.put(
          "membership_log",
          byRun(
              wh,
              "select member_key, change, concat('v', version), run_id from cs_sync.membership_log",
              r1));
      out.put(
          "holdout_log",
          byRun(wh, "select member_key, split_group, run_id from cs_logs.holdout_log", r1));
      out.put(
          "run_exclusion",
          byRun(wh, "select member_key, reason, detail, run_id from cs_sync.run_exclusion", r1));
      // after the runs: a dry run finds nothing left to send; why answers for a sent member,
      // a held-out one and one gone
      wh.execute("update shop.users set ltv = 2 where user_id = 17");
      SyncEngine.DryRun dry = sync.dryRun("e2e", 5);
      out.put(
          "dry run",
          List.of(
              dry.members() + " members",
              dry.added() + " added",
              dry.changed() + " changed",
              dry.removed() + " removed",
              "excluded " + new TreeMap<>(dry.excluded()),
              "changed " + dry.changedSample().stream().map(RunTables.DiffRow::key).toList()));
      List<String> whys = new ArrayList<>();
      for (String member :
          List.of("13", "19", "5", "8", "11", out.get("holdout_log").get(0).split(" ")[0])) {
        SyncEngine.WhyAnswer w = sync.why("e2e", member);
        whys.add(
            member
                + " member="
                + w.member()
                + " "
                + w.result()
                + " "
                + w.reason()
                + " split="
                + w.split()
                + " now="
                + w.now());
      }
      out.put("why", whys);
      SnapshotStore.Snapshot snapshot = sync.snapshot("de", "admin");
      List<String> members = new ArrayList<>();
      sync.membershipLog().snapshotMembers(snapshot.id(), members::add);
      out.put("snapshot", members);
      return out;
    } finally {
      env.close();
      sink.stop(0);
      warehouse.close();
      if (whDs instanceof AutoCloseable c) {
        c.close();
      }
    }
  }

  /** Runs the sync once through the workflow; returns the run id. */
  static String run(TestWorkflowEnvironment env, RunStore runs, String label) {
    String runId = runs.enqueue("e2e", "manual").orElseThrow().runId();
    SyncRunWorkflow.Result result =
        env.getWorkflowClient()
            .newWorkflowStub(
                SyncRunWorkflow.class,
                WorkflowOptions.newBuilder()
                    .setTaskQueue("q")
                    .setWorkflowId(SyncRunWorkflow.workflowId(runId))
                    .build())
            .run(new SyncRunWorkflow.Input(runId, 30));
    assertThat(result.status()).as(label).isEqualTo("succeeded");
    return runId;
  }

  /** A delivered row as a line: op, key and its fields in key order. */
  static String line(JsonNode row) {
    Map<String, String> f = new TreeMap<>();
    JsonNode fields = row.get("fields");
    if (fields != null) {
      fields.fields().forEachRemaining(e -> f.put(e.getKey(), value(e.getValue())));
    }
    return row.get("op").asText() + " " + row.get("key").asText() + " " + f;
  }

  /** A field's value: numbers by value (10.50 and 10.5 are one number), the rest as JSON. */
  static String value(JsonNode v) {
    return v.isNumber() ? v.decimalValue().stripTrailingZeros().toPlainString() : v.toString();
  }

  static String fields(ObjectMapper json, String text) {
    try {
      Map<String, String> f = new TreeMap<>();
      json.readTree(text).fields().forEachRemaining(e -> f.put(e.getKey(), value(e.getValue())));
      return f.toString();
    } catch (java.io.IOException e) {
      throw new IllegalStateException(e);
    }
  }

  static List<String> drain(ConcurrentLinkedQueue<String> q) {
    List<String> out = new ArrayList<>();
    for (String s; (s = q.poll()) != null; ) {
      out.add(s);
    }
    return sorted(out);
  }

  static List<String> sorted(List<String> lines) {
    List<String> out = new ArrayList<>(lines);
    out.sort(null);
    return out;
  }

  /**
   * The rows of {@code sql} as sorted lines, its columns joined by spaces, the last (a run id)
   * named r1 for the first run and r2 for another, so both engines' runs compare.
   */
  static List<String> byRun(org.jooq.DSLContext wh, String sql, String r1) {
    return sorted(
        wh.fetch(sql)
            .map(
                r -> {
                  StringBuilder line = new StringBuilder();
                  for (int i = 0; i < r.size() - 1; i++) {
                    line.append(r.get(i, String.class)).append(' ');
                  }
                  return line.append(r1.equals(r.get(r.size() - 1, String.class)) ? "r1" : "r2")
                      .toString();
                }));
  }
}
