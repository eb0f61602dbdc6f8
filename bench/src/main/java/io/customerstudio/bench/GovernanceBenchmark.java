package io.customerstudio.bench;

import io.customerstudio.activities.delivery.Delivery;
import io.customerstudio.activities.delivery.DestinationRuntimes;
import io.customerstudio.activities.governance.Policies;
import io.customerstudio.activities.sync.DeliveredState;
import io.customerstudio.activities.sync.ExclusionLog;
import io.customerstudio.activities.sync.MembershipLog;
import io.customerstudio.activities.sync.RunTables;
import io.customerstudio.activities.sync.SyncEngine;
import io.customerstudio.activities.sync.SyncSpec;
import io.customerstudio.infra.demo.DemoWarehouseBootstrap;
import io.customerstudio.infra.secrets.SecretBox;
import io.customerstudio.infra.store.AudienceStore;
import io.customerstudio.infra.store.ConsentStore;
import io.customerstudio.infra.store.DestinationStore;
import io.customerstudio.infra.store.LeaseStore;
import io.customerstudio.infra.store.PriorityListStore;
import io.customerstudio.infra.store.RunStore;
import io.customerstudio.infra.store.SchemaStore;
import io.customerstudio.infra.store.SplitStore;
import io.customerstudio.infra.store.SubsetCategoryStore;
import io.customerstudio.infra.store.SyncMode;
import io.customerstudio.infra.store.SyncStore;
import io.customerstudio.infra.store.TemplateStore;
import io.customerstudio.infra.store.UserStore;
import io.customerstudio.infra.warehouse.Warehouse;
import io.customerstudio.infra.warehouse.WarehouseMigrations;
import io.customerstudio.infra.workspace.Workspace;
import java.nio.file.Files;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.jooq.DSLContext;
import org.jooq.SQLDialect;
import org.jooq.impl.DSL;

/**
 * What governance costs a sync run: the same sync's dry run (materialize, govern, diff, nothing
 * sent) over every user of the bench warehouse, first with nothing governing it, then with every
 * mechanism on: consent over the generated OneTrust-shaped receipts, a destination rule, a required
 * subset, a priority list of three audiences (the synced one ranked last) and a split with a
 * holdout. Medians of three each; the target is at most 20% more.
 */
final class GovernanceBenchmark {

  static final String TITLE = "Governance: the govern step at 1M members";

  private GovernanceBenchmark() {}

  static String run(
      DataSource warehouseDs, java.util.function.Function<String, DataSource> database, int users)
      throws Exception {
    DSLContext wh = DSL.using(warehouseDs, SQLDialect.POSTGRES);
    wh.execute("drop database if exists bench_gov");
    wh.execute("create database bench_gov");
    DataSource appDs = database.apply("bench_gov");
    Flyway.configure().dataSource(appDs).locations("classpath:db/migration").load().migrate();
    DSLContext app = DSL.using(appDs, SQLDialect.POSTGRES);
    Clock clock = Clock.systemUTC();
    SchemaStore schemas = new SchemaStore(app, clock);
    schemas.save(DemoWarehouseBootstrap.demoSchemaDocument("bench"), "bench");
    AudienceStore audiences = new AudienceStore(app, clock);
    audience(
        audiences,
        "everyone",
        "{\"type\":\"property\",\"column\":\"user_id\",\"op\":\"gt\",\"value\":0}");
    audience(
        audiences,
        "loyal",
        "{\"type\":\"property\",\"column\":\"loyalty_tier\",\"op\":\"eq\",\"value\":\"gold\"}");
    audience(
        audiences,
        "germany",
        "{\"type\":\"property\",\"column\":\"country\",\"op\":\"eq\",\"value\":\"DE\"}");
    SecretBox box = SecretBox.open(null, Files.createTempDirectory("cs-bench-secret"), false);
    DestinationStore destinations = new DestinationStore(app, clock);
    SyncStore syncs = new SyncStore(app, clock);
    RunStore runs = new RunStore(app, clock);
    SplitStore splits = new SplitStore(app, clock);
    ConsentStore consent = new ConsentStore(app, clock);
    PriorityListStore lists = new PriorityListStore(app, clock);
    SubsetCategoryStore categories = new SubsetCategoryStore(app, clock);
    UserStore userStore = new UserStore(app, clock);
    Warehouse warehouse = Warehouse.over(warehouseDs, "bench warehouse");
    Workspace workspace =
        new Workspace(schemas, audiences, new TemplateStore(app, clock), warehouse);
    WarehouseMigrations.apply(warehouse, List.of());
    java.nio.file.Path exports = Files.createTempDirectory("cs-bench-exports");
    DestinationRuntimes runtimes =
        new DestinationRuntimes(box, exports, Duration.ofMinutes(30), clock);
    SyncEngine engine =
        new SyncEngine(
            syncs,
            runs,
            new io.customerstudio.infra.store.BatchLedger(app, clock),
            new io.customerstudio.infra.store.RowErrors(app, clock),
            new io.customerstudio.infra.store.SnapshotStore(app, clock),
            audiences,
            destinations,
            runtimes,
            new Delivery(new LeaseStore(app), Delivery.Timing.DEFAULT),
            workspace,
            new RunTables(warehouse.dsl()),
            new DeliveredState(warehouse.dsl()),
            new MembershipLog(warehouse.dsl()),
            new Policies(
                splits, consent, destinations, syncs, audiences, lists, categories, userStore),
            new ExclusionLog(warehouse.dsl(), WarehouseMigrations.LOG_SCHEMA),
            new SyncEngine.Retention(Duration.ofDays(7), Duration.ofDays(7)),
            clock);
    destinations.create(
        "files",
        new DestinationStore.Draft(
            "Files",
            "file",
            "{\"directory\":\"" + exports.resolve("gov") + "\",\"format\":\"csv\"}",
            "{}"),
        "bench");
    SyncSpec spec =
        new SyncSpec(
            SyncMode.UPSERT,
            List.of(
                new SyncSpec.Field("email", "email"),
                new SyncSpec.Field("first_name", "firstName"),
                new SyncSpec.Field("city", "city"),
                new SyncSpec.Field("country", "country")),
            new SyncSpec.Field("user_id", "id"));
    syncs.create(
        "gov",
        new SyncStore.Draft(
            "Governed",
            "everyone",
            "files",
            SyncMode.UPSERT,
            spec.mappingJson(),
            spec.identifierJson(),
            "{\"type\":\"manual\"}",
            true,
            false),
        box.seal("trigger-secret-0123456789"),
        "bench");
    engine.resetState("gov");

    List<Double> off = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      long t = System.nanoTime();
      engine.dryRun("gov", 0);
      off.add((System.nanoTime() - t) / 1e9);
    }

    // every mechanism on
    consent.put(
        "{\"source\":{\"table\":\"bench.consent\"},\"subjectColumn\":\"data_subject_identifier\","
            + "\"purposeColumn\":\"purpose\",\"statusColumn\":\"status\",\"timestampColumn\":"
            + "\"updated_at\",\"parentColumn\":\"email\",\"missing\":{\"default\":\"block\"}}",
        "bench");
    destinations.setRuleAndPurposes(
        "files",
        "{\"type\":\"property\",\"column\":\"marketing_opt_in\",\"op\":\"eq\",\"value\":true}",
        "[\"advertising\"]");
    categories.create(
        "region",
        new SubsetCategoryStore.Draft(
            "Region",
            "users",
            List.of(
                new SubsetCategoryStore.Subset(
                    "europe",
                    "Europe",
                    "{\"type\":\"property\",\"column\":\"country\",\"op\":\"in\",\"value\":"
                        + "[\"DE\",\"FR\",\"GB\",\"ES\",\"IT\",\"NL\",\"SE\",\"PL\"]}"))),
        "bench");
    syncs.setSubsets("gov", Map.of("region", List.of("europe")));
    lists.create(
        "offers",
        new PriorityListStore.Draft("Offers", "users", List.of("loyal", "germany", "everyone")),
        "bench");
    splits.put(
        "everyone",
        "bench",
        "[{\"name\":\"a\",\"percent\":45},{\"name\":\"b\",\"percent\":45},"
            + "{\"name\":\"control\",\"percent\":10,\"holdout\":true}]",
        null,
        "bench");
    List<Double> on = new ArrayList<>();
    SyncEngine.DryRun last = null;
    for (int i = 0; i < 3; i++) {
      long t = System.nanoTime();
      last = engine.dryRun("gov", 0);
      on.add((System.nanoTime() - t) / 1e9);
    }
    double a = SyncBenchmark.median(off);
    double b = SyncBenchmark.median(on);
    double added = (b - a) / a;
    List<String> lines = new ArrayList<>();
    lines.add(
        "Command: `./mvnw -B -ntp -Pbench -DskipTests verify -Dbench=governance` ("
            + String.format(Locale.ROOT, "%,d", users)
            + " users; "
            + Runtime.getRuntime().availableProcessors()
            + " cores; embedded PostgreSQL 17, durable). A dry run is the run's materialize,"
            + " govern and diff steps, nothing sent.");
    lines.add("");
    lines.add("| | materialize + govern + diff (median of 3) | target | |");
    lines.add("|---|---|---|---|");
    lines.add(
        SyncBenchmark.row(
            "nothing governs the sync", String.format(Locale.ROOT, "%.2f s", a), "", ""));
    lines.add(
        SyncBenchmark.row(
            "consent (1 purpose), rule, subset, priority list of 3, split with holdout",
            String.format(Locale.ROOT, "%.2f s (+%.0f%%)", b, added * 100),
            "≤ +20%",
            added <= 0.20 ? "met" : "NOT met"));
    lines.add("");
    lines.add(
        "Excluded with everything on, by first reason: "
            + last.excluded()
            + " of "
            + String.format(Locale.ROOT, "%,d", last.members())
            + " members.");
    return String.join("\n", lines);
  }

  private static void audience(AudienceStore audiences, String key, String filter) {
    audiences.create(
        key,
        new AudienceStore.Draft(
            key, null, "users", "{\"parent\":\"users\",\"filter\":" + filter + "}"),
        "bench");
  }
}
