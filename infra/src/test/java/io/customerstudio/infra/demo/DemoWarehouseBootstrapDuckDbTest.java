package io.customerstudio.infra.demo;

import static org.assertj.core.api.Assertions.assertThat;

import io.customerstudio.infra.config.StudioProperties;
import io.customerstudio.infra.store.DemoDatasetStore;
import io.customerstudio.infra.store.SchemaStore;
import io.customerstudio.infra.warehouse.Warehouse;
import io.customerstudio.query.testing.TestDuckDb;
import io.customerstudio.query.testing.TestPostgres;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.jooq.DSLContext;
import org.jooq.SQLDialect;
import org.jooq.impl.DSL;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * STUDIO_DEMO_WAREHOUSE=duckdb: the DuckDB file in the data directory is the embedded default, so
 * the first start generates the demo into it and registers the demo schema; a DuckDB warehouse at
 * STUDIO_WAREHOUSE_URL is a customer's and is left alone.
 */
class DemoWarehouseBootstrapDuckDbTest {

  static final Instant ANCHOR = Instant.parse("2026-11-01T00:00:00Z");
  static final Clock CLOCK = Clock.fixed(ANCHOR, ZoneOffset.UTC);

  @TempDir Path dataDir;
  DemoDatasetStore datasets;
  SchemaStore schemas;

  @BeforeEach
  void appStore() {
    DataSource appStore = TestPostgres.newDatabase("demoboot");
    Flyway.configure().dataSource(appStore).locations("classpath:db/migration").load().migrate();
    DSLContext db = DSL.using(appStore, SQLDialect.POSTGRES);
    datasets = new DemoDatasetStore(db);
    schemas = new SchemaStore(db, CLOCK);
  }

  @Test
  void theDuckDbFileInTheDataDirectoryGetsTheDemoOnFirstStart() {
    StudioProperties properties = properties(null);
    try (Warehouse warehouse = Warehouse.connect(properties, null)) {
      assertThat(warehouse.duckDb()).isTrue();
      var bootstrap = new DemoWarehouseBootstrap(properties, warehouse, datasets, schemas, CLOCK);
      assertThat(bootstrap.enabled()).isTrue();

      bootstrap.afterPropertiesSet();

      assertThat(bootstrap.generatedNow()).isTrue();
      JdbcTemplate wh = new JdbcTemplate(warehouse.dataSource());
      assertThat(wh.queryForObject("select count(*) from demo.users", Long.class)).isEqualTo(300);
      assertThat(wh.queryForObject("select count(*) from demo.consent_latest", Long.class))
          .isPositive();
      assertThat(datasets.find("demo"))
          .get()
          .extracting(d -> d.rowCounts().get("users"))
          .isEqualTo(300L);
      assertThat(schemas.current()).isPresent();

      // a second start keeps the data as is
      var again = new DemoWarehouseBootstrap(properties, warehouse, datasets, schemas, CLOCK);
      again.afterPropertiesSet();
      assertThat(again.generatedNow()).isFalse();
    }
  }

  @Test
  void aDuckDbWarehouseAtAUrlIsACustomersAndGetsNoDemoByDefault() {
    StudioProperties properties = properties(TestDuckDb.newDatabaseUrl("customer"));
    try (Warehouse warehouse = Warehouse.connect(properties, null)) {
      assertThat(warehouse.duckDb()).isTrue();
      var bootstrap = new DemoWarehouseBootstrap(properties, warehouse, datasets, schemas, CLOCK);
      assertThat(bootstrap.enabled()).isFalse();
      bootstrap.afterPropertiesSet();
      assertThat(bootstrap.generatedNow()).isFalse();
      assertThat(schemas.current()).isEmpty();
    }
  }

  @Test
  void byDefaultANewDataDirectoryGetsDuckDbAndAnEarlierOneKeepsItsPostgresDemo() throws Exception {
    // an app store where an earlier version generated the demo: unset keeps it there
    String earlierUrl = TestPostgres.newDatabaseUrl("demoearlier");
    StudioProperties earlier = properties(null, earlierUrl, null);
    try (var app = io.customerstudio.infra.store.AppStore.start(earlier)) {
      new JdbcTemplate(app.dataSource()).execute("create schema demo");
      try (Warehouse warehouse = Warehouse.connect(earlier, app)) {
        assertThat(warehouse.duckDb()).isFalse();
        assertThat(warehouse.sharedWithAppStore()).isTrue();
      }
      // chosen explicitly, DuckDB it is
      try (Warehouse warehouse = Warehouse.connect(properties(null, earlierUrl, "duckdb"), app)) {
        assertThat(warehouse.duckDb()).isTrue();
      }
    }
    // a new data directory's app store holds no demo schema: DuckDB
    String appUrl = TestPostgres.newDatabaseUrl("demodefault");
    StudioProperties fresh = properties(null, appUrl, null);
    java.nio.file.Files.deleteIfExists(dataDir.resolve("warehouse").resolve("warehouse.duckdb"));
    try (var app = io.customerstudio.infra.store.AppStore.start(fresh);
        Warehouse warehouse = Warehouse.connect(fresh, app)) {
      assertThat(warehouse.duckDb()).isTrue();
    }
  }

  private StudioProperties properties(String warehouseUrl) {
    return properties(warehouseUrl, null, "duckdb");
  }

  private StudioProperties properties(String warehouseUrl, String appStoreUrl, String demo) {
    StudioProperties.Database unset =
        new StudioProperties.Database(appStoreUrl, appStoreUrl == null ? null : "postgres", null);
    return new StudioProperties(
        unset,
        new StudioProperties.Database(warehouseUrl, null, null),
        new StudioProperties.Temporal(null, "default", "q"),
        new StudioProperties.Demo(null, demo, 300, 42, "demo", ANCHOR),
        dataDir,
        new StudioProperties.Embedded(false),
        null,
        null,
        null,
        new StudioProperties.Sync(
            Duration.ofDays(7), Duration.ofSeconds(30), Duration.ofDays(7), Duration.ofMinutes(30)),
        new StudioProperties.Governance("cs_logs"));
  }
}
