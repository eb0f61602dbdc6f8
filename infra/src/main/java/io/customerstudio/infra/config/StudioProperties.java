package io.customerstudio.infra.config;

import java.nio.file.Path;
import java.time.Instant;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Every setting of Customer Studio, bound from {@code studio.*} properties so that environment
 * variables such as {@code STUDIO_DATABASE_URL} configure it. A blank connection setting means "use
 * the embedded default"; README.md documents each one.
 */
@ConfigurationProperties("studio")
public record StudioProperties(
    @DefaultValue Database database,
    @DefaultValue Database warehouse,
    @DefaultValue Temporal temporal,
    @DefaultValue Demo demo,
    @DefaultValue("./data") Path dataDir,
    @DefaultValue Embedded embedded,
    String adminPassword,
    String secretKey,
    Path exportDir,
    @DefaultValue Sync sync,
    @DefaultValue Governance governance) {

  /** Where file destinations may write: STUDIO_EXPORT_DIR, or the data directory's exports. */
  public Path exports() {
    return (exportDir != null ? exportDir : dataDir.resolve("exports"))
        .toAbsolutePath()
        .normalize();
  }

  /**
   * Syncs: how long rejected rows are kept; how long a working step may stay silent before Temporal
   * gives it to another worker; how long an ended run's working tables and batch records are kept;
   * how long a destination may be down before a run delivering to it fails (a destination's {@code
   * outageBudgetMinutes} overrides it).
   */
  public record Sync(
      @DefaultValue("P7D") java.time.Duration rowErrorRetention,
      @DefaultValue("PT30S") java.time.Duration heartbeatTimeout,
      @DefaultValue("P7D") java.time.Duration runRetention,
      @DefaultValue("PT30M") java.time.Duration outageBudget) {}

  /**
   * Governance: the warehouse schema of the logs analysts join with outcomes (the holdout log). Set
   * it before the first start: the warehouse migration creates its tables there.
   */
  public record Governance(@DefaultValue("cs_logs") String logSchema) {
    public Governance {
      if (logSchema == null || !logSchema.matches("[a-z_][a-z0-9_]{0,62}")) {
        throw new IllegalArgumentException(
            "studio.governance.log-schema must be a lower-case SQL name (letters, digits, '_'),"
                + " not \""
                + logSchema
                + "\"");
      }
    }
  }

  /**
   * The embedded app store (used when {@code STUDIO_DATABASE_URL} is unset). {@code durable}: fsync
   * and synchronous commit on, so a committed transaction survives an OS crash or power loss; off
   * only for throwaway data, where speed matters more (docs/benchmarks.md has the cost).
   */
  public record Embedded(@DefaultValue("true") boolean durable) {}

  /** A PostgreSQL connection; blank url means embedded (app store) or shared (warehouse). */
  public record Database(String url, String user, String password) {
    public boolean configured() {
      return url != null && !url.isBlank();
    }
  }

  /** Temporal: blank target means an in-process server. */
  public record Temporal(
      String target,
      @DefaultValue("default") String namespace,
      @DefaultValue("customer-studio") String taskQueue) {
    public boolean configured() {
      return target != null && !target.isBlank();
    }
  }

  /**
   * The generated demo warehouse. {@code data} null means "generate when the warehouse is the
   * embedded default"; rows are a pure function of (seed, users, anchor). {@code warehouse}
   * (STUDIO_DEMO_WAREHOUSE): where the embedded default warehouse lives when STUDIO_WAREHOUSE_URL
   * is unset: {@code duckdb} (a DuckDB file in the data directory; the default) or {@code postgres}
   * (the app store's own database). Unset, a data directory whose app store already holds the demo
   * schema (made by a version before DuckDB) keeps its warehouse there.
   */
  public record Demo(
      Boolean data,
      String warehouse,
      @DefaultValue("10000") int users,
      @DefaultValue("42") long seed,
      @DefaultValue("demo") String schema,
      Instant anchor) {
    public Demo {
      warehouse =
          warehouse == null || warehouse.isBlank()
              ? null
              : warehouse.trim().toLowerCase(java.util.Locale.ROOT);
      if (warehouse != null && !warehouse.equals("duckdb") && !warehouse.equals("postgres")) {
        throw new IllegalArgumentException(
            "STUDIO_DEMO_WAREHOUSE must be duckdb or postgres, not \"" + warehouse + "\"");
      }
    }

    /** DuckDB unless STUDIO_DEMO_WAREHOUSE says postgres (unset means the default, DuckDB). */
    public boolean duckdb() {
      return !"postgres".equals(warehouse);
    }

    /** Whether STUDIO_DEMO_WAREHOUSE was set, rather than left to the default. */
    public boolean warehouseChosen() {
      return warehouse != null;
    }
  }
}
