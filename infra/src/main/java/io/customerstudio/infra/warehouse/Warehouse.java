package io.customerstudio.infra.warehouse;

import io.customerstudio.infra.config.DataSources;
import io.customerstudio.infra.config.StudioProperties;
import io.customerstudio.infra.store.AppStore;
import java.io.Closeable;
import javax.sql.DataSource;
import org.jooq.DSLContext;
import org.jooq.SQLDialect;
import org.jooq.impl.DSL;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The customer's warehouse: where models live and audience SQL runs. Either its own pool at {@code
 * STUDIO_WAREHOUSE_URL} or, by default, the app store's database. Thread-safe.
 */
public final class Warehouse implements Closeable {

  private static final Logger log = LoggerFactory.getLogger(Warehouse.class);

  private final DataSource dataSource;
  private final boolean sharedWithAppStore;
  private final String description;
  private final DSLContext dsl;

  Warehouse(DataSource dataSource, boolean sharedWithAppStore, String description) {
    this.dataSource = dataSource;
    this.sharedWithAppStore = sharedWithAppStore;
    this.description = description;
    this.dsl = DSL.using(dataSource, SQLDialect.POSTGRES);
  }

  /** A warehouse over a pool the caller owns (benchmarks, tests, tools). */
  public static Warehouse over(DataSource dataSource, String description) {
    return new Warehouse(dataSource, true, description);
  }

  public static Warehouse connect(StudioProperties properties, AppStore appStore) {
    StudioProperties.Database wh = properties.warehouse();
    if (wh.configured()) {
      DataSource ds =
          DataSources.open("warehouse", wh.url(), wh.user(), wh.password(), 10, "STUDIO_WAREHOUSE");
      String description = "PostgreSQL at " + DataSources.redact(wh.url());
      log.atInfo()
          .addKeyValue("setting", "STUDIO_WAREHOUSE_URL")
          .addKeyValue("mode", "external")
          .log("Warehouse: {}", description);
      return new Warehouse(ds, false, description);
    }
    String description = "the app store's own database (" + appStore.description() + ")";
    log.atInfo()
        .addKeyValue("setting", "STUDIO_WAREHOUSE_URL")
        .addKeyValue("mode", "shared")
        .log("Warehouse: {} (STUDIO_WAREHOUSE_URL unset)", description);
    return new Warehouse(appStore.dataSource(), true, description);
  }

  public DataSource dataSource() {
    return dataSource;
  }

  /** A jOOQ context on the warehouse, PostgreSQL dialect. */
  public DSLContext dsl() {
    return dsl;
  }

  public SQLDialect dialect() {
    return SQLDialect.POSTGRES;
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
