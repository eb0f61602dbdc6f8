package io.customerstudio.bench;

import io.customerstudio.infra.config.DataSources;
import io.customerstudio.infra.demo.DemoWarehouseGenerator;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import javax.sql.DataSource;

/**
 * Runs the benchmarks named on the command line against a fresh embedded PostgreSQL (or the one at
 * {@code BENCH_DATABASE_URL}) and rewrites their sections of docs/benchmarks.md.
 */
public final class BenchMain {

  private BenchMain() {}

  public static void main(String[] args) throws Exception {
    String which = args.length == 0 ? "all" : args[0];
    if (which.equals("all") || which.equals("durability")) {
      // starts its own servers, durable and not, as the app store does
      BenchReport report = new BenchReport(Path.of("docs/benchmarks.md"));
      report.replaceSection(DurabilityBenchmark.TITLE, DurabilityBenchmark.run());
      report.write();
      if (which.equals("durability")) {
        System.out.println("Wrote docs/benchmarks.md");
        return;
      }
    }
    int users = Integer.parseInt(System.getenv().getOrDefault("BENCH_USERS", "1000000"));
    String url = System.getenv("BENCH_DATABASE_URL");
    EmbeddedPostgres pg = null;
    DataSource ds;
    if (url == null || url.isBlank()) {
      Path dir = Files.createTempDirectory("cs-bench-pg");
      // durable, as the app's embedded store runs (fsync and synchronous commit on): the sync
      // bench's batch records and state pay what they pay in the app
      EmbeddedPostgres.Builder builder =
          EmbeddedPostgres.builder()
              .setDataDirectory(dir)
              .setCleanDataDirectory(true)
              .setServerConfig("fsync", "on")
              .setServerConfig("synchronous_commit", "on")
              .setServerConfig("full_page_writes", "on");
      if (which.equals("all") || which.startsWith("journeys")) {
        // the journeys bench reports which statements its runs spent their time in
        builder.setServerConfig("shared_preload_libraries", "pg_stat_statements");
      }
      pg = builder.start();
      ds =
          DataSources.open(
              "bench", pg.getJdbcUrl("postgres", "postgres"), "postgres", "", 8, "BENCH_DATABASE");
    } else {
      ds =
          DataSources.open(
              "bench",
              url,
              System.getenv("BENCH_DATABASE_USER"),
              System.getenv("BENCH_DATABASE_PASSWORD"),
              8,
              "BENCH_DATABASE");
    }
    try {
      BenchReport report = new BenchReport(Path.of("docs/benchmarks.md"));
      boolean reuse = "true".equals(System.getenv("BENCH_REUSE")) && benchSchemaExists(ds);
      if (!reuse
          && (which.equals("all")
              || which.equals("generator")
              || which.equals("query")
              || which.equals("duckdb"))) {
        String generated = generator(ds, users);
        if (!which.equals("query") && !which.equals("duckdb")) {
          report.replaceSection("Demo warehouse generator", generated);
        }
      }
      if (which.equals("all") || which.equals("sync")) {
        if (!benchSchemaExists(ds)) {
          generator(ds, users);
        }
        report.replaceSection(
            "Sync runs: full, incremental and the diff step",
            SyncBenchmark.run(ds, databases(pg, url), users));
      }
      if (which.equals("all") || which.equals("sync-duckdb")) {
        // issue 15: the sync scenario with the warehouse on DuckDB beside PostgreSQL
        if (!benchSchemaExists(ds)) {
          generator(ds, users);
        }
        report.replaceSection(
            SyncBenchmark.DUCKDB_TITLE,
            SyncBenchmark.sideBySide(
                ds, databases(pg, url), users, Path.of("bench/target/duckdb").toAbsolutePath()));
      }
      if (which.equals("all") || which.equals("governance")) {
        if (!benchSchemaExists(ds)) {
          generator(ds, users);
        }
        report.replaceSection(
            GovernanceBenchmark.TITLE, GovernanceBenchmark.run(ds, databases(pg, url), users));
      }
      if (which.equals("all") || which.equals("journeys")) {
        if (!benchSchemaExists(ds)) {
          generator(ds, users);
        }
        report.replaceSection(
            JourneyBenchmark.TITLE, JourneyBenchmark.run(ds, databases(pg, url), users));
      }
      if (which.equals("all") || which.equals("journeys-duckdb")) {
        // issue 15: the journey scenarios with the warehouse on DuckDB beside PostgreSQL
        if (!benchSchemaExists(ds)) {
          generator(ds, users);
        }
        report.replaceSection(
            JourneyBenchmark.DUCKDB_TITLE,
            JourneyBenchmark.sideBySide(
                ds, databases(pg, url), users, Path.of("bench/target/duckdb").toAbsolutePath()));
      }
      if (which.equals("all") || which.equals("query")) {
        report.replaceSection(
            "Audience queries: generated vs hand-written SQL", QueryBenchmark.run(ds, users));
      }
      if (which.equals("all") || which.equals("plans")) {
        if (!benchSchemaExists(ds)) {
          generator(ds, users);
        }
        report.replaceSection(PlanStabilityBenchmark.TITLE, PlanStabilityBenchmark.run(ds, users));
      }
      if (which.equals("all") || which.equals("duckdb")) {
        // issue 15: both engines side by side over the same rows
        report.replaceSection(
            DuckDbBenchmark.TITLE,
            DuckDbBenchmark.run(ds, users, Path.of("bench/target/duckdb").toAbsolutePath()));
      }
      report.write();
      System.out.println("Wrote docs/benchmarks.md");
    } finally {
      if (ds instanceof AutoCloseable c) {
        c.close();
      }
      if (pg != null) {
        pg.close();
      }
    }
  }

  /** Opens another database of the bench's server by name (an app store beside the warehouse). */
  static java.util.function.Function<String, DataSource> databases(
      EmbeddedPostgres pg, String url) {
    boolean embedded = url == null || url.isBlank();
    String base = embedded ? pg.getJdbcUrl("postgres", "postgres") : url;
    return name ->
        SyncBenchmark.open(
            withDatabase(base, name),
            embedded ? "postgres" : System.getenv("BENCH_DATABASE_USER"),
            embedded ? "" : System.getenv("BENCH_DATABASE_PASSWORD"));
  }

  /** The same server's JDBC URL with another database: jdbc:postgresql://host:port/<name>?... */
  static String withDatabase(String url, String name) {
    int q = url.indexOf('?');
    String head = q < 0 ? url : url.substring(0, q);
    String tail = q < 0 ? "" : url.substring(q);
    return head.substring(0, head.lastIndexOf('/') + 1) + name + tail;
  }

  /** Whether an earlier run's data is there (BENCH_REUSE=true skips regenerating it). */
  static boolean benchSchemaExists(DataSource ds) throws java.sql.SQLException {
    try (var c = ds.getConnection();
        var rs = c.getMetaData().getTables(null, "bench", "users", null)) {
      return rs.next();
    }
  }

  /**
   * Waits (up to 10 minutes) until no autovacuum worker runs on the server: after the generator's
   * 17M rows, autovacuum's passes over them take the cores a timed run needs. Returns the seconds
   * waited.
   */
  static double awaitQuietServer(DataSource ds) throws Exception {
    long t0 = System.nanoTime();
    int quiet = 0;
    while (quiet < 3 && System.nanoTime() - t0 < 600e9) {
      try (var c = ds.getConnection();
          var rs =
              c.createStatement()
                  .executeQuery(
                      "select count(*) from pg_stat_activity"
                          + " where backend_type = 'autovacuum worker'")) {
        rs.next();
        quiet = rs.getInt(1) == 0 ? quiet + 1 : 0;
      }
      Thread.sleep(1000);
    }
    double waited = (System.nanoTime() - t0) / 1e9;
    System.out.printf(Locale.ROOT, "Waited %.0f s for autovacuum to finish%n", waited);
    return waited;
  }

  /** Issue 2: 1M users with ~10M events at >= 200k rows/s. */
  static String generator(DataSource ds, int users) {
    int cores = Runtime.getRuntime().availableProcessors();
    DemoWarehouseGenerator generator = new DemoWarehouseGenerator(ds, cores);
    DemoWarehouseGenerator.Result r =
        generator.generate(
            new DemoWarehouseGenerator.Spec(
                "bench", 42, users, Instant.parse("2026-11-01T00:00:00Z")));
    List<String> lines = new ArrayList<>();
    lines.add(
        "Command: `./mvnw -B -ntp -Pbench -DskipTests verify -Dbench=generator`"
            + " (BENCH_USERS="
            + users
            + ", "
            + cores
            + " cores, embedded PostgreSQL 17 with"
            + " default settings). Target: >= 200,000 rows/s, indexes and ANALYZE included.");
    lines.add("");
    lines.add("| table | rows |");
    lines.add("|---|---:|");
    r.rowCounts()
        .forEach(
            (t, n) -> lines.add("| " + t + " | " + String.format(Locale.ROOT, "%,d", n) + " |"));
    lines.add("| **total** | **" + String.format(Locale.ROOT, "%,d", r.totalRows()) + "** |");
    lines.add("");
    lines.add(
        String.format(
            Locale.ROOT,
            "Wall time %.1f s, **%,.0f rows/s** (target 200,000: %s). Measured %s.",
            r.elapsed().toMillis() / 1000.0,
            r.rowsPerSecond(),
            r.rowsPerSecond() >= 200_000 ? "met" : "NOT met",
            Instant.now().toString().substring(0, 10)));
    return String.join("\n", lines);
  }
}
