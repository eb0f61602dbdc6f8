package io.customerstudio.infra.warehouse;

import java.util.List;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.migration.JavaMigration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Creates and changes the tables the engine keeps in the warehouse (schema {@code cs_sync}) by
 * versioned migrations ({@code db/warehouse} on the classpath, plus Java migrations the sync engine
 * contributes), applied once per warehouse at start. Flyway takes a database lock, so several
 * instances starting at once apply each version once. Nothing else in the app runs DDL on these
 * tables: no {@code CREATE ... IF NOT EXISTS} on a run, a dry run or a read.
 */
public final class WarehouseMigrations {

  public static final String SCHEMA = "cs_sync";

  /** Where the holdout log goes unless {@code studio.governance.log-schema} says otherwise. */
  public static final String LOG_SCHEMA = "cs_logs";

  private static final Logger log = LoggerFactory.getLogger(WarehouseMigrations.class);

  private WarehouseMigrations() {}

  /** Brings the warehouse's {@code cs_sync} schema to the newest version; returns how many ran. */
  public static int apply(Warehouse warehouse, List<JavaMigration> javaMigrations) {
    return apply(warehouse.dataSource(), javaMigrations, LOG_SCHEMA);
  }

  public static int apply(
      Warehouse warehouse, List<JavaMigration> javaMigrations, String logSchema) {
    return apply(warehouse.dataSource(), javaMigrations, logSchema);
  }

  public static int apply(javax.sql.DataSource warehouse, List<JavaMigration> javaMigrations) {
    return apply(warehouse, javaMigrations, LOG_SCHEMA);
  }

  /**
   * @param logSchema the schema of the holdout log (a lower-case SQL name, checked by the caller)
   */
  public static int apply(
      javax.sql.DataSource warehouse, List<JavaMigration> javaMigrations, String logSchema) {
    var result =
        Flyway.configure()
            .dataSource(warehouse)
            .schemas(SCHEMA)
            .defaultSchema(SCHEMA)
            .createSchemas(true)
            .table("schema_history")
            .locations("classpath:db/warehouse")
            .placeholders(java.util.Map.of("logSchema", logSchema))
            .javaMigrations(javaMigrations.toArray(JavaMigration[]::new))
            // a warehouse whose cs_sync tables predate versioned migrations: taken over as version
            // 0, and the migrations (written to accept what is there) run from 1
            .baselineOnMigrate(true)
            .baselineVersion("0")
            .load()
            .migrate();
    if (result.migrationsExecuted > 0) {
      log.atInfo()
          .addKeyValue("migrations", result.migrationsExecuted)
          .log("warehouse schema {} migrated to version {}", SCHEMA, result.targetSchemaVersion);
    }
    return result.migrationsExecuted;
  }
}
