package io.customerstudio.infra.warehouse;

import io.customerstudio.infra.config.DataSources;
import io.customerstudio.infra.config.StudioProperties;
import io.customerstudio.infra.store.AppStore;
import java.io.Closeable;
import java.nio.file.Path;
import javax.sql.DataSource;
import org.jooq.DSLContext;
import org.jooq.SQLDialect;
import org.jooq.impl.DSL;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The customer's warehouse: where models live and audience SQL runs. Either its own pool at {@code
 * STUDIO_WAREHOUSE_URL} (PostgreSQL, or DuckDB for a {@code jdbc:duckdb:} URL), a DuckDB file in
 * the data directory ({@code STUDIO_DEMO_WAREHOUSE=duckdb}), or the app store's database.
 * Thread-safe.
 */
public final class Warehouse implements Closeable {

  private static final Logger log = LoggerFactory.getLogger(Warehouse.class);

  private final DataSource dataSource;
  private final SQLDialect dialect;
  private final boolean sharedWithAppStore;
  private final String description;
  private final DSLContext dsl;

  Warehouse(
      DataSource dataSource, SQLDialect dialect, boolean sharedWithAppStore, String description) {
    this.dataSource = dataSource;
    this.dialect = dialect;
    this.sharedWithAppStore = sharedWithAppStore;
    this.description = description;
    this.dsl = DSL.using(dataSource, dialect);
  }

  /** A PostgreSQL warehouse over a pool the caller owns (benchmarks, tests, tools). */
  public static Warehouse over(DataSource dataSource, String description) {
    return new Warehouse(dataSource, SQLDialect.POSTGRES, true, description);
  }

  /**
   * A warehouse of the given dialect ({@code POSTGRES} or {@code DUCKDB}) over a pool the caller
   * owns (benchmarks, tests, tools).
   */
  public static Warehouse over(DataSource dataSource, SQLDialect dialect, String description) {
    return new Warehouse(dataSource, dialect.family(), true, description);
  }

  public static Warehouse connect(StudioProperties properties, AppStore appStore) {
    StudioProperties.Database wh = properties.warehouse();
    if (wh.configured() && DataSources.isDuckDb(wh.url())) {
      return duckDb(wh.url(), "external", "STUDIO_WAREHOUSE_URL");
    }
    if (wh.configured()) {
      DataSource ds =
          DataSources.open("warehouse", wh.url(), wh.user(), wh.password(), 10, "STUDIO_WAREHOUSE");
      String description = "PostgreSQL at " + DataSources.redact(wh.url());
      log.atInfo()
          .addKeyValue("setting", "STUDIO_WAREHOUSE_URL")
          .addKeyValue("mode", "external")
          .log("Warehouse: {}", description);
      return new Warehouse(ds, SQLDialect.POSTGRES, false, description);
    }
    Path file = properties.dataDir().resolve("warehouse").resolve("warehouse.duckdb");
    boolean earlier =
        !properties.demo().warehouseChosen()
            && !java.nio.file.Files.exists(file)
            && appStore != null
            && holdsSchema(appStore.dataSource(), properties.demo().schema());
    if (earlier) {
      // a data directory from before DuckDB was the default: its demo warehouse, the schema
      // document over it and the syncs' state live in the app store's database; moving them
      // would leave the workspace pointing at tables that are not there
      log.atInfo()
          .addKeyValue("setting", "STUDIO_DEMO_WAREHOUSE")
          .log(
              "Warehouse: the app store already holds the demo warehouse (schema '{}'), kept"
                  + " there; set STUDIO_DEMO_WAREHOUSE to choose",
              properties.demo().schema());
    } else if (properties.demo().duckdb()) {
      return duckDb(
          "jdbc:duckdb:" + file.toAbsolutePath().normalize(), "embedded", "STUDIO_DEMO_WAREHOUSE");
    }
    String description = "the app store's own database (" + appStore.description() + ")";
    log.atInfo()
        .addKeyValue("setting", "STUDIO_WAREHOUSE_URL")
        .addKeyValue("mode", "shared")
        .log("Warehouse: {} (STUDIO_WAREHOUSE_URL unset)", description);
    return new Warehouse(appStore.dataSource(), SQLDialect.POSTGRES, true, description);
  }

  private static boolean holdsSchema(DataSource dataSource, String schema) {
    try (java.sql.Connection c = dataSource.getConnection();
        java.sql.PreparedStatement ps =
            c.prepareStatement(
                "select count(*) from information_schema.schemata where schema_name = ?")) {
      ps.setString(1, schema);
      try (java.sql.ResultSet rs = ps.executeQuery()) {
        return rs.next() && rs.getLong(1) > 0;
      }
    } catch (java.sql.SQLException e) {
      throw new IllegalStateException("Reading the app store's schemas failed: " + e, e);
    }
  }

  private static Warehouse duckDb(String url, String mode, String setting) {
    // DuckDB runs each query on all cores itself; a few connections are enough for concurrency
    DataSource ds = DataSources.openDuckDb("warehouse", url, 8, "STUDIO_WAREHOUSE");
    String description = "DuckDB at " + DataSources.redact(url.substring("jdbc:duckdb:".length()));
    log.atInfo()
        .addKeyValue("setting", setting)
        .addKeyValue("mode", mode)
        .log("Warehouse: {}", description);
    return new Warehouse(ds, SQLDialect.DUCKDB, false, description);
  }

  public DataSource dataSource() {
    return dataSource;
  }

  /** A jOOQ context on the warehouse, in its dialect. */
  public DSLContext dsl() {
    return dsl;
  }

  /** {@code POSTGRES} or {@code DUCKDB}. */
  public SQLDialect dialect() {
    return dialect;
  }

  public boolean duckDb() {
    return dialect == SQLDialect.DUCKDB;
  }

  public boolean sharedWithAppStore() {
    return sharedWithAppStore;
  }

  public String description() {
    return description;
  }

  @Override
  public void close() {
    if (!sharedWithAppStore && dataSource instanceof Closeable c) {
      try {
        c.close();
      } catch (java.io.IOException e) {
        log.warn("Closing the warehouse pool failed: {}", e.getMessage());
      }
    }
  }
}
