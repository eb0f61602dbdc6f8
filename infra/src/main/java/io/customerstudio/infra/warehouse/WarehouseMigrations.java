package io.customerstudio.infra.warehouse;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.CRC32;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.MigrationVersion;
import org.flywaydb.core.api.configuration.Configuration;
import org.flywaydb.core.api.migration.Context;
import org.flywaydb.core.api.migration.JavaMigration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.core.io.Resource;
import org.springframework.core.io.support.PathMatchingResourcePatternResolver;

/**
 * Creates and changes the tables the engine keeps in the warehouse (schema {@code cs_sync}) by
 * versioned migrations ({@code db/warehouse} on the classpath, plus Java migrations the sync engine
 * contributes), applied once per warehouse at start. Flyway takes a database lock, so several
 * instances starting at once apply each version once. Nothing else in the app runs DDL on these
 * tables: no {@code CREATE ... IF NOT EXISTS} on a run, a dry run or a read.
 *
 * <p>A DuckDB warehouse is migrated by {@link #applyDuckDb}, not Flyway: Flyway has no DuckDB
 * database module (none is published for Flyway 11), so it refuses the connection. The DuckDB
 * runner applies the same versions (a script of {@code db/warehouse-duckdb} replaces the one of
 * {@code db/warehouse} with its version where the dialects differ) and the same Java migrations, in
 * version order, each once, recorded in {@code cs_sync.schema_history}.
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
    if (isDuckDb(warehouse)) {
      return applyDuckDb(warehouse, javaMigrations, logSchema);
    }
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

  private static boolean isDuckDb(DataSource dataSource) {
    try (Connection c = dataSource.getConnection()) {
      return "DuckDB".equalsIgnoreCase(c.getMetaData().getDatabaseProductName());
    } catch (SQLException e) {
      throw new IllegalStateException("cannot reach the warehouse: " + e.getMessage(), e);
    }
  }

  private static final Pattern SCRIPT = Pattern.compile("V([0-9][0-9._]*)__(.+)\\.sql");

  /** A version to apply: a SQL script or a Java migration. */
  private record Step(
      MigrationVersion version,
      String description,
      Integer checksum,
      String sql,
      JavaMigration java) {}

  /**
   * The DuckDB runner: a small, honest stand-in for Flyway's {@code migrate} on an engine Flyway
   * does not support. Each version not yet in {@code cs_sync.schema_history} runs in its own
   * transaction together with its history row, in version order; an applied script whose text
   * changed since (its CRC32 differs) stops the start, as Flyway's validation would. A DuckDB file
   * is opened by one process only, so a lock in this JVM is all the mutual exclusion several starts
   * need. There is no baseline: DuckDB warehouses never had the tables from before versioned
   * migrations.
   */
  static synchronized int applyDuckDb(
      DataSource warehouse, List<JavaMigration> javaMigrations, String logSchema) {
    TreeMap<MigrationVersion, Step> steps = new TreeMap<>(Comparator.naturalOrder());
    Map<MigrationVersion, Step> duckOnly = scripts("db/warehouse-duckdb", logSchema);
    scripts("db/warehouse", logSchema).forEach(steps::put);
    steps.putAll(duckOnly);
    for (JavaMigration m : javaMigrations) {
      Step previous =
          steps.put(
              m.getVersion(),
              new Step(m.getVersion(), m.getDescription(), m.getChecksum(), null, m));
      if (previous != null) {
        throw new IllegalStateException("two warehouse migrations have version " + m.getVersion());
      }
    }
    int applied = 0;
    try (Connection c = warehouse.getConnection()) {
      boolean autoCommit = c.getAutoCommit();
      try (var st = c.createStatement()) {
        st.execute("create schema if not exists " + SCHEMA);
        st.execute(
            "create table if not exists "
                + SCHEMA
                + ".schema_history (version text not null primary key, description text not null,"
                + " checksum integer, installed_on timestamptz not null)");
      }
      Map<String, Integer> done = new HashMap<>();
      try (var st = c.createStatement();
          var rs = st.executeQuery("select version, checksum from " + SCHEMA + ".schema_history")) {
        while (rs.next()) {
          int checksum = rs.getInt(2);
          done.put(rs.getString(1), rs.wasNull() ? null : checksum);
        }
      }
      MigrationVersion newest = null;
      for (Step step : steps.values()) {
        String version = step.version().getVersion();
        if (done.containsKey(version)) {
          Integer was = done.get(version);
          if (step.sql() != null && was != null && !was.equals(step.checksum())) {
            throw new IllegalStateException(
                "warehouse migration "
                    + version
                    + " ("
                    + step.description()
                    + ") changed after it was applied: checksum "
                    + was
                    + " applied, "
                    + step.checksum()
                    + " now");
          }
          continue;
        }
        c.setAutoCommit(false);
        try {
          if (step.java() != null) {
            step.java().migrate(context(c));
          } else {
            try (var st = c.createStatement()) {
              for (String statement : statements(step.sql())) {
                st.execute(statement);
              }
            }
          }
          try (var insert =
              c.prepareStatement(
                  "insert into "
                      + SCHEMA
                      + ".schema_history (version, description, checksum, installed_on)"
                      + " values (?, ?, ?, ?)")) {
            insert.setString(1, version);
            insert.setString(2, step.description());
            if (step.checksum() == null) {
              insert.setNull(3, java.sql.Types.INTEGER);
            } else {
              insert.setInt(3, step.checksum());
            }
            insert.setTimestamp(4, Timestamp.from(Instant.now()));
            insert.executeUpdate();
          }
          c.commit();
        } catch (Exception e) {
          c.rollback();
          throw new IllegalStateException(
              "warehouse migration "
                  + version
                  + " ("
                  + step.description()
                  + ") failed: "
                  + e.getMessage(),
              e);
        } finally {
          c.setAutoCommit(autoCommit);
        }
        applied++;
        newest = step.version();
      }
      if (applied > 0) {
        log.atInfo()
            .addKeyValue("migrations", applied)
            .log("warehouse schema {} (DuckDB) migrated to version {}", SCHEMA, newest);
      }
    } catch (SQLException e) {
      throw new IllegalStateException(
          "migrating the DuckDB warehouse failed: " + e.getMessage(), e);
    }
    return applied;
  }

  /** The versioned scripts of a classpath folder, placeholders replaced, by version. */
  private static Map<MigrationVersion, Step> scripts(String folder, String logSchema) {
    Map<MigrationVersion, Step> out = new HashMap<>();
    try {
      Resource[] found =
          new PathMatchingResourcePatternResolver(WarehouseMigrations.class.getClassLoader())
              .getResources("classpath*:" + folder + "/V*__*.sql");
      for (Resource r : found) {
        Matcher m = SCRIPT.matcher(r.getFilename());
        if (!m.matches()) {
          continue;
        }
        MigrationVersion version = MigrationVersion.fromVersion(m.group(1).replace('_', '.'));
        if (out.containsKey(version)) {
          continue; // the same script seen twice on the classpath
        }
        String text = r.getContentAsString(StandardCharsets.UTF_8);
        out.put(
            version,
            new Step(
                version,
                m.group(2).replace('_', ' '),
                checksum(text),
                text.replace("${logSchema}", logSchema),
                null));
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the warehouse migrations in " + folder, e);
    }
    return out;
  }

  /** CRC32 of the script's lines (line endings ignored), as an int, like Flyway's checksum. */
  private static int checksum(String text) {
    CRC32 crc = new CRC32();
    for (String line : text.split("\\R")) {
      crc.update(line.getBytes(StandardCharsets.UTF_8));
    }
    return (int) crc.getValue();
  }

  /**
   * The statements of a script: comment lines dropped, split at a semicolon that ends a line (the
   * scripts keep one statement per such semicolon and none inside a string).
   */
  static List<String> statements(String sql) {
    StringBuilder text = new StringBuilder();
    for (String line : sql.split("\\R")) {
      if (!line.strip().startsWith("--")) {
        text.append(line).append('\n');
      }
    }
    List<String> out = new ArrayList<>();
    for (String part : text.toString().split(";\\s*\\n")) {
      String s = part.strip();
      if (s.endsWith(";")) {
        s = s.substring(0, s.length() - 1).strip();
      }
      if (!s.isEmpty()) {
        out.add(s);
      }
    }
    return out;
  }

  private static Context context(Connection connection) {
    return new Context() {
      @Override
      public Configuration getConfiguration() {
        return Flyway.configure().schemas(SCHEMA).defaultSchema(SCHEMA).table("schema_history");
      }

      @Override
      public Connection getConnection() {
        return connection;
      }
    };
  }
}
