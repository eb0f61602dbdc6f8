package io.customerstudio.bench;

import io.customerstudio.activities.delivery.Delivery;
import io.customerstudio.activities.delivery.DestinationRuntimes;
import io.customerstudio.activities.governance.Policies;
import io.customerstudio.activities.sync.DeliveredState;
import io.customerstudio.activities.sync.ExclusionLog;
import io.customerstudio.activities.sync.MembershipLog;
import io.customerstudio.activities.sync.RunTables;
import io.customerstudio.activities.sync.SyncEngine;
import io.customerstudio.infra.demo.DemoWarehouseBootstrap;
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
import io.customerstudio.infra.store.SyncStore;
import io.customerstudio.infra.store.TemplateStore;
import io.customerstudio.infra.store.UserStore;
import io.customerstudio.infra.warehouse.Warehouse;
import io.customerstudio.infra.warehouse.WarehouseMigrations;
import io.customerstudio.infra.workspace.Workspace;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.function.Function;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.jooq.DSLContext;
import org.jooq.SQLDialect;
import org.jooq.impl.DSL;

/**
 * What every bench that runs the app's engines sets up: a fresh app-store database (migrated) on
 * the bench's server beside the bench warehouse, the demo schema, the stores, the workspace over
 * the warehouse (its log schema migrated), destination runtimes and the delivery core, wired as the
 * app wires them. {@link #close} drops the database.
 */
final class BenchApp implements AutoCloseable {

  final String database;
  final DSLContext warehouseDsl;
  final DataSource appDs;
  final DSLContext app;
  final Clock clock = Clock.systemUTC();
  final SchemaStore schemas;
  final AudienceStore audiences;
  final SecretBox box;
  final DestinationStore destinations;
  final SyncStore syncs;
  final RunStore runs;
  final SplitStore splits;
  final ConsentStore consent;
  final PriorityListStore lists;
  final SubsetCategoryStore categories;
  final UserStore users;
  final Warehouse warehouse;
  final Workspace workspace;
  final Path exports;
  final DestinationRuntimes runtimes;
  final Delivery delivery;
  final Policies policies;

  /**
   * @param database the app store's database name on the bench server (dropped and created)
   * @param open opens a data source on a database of the bench server, by name
   */
  BenchApp(DataSource warehouseDs, Function<String, DataSource> open, String database)
      throws Exception {
    this(warehouseDs, Warehouse.over(warehouseDs, "bench warehouse"), open, database);
  }

  /**
   * @param server the bench's PostgreSQL server, where the app store's database is created
   * @param warehouse the warehouse the engines run over (PostgreSQL or DuckDB)
   * @param open opens a data source on a database of the bench server, by name
   * @param database the app store's database name on the bench server (dropped and created)
   */
  BenchApp(
      DataSource server, Warehouse warehouse, Function<String, DataSource> open, String database)
      throws Exception {
    this.database = database;
    this.warehouseDsl = DSL.using(server, SQLDialect.POSTGRES);
    warehouseDsl.execute("drop database if exists " + database);
    warehouseDsl.execute("create database " + database);
    appDs = open.apply(database);
    Flyway.configure().dataSource(appDs).locations("classpath:db/migration").load().migrate();
    app = DSL.using(appDs, SQLDialect.POSTGRES);
    schemas = new SchemaStore(app, clock);
    schemas.save(DemoWarehouseBootstrap.demoSchemaDocument("bench"), "bench");
    audiences = new AudienceStore(app, clock);
    box = SecretBox.open(null, Files.createTempDirectory("cs-bench-secret"), false);
    destinations = new DestinationStore(app, clock);
    syncs = new SyncStore(app, clock);
    runs = new RunStore(app, clock);
    splits = new SplitStore(app, clock);
    consent = new ConsentStore(app, clock);
    lists = new PriorityListStore(app, clock);
    categories = new SubsetCategoryStore(app, clock);
    users = new UserStore(app, clock);
    this.warehouse = warehouse;
    workspace = new Workspace(schemas, audiences, new TemplateStore(app, clock), warehouse);
    WarehouseMigrations.apply(warehouse, List.of());
    exports = Files.createTempDirectory("cs-bench-exports");
    runtimes = new DestinationRuntimes(box, exports, Duration.ofMinutes(30), clock);
    delivery = new Delivery(new LeaseStore(app), Delivery.Timing.DEFAULT);
    policies =
        new Policies(splits, consent, destinations, syncs, audiences, lists, categories, users);
  }

  /** The sync engine as the app builds it, over this app store and the bench warehouse. */
  SyncEngine syncEngine(RunTables tables) {
    return new SyncEngine(
        syncs,
        runs,
        new BatchLedger(app, clock),
        new RowErrors(app, clock),
        new SnapshotStore(app, clock),
        audiences,
        destinations,
        runtimes,
        delivery,
        workspace,
        tables,
        new DeliveredState(warehouse.dsl()),
        new MembershipLog(warehouse.dsl()),
        policies,
        new ExclusionLog(warehouse.dsl(), WarehouseMigrations.LOG_SCHEMA),
        new SyncEngine.Retention(Duration.ofDays(7), Duration.ofDays(7)),
        clock);
  }

  /** An audience of users with {@code filter} (an audience condition, JSON). */
  void audience(String key, String filter) {
    audiences.create(
        key,
        new AudienceStore.Draft(
            key, null, "users", "{\"parent\":\"users\",\"filter\":" + filter + "}"),
        "bench");
  }

  /** A webhook destination to {@code url}, batches of {@code batchSize}, signed. */
  void webhook(String key, String url, int batchSize) {
    destinations.create(
        key,
        new DestinationStore.Draft(
            key,
            "webhook",
            "{\"url\":\"" + url + "\",\"batchSize\":" + batchSize + ",\"requestsPerSecond\":10000}",
            "{\"signingSecret\":\"" + box.seal(SyncBenchmark.SECRET) + "\"}"),
        "bench");
  }

  @Override
  public void close() throws Exception {
    if (appDs instanceof AutoCloseable c) {
      c.close();
    }
    warehouseDsl.execute("drop database if exists " + database);
  }
}
