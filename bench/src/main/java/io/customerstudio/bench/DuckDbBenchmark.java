package io.customerstudio.bench;

import io.customerstudio.infra.config.DataSources;
import io.customerstudio.infra.demo.DemoWarehouseGenerator;
import io.customerstudio.query.audience.AudienceDefinition;
import io.customerstudio.query.engine.AudienceEngine;
import java.io.BufferedWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import javax.sql.DataSource;
import org.jooq.DSLContext;
import org.jooq.SQLDialect;
import org.jooq.impl.DSL;
import org.postgresql.PGConnection;

/**
 * Issue 15's benchmark: the query benchmark's audiences on PostgreSQL and on DuckDB side by side,
 * over identical data (the PostgreSQL-generated bench tables copied into a DuckDB file through
 * CSV), plus DuckDB's own demo generation rate. A query that fails on one engine is recorded as
 * "fails: ..." in the table instead of stopping the run, since the DuckDB dialect is new.
 */
final class DuckDbBenchmark {

  static final String TITLE = "DuckDB beside PostgreSQL (issue 15)";
  static final String COMMAND = "./mvnw -B -ntp -Pbench -DskipTests verify -Dbench=duckdb";

  /**
   * Hand-written SQL for DuckDB where the PostgreSQL text does not run there (by case name); the
   * others run as written (timestamptz literals, IS DISTINCT FROM and date literals are DuckDB SQL
   * too).
   */
  static final java.util.Map<String, String> DUCKDB_HAND_WRITTEN = java.util.Map.of();

  /** One engine's timings of one audience: medians in ms, or the error that stopped it. */
  record Timing(long members, double generatedMs, double handMs, String failure) {
    String cell(double ms) {
      return failure != null ? "" : String.format(Locale.ROOT, "%.0f", ms);
    }

    double ratio() {
      return generatedMs / handMs;
    }
  }

  static String run(DataSource pg, int users, Path work) throws Exception {
    Files.createDirectories(work);
    List<String> lines = new ArrayList<>();
    String liveSize;
    // the PostgreSQL generator has just written 17M rows: nothing times well beside autovacuum
    BenchMain.awaitQuietServer(pg);

    // 1. DuckDB's own demo generation, into a file of its own
    Path genFile = work.resolve("gen").resolve("warehouse.duckdb");
    deleteDuckDb(genFile);
    DemoWarehouseGenerator.Result generated;
    try (var ds =
        DataSources.openDuckDb("bench-duckdb-gen", "jdbc:duckdb:" + genFile, 2, "BENCH")) {
      generated =
          new DemoWarehouseGenerator(ds, SQLDialect.DUCKDB, 1)
              .generate(new DemoWarehouseGenerator.Spec("bench", 42, users, QueryBenchmark.AS_OF));
    }
    deleteDuckDb(genFile);
    System.out.printf(
        Locale.ROOT,
        "DuckDB generation: %,d rows in %.1f s, %,.0f rows/s %s%n",
        generated.totalRows(),
        generated.elapsed().toMillis() / 1000.0,
        generated.rowsPerSecond(),
        generated.rowCounts());

    // 2. PostgreSQL's bench rows into DuckDB, typed tables, through CSV
    Path file = work.resolve("copy").resolve("warehouse.duckdb");
    deleteDuckDb(file);
    try (var duck = DataSources.openDuckDb("bench-duckdb", "jdbc:duckdb:" + file, 4, "BENCH")) {
      Copy copy = copy(pg, duck, work);
      long exportNanos = copy.exportNanos();
      long loadNanos = copy.loadNanos();
      long copied = copy.rows();
      System.out.printf(
          Locale.ROOT,
          "Copied %,d rows: PostgreSQL COPY to CSV %.1f s, DuckDB load %.1f s%n",
          copied,
          exportNanos / 1e9,
          loadNanos / 1e9);

      // 3. the audiences on both engines
      AudienceEngine pgEngine = QueryBenchmark.engine(pg, SQLDialect.POSTGRES);
      AudienceEngine duckEngine = QueryBenchmark.engine(duck, SQLDialect.DUCKDB);
      DSLContext pgDb = DSL.using(pg, SQLDialect.POSTGRES);
      DSLContext duckDb = DSL.using(duck, SQLDialect.DUCKDB);

      lines.add(
          "Command: `"
              + COMMAND
              + "` (BENCH_USERS="
              + users
              + ", BENCH_RUNS="
              + QueryBenchmark.RUNS
              + ", "
              + Runtime.getRuntime().availableProcessors()
              + " cores, load average "
              + String.format(
                  java.util.Locale.ROOT,
                  "%.1f",
                  java.lang.management.ManagementFactory.getOperatingSystemMXBean()
                      .getSystemLoadAverage())
              + " at the end; embedded PostgreSQL 17 as in the query section;"
              + " DuckDB "
              + duckVersion(duckDb)
              + " in the bench JVM, default settings: as many threads as cores). One run of both engines"
              + " over identical data: the PostgreSQL-generated bench tables copied into a DuckDB file"
              + " (PostgreSQL `COPY ... TO STDOUT (FORMAT csv)` through the JDBC CopyManager to a CSV file,"
              + " then DuckDB `copy bench.t from 'file.csv' (header)` into typed tables, then a"
              + " `checkpoint`, counted in the load): "
              + String.format(
                  Locale.ROOT,
                  "%,d rows, export %.1f s, DuckDB load **%.1f s**",
                  copied,
                  exportNanos / 1e9,
                  loadNanos / 1e9)
              + ". Before timing, each engine compiles and renders every audience "
              + QueryBenchmark.COMPILER_WARM_UPS
              + " times without running it, as a server that has been up a while has (a cold JIT"
              + " adds 1 to 3 ms to each generated query, which is a third of the cheapest"
              + " DuckDB counts). Each audience and engine: 1 warm-up, then "
              + QueryBenchmark.RUNS_TEXT
              + " of the generated (AudienceEngine.count) and the hand-written"
              + " count; medians in ms. Measured "
              + java.time.Instant.now().toString().substring(0, 10)
              + ".");
      lines.add("");
      lines.add(
          "| audience | members | PG generated | PG hand-written | PG ratio | DuckDB generated |"
              + " DuckDB hand-written | DuckDB ratio |");
      lines.add("|---|---:|---:|---:|---:|---:|---:|---:|");
      List<Double> pgRatios = new ArrayList<>();
      List<Double> duckRatios = new ArrayList<>();
      List<Double> duckGenerated = new ArrayList<>();
      List<String> failures = new ArrayList<>();
      QueryBenchmark.warmCompiler(pgEngine, pgDb);
      QueryBenchmark.warmCompiler(duckEngine, duckDb);
      for (QueryBenchmark.Case c : QueryBenchmark.CASES) {
        AudienceDefinition d = QueryBenchmark.definition(c.filter());
        Timing p = time(pgEngine, pgDb, d, c.handWritten());
        Timing k =
            time(
                duckEngine, duckDb, d, DUCKDB_HAND_WRITTEN.getOrDefault(c.name(), c.handWritten()));
        String members =
            p.failure() == null && k.failure() == null && p.members() != k.members()
                ? String.format(Locale.ROOT, "PG %,d / DuckDB %,d", p.members(), k.members())
                : String.format(
                    Locale.ROOT, "%,d", p.failure() == null ? p.members() : k.members());
        if (p.failure() == null) {
          pgRatios.add(p.ratio());
        } else {
          failures.add("PostgreSQL, " + c.name() + ": " + p.failure());
        }
        if (k.failure() == null) {
          duckRatios.add(k.ratio());
          duckGenerated.add(k.generatedMs());
        } else {
          failures.add("DuckDB, " + c.name() + ": " + k.failure());
        }
        lines.add("| " + c.name() + " | " + members + " | " + cells(p) + " | " + cells(k) + " |");
        System.out.printf(
            Locale.ROOT,
            "%-70s PG %s / %s   DuckDB %s / %s %s%n",
            c.name(),
            p.cell(p.generatedMs()),
            p.cell(p.handMs()),
            k.cell(k.generatedMs()),
            k.cell(k.handMs()),
            k.failure() == null ? "" : k.failure());
      }
      lines.add("");
      lines.add(
          "Generated ÷ hand-written: PostgreSQL "
              + summary(pgRatios)
              + "; DuckDB "
              + summary(duckRatios)
              + " (targets: median <= 1.10, worst <= 1.5 on each engine). DuckDB's slowest generated count: "
              + (duckGenerated.isEmpty()
                  ? "none ran"
                  : String.format(
                      Locale.ROOT,
                      "**%.0f ms** (target <= 1000 ms for each of the 9: %s)",
                      duckGenerated.stream().mapToDouble(Double::doubleValue).max().orElse(0),
                      duckGenerated.size() == QueryBenchmark.CASES.size()
                              && duckGenerated.stream().allMatch(ms -> ms <= 1000)
                          ? "met"
                          : "NOT met"))
              + ".");
      lines.add("");
      lines.add(seedChecked(duckEngine, duckDb));
      if (!failures.isEmpty()) {
        lines.add("");
        lines.add("Failures (the engine's error, verbatim):");
        lines.add("");
        failures.forEach(f -> lines.add("- " + f.replace('\n', ' ')));
      }

      liveSize = builderLiveSize(duckEngine);

      // 4. the seed example's previews
      AudienceDefinition seed = QueryBenchmark.definition(QueryBenchmark.CASES.get(0).filter());
      lines.add("");
      lines.add(
          "Preview of the seed example (AudienceEngine.preview, count only, 1 warm-up, median of "
              + QueryBenchmark.RUNS
              + "):");
      lines.add("");
      lines.add("| preview | PostgreSQL (ms) | DuckDB (ms) | target on DuckDB |");
      lines.add("|---|---:|---:|---|");
      lines.add(
          "| exact | "
              + previewCell(pgEngine, seed, null)
              + " | "
              + previewCell(duckEngine, seed, null)
              + " | <= 1000 |");
      AudienceEngine.Sampling onePercent = new AudienceEngine.Sampling(1, 42);
      lines.add(
          "| sampled 1% | "
              + previewCell(pgEngine, seed, onePercent)
              + " | "
              + previewCell(duckEngine, seed, onePercent)
              + " | <= 200 |");
    }

    // 5. what the builder shows: on a columnar warehouse the size panel runs the exact count at
    // once, after its 300 ms debounce (no 1% estimate first)
    lines.add("");
    lines.add(liveSize);
    // 5. generation rates
    lines.add("");
    lines.add(
        String.format(
            Locale.ROOT,
            "Demo generation on DuckDB (DemoWarehouseGenerator into a fresh file, same spec: %,d users,"
                + " seed 42; one statement per table, no indexes): %,d rows in %.1f s, **%,.0f rows/s**"
                + " (target >= 1,000,000: %s); rows per table %s. PostgreSQL's rate is in the generator"
                + " section above (same spec; indexes and ANALYZE included). The two engines' rows"
                + " differ (their hashes differ) but follow the same distributions.",
            users,
            generated.totalRows(),
            generated.elapsed().toMillis() / 1000.0,
            generated.rowsPerSecond(),
            generated.rowsPerSecond() >= 1_000_000 ? "met" : "NOT met",
            generated.rowCounts()));
    return String.join("\n", lines);
  }

  /**
   * The audience editor's size panel on a DuckDB warehouse: after its 300 ms debounce it runs the
   * exact count at once (SizePanel skips the 1% estimate where exact counts are fast), so the exact
   * size shows 300 ms plus one preview after the last edit. The same engine call, timed here; the
   * browser round trip over the open push channel is not included.
   */
  static String builderLiveSize(AudienceEngine duck) {
    final long debounceMs = 300;
    List<String> out = new ArrayList<>();
    out.add(
        "Builder live size on DuckDB (the size panel: 300 ms debounce, then the exact count;"
            + " AudienceEngine.preview, 1 warm-up, median of "
            + QueryBenchmark.RUNS
            + "; target: the exact size within 1 s of the last edit for each audience):");
    out.add("");
    out.add("| audience | exact size shown (ms after the edit) | within 1 s |");
    out.add("|---|---:|---|");
    int within = 0;
    for (QueryBenchmark.Case c : QueryBenchmark.CASES) {
      AudienceDefinition d = QueryBenchmark.definition(c.filter());
      long[] t = new long[QueryBenchmark.RUNS];
      try {
        duck.preview(d, "$", QueryBenchmark.AS_OF, null, 0, List.of());
        for (int r = 0; r < QueryBenchmark.RUNS; r++) {
          long t0 = System.nanoTime();
          duck.preview(d, "$", QueryBenchmark.AS_OF, null, 0, List.of());
          t[r] = System.nanoTime() - t0;
        }
      } catch (RuntimeException e) {
        String m = rootMessage(e).replace('|', '/').replace('\n', ' ');
        out.add("| " + c.name() + " | fails: " + m + " | no |");
        continue;
      }
      double shown = debounceMs + QueryBenchmark.median(t) / 1e6;
      within += shown <= 1000 ? 1 : 0;
      out.add(
          String.format(
              Locale.ROOT, "| %s | %.0f | %s |", c.name(), shown, shown <= 1000 ? "yes" : "no"));
    }
    out.add("");
    out.add(
        String.format(
            Locale.ROOT,
            "The exact size showed within 1 s for **%d of %d** audiences.",
            within,
            QueryBenchmark.CASES.size()));
    return String.join("\n", out);
  }

  /** Rows copied from PostgreSQL into DuckDB, and the time each side took. */
  record Copy(long rows, long exportNanos, long loadNanos) {}

  /**
   * The PostgreSQL bench tables into typed DuckDB tables of the same names (and the demo views),
   * through CSV files in {@code work}: identical data on both engines.
   */
  static Copy copy(DataSource pg, DataSource duck, Path work) throws Exception {
    Files.createDirectories(work);
    DemoWarehouseGenerator duckTables = new DemoWarehouseGenerator(duck, SQLDialect.DUCKDB, 1);
    duckTables.createTables(QueryBenchmark.S);
    long exportNanos = 0;
    long loadNanos = 0;
    long copied = 0;
    for (String table : DemoWarehouseGenerator.tables()) {
      Path csv = work.resolve(table + ".csv");
      long t0 = System.nanoTime();
      try (Connection c = pg.getConnection();
          BufferedWriter out = Files.newBufferedWriter(csv, StandardCharsets.UTF_8)) {
        copied +=
            c.unwrap(PGConnection.class)
                .getCopyAPI()
                .copyOut(
                    "copy " + QueryBenchmark.S + "." + table + " to stdout (format csv, header)",
                    out);
      }
      long t1 = System.nanoTime();
      try (Connection c = duck.getConnection();
          Statement st = c.createStatement()) {
        st.execute(
            "copy "
                + QueryBenchmark.S
                + "."
                + table
                + " from '"
                + csv.toAbsolutePath().toString().replace("'", "''")
                + "' (header)");
      }
      long t2 = System.nanoTime();
      exportNanos += t1 - t0;
      loadNanos += t2 - t1;
      Files.delete(csv);
    }
    duckTables.createViews(QueryBenchmark.S);
    // the loaded rows written into the file, as the app finds a warehouse file it opens
    long t0 = System.nanoTime();
    try (Connection c = duck.getConnection();
        Statement st = c.createStatement()) {
      st.execute("checkpoint");
    }
    loadNanos += System.nanoTime() - t0;
    return new Copy(copied, exportNanos, loadNanos);
  }

  private static String cells(Timing t) {
    if (t.failure() != null) {
      String f = t.failure().replace('|', '/').replace('\n', ' ');
      return "fails: " + (f.length() > 160 ? f.substring(0, 160) + "…" : f) + " | | ";
    }
    return String.format(Locale.ROOT, "%.0f | %.0f | %.2f", t.generatedMs(), t.handMs(), t.ratio());
  }

  /**
   * The seed example on DuckDB against a second hand-written count, one that answers the audience's
   * question on any data: the table's hand-written SQL counts the union of the three key sets and
   * never checks that a key is a user, which holds for the bench data (the counts agree) but not
   * for a warehouse whose events or purchases name people missing from {@code users}. The generated
   * SQL must check it; this line shows what that check costs by hand. DuckDB only: on PostgreSQL an
   * {@code IN} under an {@code OR} is a subplan, hashed only while the key set fits in work_mem,
   * and this one does not (the count ran for over 10 minutes).
   */
  private static String seedChecked(AudienceEngine duckEngine, DSLContext duckDb) {
    AudienceDefinition d = QueryBenchmark.definition(QueryBenchmark.CASES.get(0).filter());
    Timing k = time(duckEngine, duckDb, d, QueryBenchmark.SEED_CHECKED);
    return "The seed example on DuckDB against hand-written SQL that also checks each key is a user (`"
        + QueryBenchmark.SEED_CHECKED.strip().replaceAll("\\s+", " ")
        + "`; the table's hand-written SQL leaves that check out, which gives the same count only"
        + " because every key in the bench data is a user): "
        + checkedCell(k)
        + ". This is not the target's baseline; the table's is.";
  }

  private static String checkedCell(Timing t) {
    return t.failure() != null
        ? "failed: " + t.failure()
        : String.format(
            Locale.ROOT,
            "generated %.0f ms, hand-written %.0f ms, ratio **%.2f**",
            t.generatedMs(),
            t.handMs(),
            t.ratio());
  }

  private static Timing time(
      AudienceEngine engine, DSLContext db, AudienceDefinition d, String handWritten) {
    long members;
    try {
      members = engine.count(d, "$", QueryBenchmark.AS_OF);
    } catch (RuntimeException e) {
      return new Timing(0, 0, 0, "generated: " + rootMessage(e));
    }
    long hand;
    try {
      hand = db.fetchOne(handWritten).get(0, Long.class);
    } catch (RuntimeException e) {
      return new Timing(members, 0, 0, "hand-written: " + rootMessage(e));
    }
    if (hand != members) {
      return new Timing(
          members, 0, 0, "counts differ: generated " + members + ", hand-written " + hand);
    }
    double[] ms =
        QueryBenchmark.alternating(
            1, () -> engine.count(d, "$", QueryBenchmark.AS_OF), () -> db.fetchOne(handWritten));
    return new Timing(members, ms[0], ms[1], null);
  }

  private static String previewCell(
      AudienceEngine engine, AudienceDefinition d, AudienceEngine.Sampling sampling) {
    try {
      engine.preview(d, "$", QueryBenchmark.AS_OF, sampling, 0, List.of());
      long[] t = new long[QueryBenchmark.RUNS];
      for (int r = 0; r < QueryBenchmark.RUNS; r++) {
        long t0 = System.nanoTime();
        engine.preview(d, "$", QueryBenchmark.AS_OF, sampling, 0, List.of());
        t[r] = System.nanoTime() - t0;
      }
      return String.format(Locale.ROOT, "%.0f", QueryBenchmark.median(t) / 1e6);
    } catch (RuntimeException e) {
      String m = rootMessage(e).replace('|', '/').replace('\n', ' ');
      return "fails: " + (m.length() > 160 ? m.substring(0, 160) + "…" : m);
    }
  }

  private static String summary(List<Double> ratios) {
    if (ratios.isEmpty()) {
      return "no audience ran";
    }
    double[] s = ratios.stream().mapToDouble(Double::doubleValue).sorted().toArray();
    double median = QueryBenchmark.median(s);
    return String.format(
        Locale.ROOT,
        "median **%.2f**, worst **%.2f** over %d audiences",
        median,
        s[s.length - 1],
        s.length);
  }

  private static String rootMessage(Throwable e) {
    Throwable t = e;
    while (t.getCause() != null && t.getCause() != t) {
      t = t.getCause();
    }
    String m = t.getMessage() != null ? t.getMessage() : t.toString();
    return m.strip();
  }

  private static String duckVersion(DSLContext duck) {
    try {
      return duck.fetchOne("select version()").get(0, String.class);
    } catch (RuntimeException e) {
      return "1.5";
    }
  }

  static void deleteDuckDb(Path file) throws java.io.IOException {
    Files.deleteIfExists(file);
    Files.deleteIfExists(file.resolveSibling(file.getFileName() + ".wal"));
  }

  private DuckDbBenchmark() {}
}
