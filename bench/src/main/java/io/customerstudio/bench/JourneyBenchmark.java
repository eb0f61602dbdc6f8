package io.customerstudio.bench;

import com.fasterxml.jackson.databind.JsonNode;
import io.customerstudio.activities.journey.JourneyActivitiesImpl;
import io.customerstudio.activities.journey.JourneyEngine;
import io.customerstudio.infra.config.StudioProperties;
import io.customerstudio.infra.store.DestinationStore;
import io.customerstudio.infra.store.JourneyStore;
import io.customerstudio.infra.temporal.TemporalConnection;
import io.customerstudio.infra.temporal.TemporalWorker;
import io.customerstudio.infra.temporal.WorkerRegistrar;
import io.customerstudio.infra.warehouse.Warehouse;
import io.customerstudio.infra.warehouse.WarehouseMigrations;
import io.customerstudio.query.Problems;
import io.customerstudio.query.audience.AudienceJson;
import io.customerstudio.query.audience.Condition;
import io.customerstudio.query.compile.AudienceCompiler;
import io.customerstudio.query.journey.JourneyDefinition;
import io.customerstudio.query.journey.JourneyJson;
import io.customerstudio.query.journey.JourneyValidator;
import io.customerstudio.query.schema.Catalog;
import io.customerstudio.workflows.journey.JourneyOrchestrator;
import io.customerstudio.workflows.journey.JourneyWorkflow;
import io.customerstudio.workflows.journey.JourneyWorkflowImpl;
import io.temporal.api.common.v1.WorkflowExecution;
import io.temporal.api.enums.v1.WorkflowExecutionStatus;
import io.temporal.api.workflowservice.v1.DescribeWorkflowExecutionRequest;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowOptions;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import java.util.function.LongSupplier;
import javax.sql.DataSource;
import org.jooq.DSLContext;
import org.jooq.Record;
import org.jooq.impl.DSL;

/**
 * Journeys at scale, on the path the app takes: the real {@link JourneyEngine} driven by the real
 * {@link JourneyWorkflow} on the in-process Temporal server (port-bound, real gRPC, wall-clock
 * timers) with a worker, over an app store on the bench's PostgreSQL and the 1M-user bench
 * warehouse. Scenarios, one journey each, run one after another: audience entry of every user; a
 * five-node journey (wait, branch, split with a holdout, send to a local HTTP sink, exit); timers
 * with 100k people waiting 30-60 s; events at 200/s; and a baseline of the same five nodes with one
 * workflow per person. Times are wall clock: the bench adds a {@code wall timestamptz default
 * clock_timestamp()} column to its own copy of {@code journey_step} (the engine's inserts leave it
 * to its default), so every step carries the moment it was written.
 */
final class JourneyBenchmark {

  static final String TITLE = "Journeys";

  /** The split's salt in the five-node journey; the baseline hashes with the same string. */
  static final String SALT = "bench-2026";

  static final String EUROPE =
      "{\"type\":\"property\",\"column\":\"country\",\"op\":\"in\",\"value\":"
          + "[\"DE\",\"FR\",\"GB\",\"ES\",\"IT\",\"NL\",\"SE\",\"PL\"]}";

  private final BenchApp b;
  private final DSLContext app;
  private final JourneyStore journeys;
  private final JourneyOrchestrator orchestrator;
  private final WorkflowClient client;
  private final String namespace;
  private final Map<String, Long> historyMax = new ConcurrentHashMap<>();
  private final AtomicLong openMax = new AtomicLong();
  private final List<String> live = new java.util.concurrent.CopyOnWriteArrayList<>();
  private final Map<String, String> results = new LinkedHashMap<>();
  private final List<String> notes = new ArrayList<>();
  private long heapAfterGcMax;

  /** The journey activity, timed: how many steps the workflows called and how long they took. */
  public static final class TimedActivities extends JourneyActivitiesImpl {
    final AtomicLong calls = new AtomicLong();
    final AtomicLong nanos = new AtomicLong();
    final AtomicLong maxNanos = new AtomicLong();

    TimedActivities(JourneyEngine engine) {
      super(engine);
    }

    @Override
    public Tick advance(String journey, long nowMillis) {
      long t = System.nanoTime();
      try {
        return super.advance(journey, nowMillis);
      } finally {
        long d = System.nanoTime() - t;
        calls.incrementAndGet();
        nanos.addAndGet(d);
        maxNanos.accumulateAndGet(d, Math::max);
      }
    }

    String summary() {
      long n = calls.getAndSet(0);
      long total = nanos.getAndSet(0);
      long max = maxNanos.getAndSet(0);
      return String.format(
          Locale.ROOT,
          "%,d advance steps, %.1f s in them, longest %.1f s",
          n,
          total / 1e9,
          max / 1e9);
    }
  }

  private JourneyBenchmark(BenchApp b, TemporalConnection temporal) {
    this.b = b;
    this.app = b.app;
    this.journeys = new JourneyStore(b.app, b.clock);
    this.client = temporal.client();
    this.namespace = temporal.namespace();
    this.orchestrator = new JourneyOrchestrator(client, temporal.taskQueue(), journeys);
  }

  static String run(DataSource warehouseDs, Function<String, DataSource> database, int users)
      throws Exception {
    int stepsPeople = env("BENCH_JOURNEY_PEOPLE", Math.min(100_000, users));
    int timerPeople = env("BENCH_TIMER_PEOPLE", Math.min(100_000, users));
    int eventSeconds = env("BENCH_EVENT_SECONDS", 300);
    int eventRate = env("BENCH_EVENT_RATE", 200);
    Measured m =
        measure(
            warehouseDs,
            Warehouse.over(warehouseDs, "bench warehouse"),
            database,
            "bench_journeys",
            users,
            System.getenv().getOrDefault("BENCH_JOURNEY_SCENARIOS", "all"),
            null);
    return m.bench().report(users, stepsPeople, timerPeople, eventSeconds, eventRate, m.profile());
  }

  /**
   * One run of the scenarios: the bench with its results, the top statements of the five-node run
   * in pg_stat_statements (the app store, and the warehouse when it is PostgreSQL), and those on a
   * DuckDB warehouse, timed in its driver.
   */
  record Measured(
      JourneyBenchmark bench,
      List<String> profile,
      List<String> warehouseProfile,
      double warehouseSeconds) {}

  /**
   * The scenarios named in {@code only} (or all), with the journey engine over {@code warehouse}
   * and an app store in the database {@code appDatabase} of the bench's PostgreSQL server.
   */
  static Measured measure(
      DataSource server,
      Warehouse warehouse,
      Function<String, DataSource> database,
      String appDatabase,
      int users,
      String only,
      StatementTimes warehouseTimes)
      throws Exception {
    int stepsPeople = env("BENCH_JOURNEY_PEOPLE", Math.min(100_000, users));
    int timerPeople = env("BENCH_TIMER_PEOPLE", Math.min(100_000, users));
    int eventSeconds = env("BENCH_EVENT_SECONDS", 300);
    int eventRate = env("BENCH_EVENT_RATE", 200);
    int baselinePeople = env("BENCH_BASELINE_PEOPLE", Math.min(10_000, users));
    try (BenchApp b = new BenchApp(server, warehouse, database, appDatabase);
        SyncBenchmark.Sink sink = new SyncBenchmark.Sink();
        TemporalConnection temporal =
            TemporalConnection.connect(new StudioProperties.Temporal(null, "default", "bench"))) {
      b.app.execute(
          "alter table journey_step add column wall timestamp with time zone"
              + " default clock_timestamp()");
      // the app store is new, so its holdout ids start at 1 again: the copies of an earlier run in
      // a reused warehouse would make the copier skip this run's holdouts
      b.warehouse
          .dsl()
          .deleteFrom(DSL.table(DSL.name(WarehouseMigrations.LOG_SCHEMA, "journey_holdouts")))
          .where(
              DSL.field(DSL.name("journey_key"), String.class)
                  .in("entry", "steps", "timers", "events"))
          .execute();
      if ("on".equals(System.getenv("BENCH_JOURNEY_STEP_FK"))) {
        // what the steps' foreign key cost before migration 9 dropped it, for comparison
        b.app.execute(
            "alter table journey_step add constraint journey_step_entry_id_fkey"
                + " foreign key (entry_id) references journey_entry (id) on delete cascade");
      }
      boolean statements = true;
      try {
        b.app.execute("create extension if not exists pg_stat_statements");
        b.app.fetch("select 1 from pg_stat_statements limit 1");
      } catch (RuntimeException e) {
        statements = false;
      }
      b.webhook("sink", sink.url(), SyncBenchmark.BATCH);
      b.audience(
          "everyone", "{\"type\":\"property\",\"column\":\"user_id\",\"op\":\"gt\",\"value\":0}");
      b.audience("first-n", upTo(stepsPeople));
      b.audience("first-t", upTo(timerPeople));
      JourneyEngine engine =
          JourneyEngine.create(
              b.app,
              b.warehouse.dsl(),
              WarehouseMigrations.LOG_SCHEMA,
              new JourneyStore(b.app, b.clock),
              b.workspace,
              b.policies,
              b.destinations,
              b.runtimes,
              b.delivery,
              JourneyEngine.Limits.DEFAULT);
      TimedActivities activities = new TimedActivities(engine);
      Problems p = new Problems();
      Condition europe = AudienceJson.readCondition(AudienceJson.parse(EUROPE), "$", p);
      p.throwIfAny();
      PersonWorkflow.StepsImpl personSteps =
          new PersonWorkflow.StepsImpl(b.workspace, europe, sink.url());
      TemporalWorker worker =
          new TemporalWorker(
              temporal,
              List.of(
                  WorkerRegistrar.activities(
                      w -> w.registerActivitiesImplementations(activities, personSteps)),
                  WorkerRegistrar.workflows(
                      w ->
                          w.registerWorkflowImplementationTypes(
                              JourneyWorkflowImpl.class, PersonWorkflow.Impl.class))));
      worker.start();
      JourneyBenchmark bench = new JourneyBenchmark(b, temporal);
      Thread sampler = bench.sampler();
      List<String> profile = new ArrayList<>();
      List<String> warehouseProfile = List.of();
      double warehouseSeconds = Double.NaN;
      try (SyncBenchmark.HeapWatch heap = new SyncBenchmark.HeapWatch()) {
        if (runs(only, "entry")) {
          bench.entry(users, activities);
        }
        if (runs(only, "steps")) {
          settle(b, server);
          if (statements) {
            b.app.execute("select pg_stat_statements_reset()");
          }
          if (warehouseTimes != null) {
            warehouseTimes.reset();
          }
          ProcessTimes processes = ProcessTimes.watch(processes(b.app));
          bench.steps(stepsPeople, sink, activities);
          bench.log("five nodes: processes:%n%s", String.join("\n", processes.since()));
          if (statements) {
            profile = topStatements(b.app);
            bench.log("five nodes: app-store statements:%n%s", String.join("\n", profile));
          }
          if (warehouseTimes != null) {
            warehouseProfile = warehouseTimes.top(10);
            warehouseSeconds = warehouseTimes.totalSeconds();
          }
        }
        if (runs(only, "timers")) {
          settle(b, server);
          if (warehouseTimes != null) {
            warehouseTimes.reset();
          }
          bench.timers(timerPeople, activities);
          if (warehouseTimes != null) {
            bench.results.put("timers.warehouse", Double.toString(warehouseTimes.totalSeconds()));
          }
        }
        if (runs(only, "events")) {
          settle(b, server);
          bench.events(eventSeconds, eventRate, activities);
        }
        if (runs(only, "baseline")) {
          settle(b, server);
          bench.baseline(baselinePeople, personSteps, sink);
        }
        bench.heap(heap);
      } finally {
        sampler.interrupt();
        bench.orchestrator.close();
        worker.stop();
      }
      return new Measured(bench, profile, warehouseProfile, warehouseSeconds);
    }
  }

  /**
   * Before every scenario but the entry: vacuums the app store and waits until no autovacuum worker
   * runs. The entry scenario deletes its 1M entries at its end, and autovacuum's pass over them (27
   * s, 156 MB of WAL) used to overlap the five-node run that follows by 0 to 23 s from round to
   * round, which made its throughput swing more than the engines differ.
   */
  private static void settle(BenchApp b, DataSource server) throws Exception {
    long t0 = System.nanoTime();
    b.app.execute("vacuum (analyze)");
    log("app store vacuumed in %.1f s", (System.nanoTime() - t0) / 1e9);
    BenchMain.awaitQuietServer(server);
  }

  /**
   * {@code BENCH_DUCKDB_SETTINGS}: DuckDB statements, split at {@code ;}, run before the rounds.
   */
  static final List<String> DUCKDB_SETTINGS =
      java.util.Arrays.stream(System.getenv().getOrDefault("BENCH_DUCKDB_SETTINGS", "").split(";"))
          .map(String::strip)
          .filter(x -> !x.isEmpty())
          .toList();

  static final String DUCKDB_TITLE = "Journeys on DuckDB beside PostgreSQL (issue 15)";

  /**
   * Issue 15: the journey scenarios with the warehouse on a DuckDB file holding the PostgreSQL
   * bench rows (copied as the DuckDB query bench does), then on PostgreSQL; the app store, where
   * the engine keeps entries, steps and sends, is on PostgreSQL for both. Scenarios:
   * BENCH_JOURNEY_SCENARIOS, by default the three whose warehouse work differs (audience entry, the
   * five nodes with a branch, a holdout split and a send, timers). BENCH_JOURNEY_ROUNDS rounds
   * after BENCH_JOURNEY_WARMUP (1) unmeasured five-node runs on each engine.
   */
  static String sideBySide(
      DataSource pg, Function<String, DataSource> database, int users, java.nio.file.Path work)
      throws Exception {
    String only = System.getenv().getOrDefault("BENCH_JOURNEY_SCENARIOS", "entry,steps,timers");
    int rounds = env("BENCH_JOURNEY_ROUNDS", 3);
    int warmups = env("BENCH_JOURNEY_WARMUP", 1);
    java.nio.file.Path file = work.resolve("journeys").resolve("warehouse.duckdb");
    DuckDbBenchmark.deleteDuckDb(file);
    List<Measured> ducks = new ArrayList<>();
    List<Measured> posts = new ArrayList<>();
    DuckDbBenchmark.Copy copy;
    try (var duckDs =
        io.customerstudio.infra.config.DataSources.openDuckDb(
            "bench-duckdb-journeys", "jdbc:duckdb:" + file, 8, "BENCH")) {
      copy = DuckDbBenchmark.copy(pg, duckDs, work.resolve("journeys"));
      log("copied %,d rows into DuckDB (load %.1f s)", copy.rows(), copy.loadNanos() / 1e9);
      // for experiments only: DuckDB settings to run the rounds under (say "set threads = 1"),
      // named in the report
      for (String setting : DUCKDB_SETTINGS) {
        try (var c = duckDs.getConnection();
            var st = c.createStatement()) {
          st.execute(setting);
        }
        log("DuckDB: %s", setting);
      }
      // the first five-node run in a JVM is the first to load and compile the paths only it takes
      // (the branch, the split, the send, the sink's HTTP), and round 1 always gave that run to
      // DuckDB; so each engine runs the five nodes once, unmeasured, before the rounds
      // (BENCH_JOURNEY_WARMUP=0 skips it). It did not explain DuckDB's slower round 1s
      // (docs/benchmarks.md), but no measured run should be the JVM's first.
      for (int w = 0; w < warmups; w++) {
        for (boolean duck : new boolean[] {true, false}) {
          log(
              "warm-up %d of %d: %s (not measured)",
              w + 1, warmups, duck ? "DuckDB" : "PostgreSQL");
          runOn(duck, pg, duckDs, database, users, "steps");
        }
      }
      for (int round = 1; round <= rounds; round++) {
        // ABBA: the engine that goes first alternates, so a drift of the machine over the run
        // (caches, autovacuum, the app store's growing tables) does not favour one of them
        boolean duckFirst = round % 2 == 1;
        for (int i = 0; i < 2; i++) {
          boolean duck = (i == 0) == duckFirst;
          log("round %d of %d: %s", round, rounds, duck ? "DuckDB" : "PostgreSQL");
          (duck ? ducks : posts).add(runOn(duck, pg, duckDs, database, users, only));
        }
      }
    } finally {
      DuckDbBenchmark.deleteDuckDb(file);
    }
    return sideBySideReport(users, only, warmups, copy, ducks, posts);
  }

  /** One run of the scenarios on one warehouse, after the server is quiet and checkpointed. */
  private static Measured runOn(
      boolean duck,
      DataSource pg,
      DataSource duckDs,
      Function<String, DataSource> database,
      int users,
      String only)
      throws Exception {
    BenchMain.awaitQuietServer(pg);
    checkpoint(pg);
    StatementTimes times = new StatementTimes();
    return measure(
        pg,
        duck
            ? Warehouse.over(
                times.wrap(duckDs), org.jooq.SQLDialect.DUCKDB, "bench DuckDB warehouse")
            : Warehouse.over(times.wrap(pg), "bench warehouse"),
        database,
        duck ? "bench_journeys_duckdb" : "bench_journeys",
        users,
        only,
        times);
  }

  private static String sideBySideReport(
      int users,
      String only,
      int warmups,
      DuckDbBenchmark.Copy copy,
      List<Measured> ducks,
      List<Measured> posts) {
    Measured duckRun = ducks.get(0);
    Measured postRun = posts.get(0);
    JourneyBenchmark duck = duckRun.bench();
    JourneyBenchmark post = postRun.bench();
    List<String> lines = new ArrayList<>();
    lines.add(
        "Command: `./mvnw -B -ntp -Pbench -DskipTests verify -Dbench=journeys-duckdb`"
            + " (BENCH_USERS="
            + users
            + ", BENCH_JOURNEY_SCENARIOS="
            + only
            + ", BENCH_JOURNEY_PEOPLE and BENCH_TIMER_PEOPLE as in the journeys section; "
            + Runtime.getRuntime().availableProcessors()
            + " cores, load average "
            + String.format(
                Locale.ROOT,
                "%.1f",
                ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage())
            + " at the end; bench JVM -Xmx2g). The scenarios of the journeys section in "
            + ducks.size()
            + " rounds in the same JVM, each round once per warehouse, the engine that goes first"
            + " alternating (DuckDB first in odd rounds), after "
            + (warmups == 0
                ? "no warm-up run (BENCH_JOURNEY_WARMUP=0)"
                : warmups
                    + " unmeasured warm-up run"
                    + (warmups == 1 ? "" : "s")
                    + " of the five-node journey on each engine (BENCH_JOURNEY_WARMUP)")
            + ", each run after autovacuum has gone"
            + " quiet and with an app store of its own, which is vacuumed before every scenario"
            + " but the audience entry (the entry scenario's 1M deleted entries would otherwise be"
            + " vacuumed during the next). The DuckDB file holds the PostgreSQL bench tables copied through"
            + " CSV ("
            + String.format(
                Locale.ROOT, "%,d rows, DuckDB load %.1f s", copy.rows(), copy.loadNanos() / 1e9)
            + "), so both run over the same people. The app store (journey entries, steps,"
            + " sends, holdouts) is on the embedded PostgreSQL for both; what runs on the"
            + " warehouse is the audience entry, the branch's condition, the split's holdout"
            + " copy and the send's values."
            + (DUCKDB_SETTINGS.isEmpty()
                ? ""
                : " DuckDB ran under `" + String.join("; ", DUCKDB_SETTINGS) + "` (an experiment).")
            + " Measured "
            + java.time.Instant.now().toString().substring(0, 10)
            + ".");
    lines.add("");
    lines.add("| metric | PostgreSQL | DuckDB |");
    lines.add("|---|---|---|");
    for (String[] row :
        List.of(
            new String[] {"audience entry of every user", "entry"},
            new String[] {"entry: advance steps", "entry.advance"},
            new String[] {"person-steps/s through the five nodes", "steps"},
            new String[] {"whole run of the five-node journey", "steps.total"},
            new String[] {"five nodes: advance steps", "steps.advance"},
            new String[] {"timer due → moved", "timers"},
            new String[] {"timers: whole run", "timers.total"},
            new String[] {"timers: advance steps", "timers.advance"},
            new String[] {"event → first step done; wait_until event → moved", "events"},
            new String[] {"heap", "heap"})) {
      if (post.results.containsKey(row[1]) || duck.results.containsKey(row[1])) {
        lines.add("| " + row[0] + " | " + post.get(row[1]) + " | " + duck.get(row[1]) + " |");
      }
    }
    lines.add("");
    lines.add(
        "The table above is round 1. Every round (DuckDB's time ÷ PostgreSQL's: below 1 means"
            + " DuckDB is faster; the warehouse's share is the time in its statements during the"
            + " five-node run, timed in the JDBC driver):");
    lines.add("");
    lines.add(
        "| round | entry s: PostgreSQL | DuckDB | five nodes person-steps/s: PostgreSQL | DuckDB"
            + " | warehouse s in the five nodes: PostgreSQL | DuckDB | timer p95 s: PostgreSQL"
            + " | DuckDB | warehouse s in the timers run: PostgreSQL | DuckDB |");
    lines.add("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
    for (int i = 0; i < Math.min(ducks.size(), posts.size()); i++) {
      JourneyBenchmark d = ducks.get(i).bench();
      JourneyBenchmark p = posts.get(i).bench();
      lines.add(
          String.format(
              Locale.ROOT,
              "| %d (%s first) | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |",
              i + 1,
              i % 2 == 0 ? "DuckDB" : "PostgreSQL",
              cell("%.1f", p.num("entry.seconds")),
              cell("%.1f", d.num("entry.seconds")),
              cell("%,.0f", p.num("steps.rate")),
              cell("%,.0f", d.num("steps.rate")),
              cell("%.2f", posts.get(i).warehouseSeconds()),
              cell("%.2f", ducks.get(i).warehouseSeconds()),
              cell("%.2f", p.num("timers.p95")),
              cell("%.2f", d.num("timers.p95")),
              cell("%.2f", p.num("timers.warehouse")),
              cell("%.2f", d.num("timers.warehouse"))));
    }
    double entryRatio = median(ducks, "entry.seconds") / median(posts, "entry.seconds");
    double stepsRatio = median(posts, "steps.rate") / median(ducks, "steps.rate");
    double timersRatio = median(ducks, "timers.p95") / median(posts, "timers.p95");
    List<String> ratios = new ArrayList<>();
    if (!Double.isNaN(entryRatio)) {
      ratios.add(
          String.format(
              Locale.ROOT, "audience entry %.2fx (%s)", entryRatio, atLeastAsFast(entryRatio)));
    }
    if (!Double.isNaN(stepsRatio)) {
      ratios.add(
          String.format(
              Locale.ROOT, "five nodes %.2fx (%s)", stepsRatio, atLeastAsFast(stepsRatio)));
    }
    if (!Double.isNaN(timersRatio)) {
      ratios.add(
          String.format(
              Locale.ROOT, "timer p95 %.2fx (%s)", timersRatio, atLeastAsFast(timersRatio)));
    }
    lines.add("");
    lines.add(
        "DuckDB's time ÷ PostgreSQL's, of the medians over the rounds (target: at least as"
            + " fast, within run-to-run noise): "
            + (ratios.isEmpty() ? "nothing measured" : String.join("; ", ratios))
            + ".");
    for (Measured m : List.of(postRun, duckRun)) {
      if (m.warehouseProfile().isEmpty()) {
        continue;
      }
      lines.add("");
      lines.add(
          "The five-node run's warehouse statements on "
              + (m == duckRun ? "DuckDB" : "PostgreSQL")
              + " in round 1 (the time in the JDBC driver: preparing, where DuckDB plans;"
              + " executing, where PostgreSQL's driver also reads the rows; and reading the result,"
              + " where DuckDB's converts them; top 10 by total time):");
      lines.add("");
      lines.addAll(StatementTimes.header());
      lines.addAll(m.warehouseProfile());
    }
    return String.join("\n", lines);
  }

  /**
   * Writes the server's dirty pages now, so that no run starts with a checkpoint of the one before
   * due (the audience entry of a million people writes about a gigabyte of WAL).
   */
  private static void checkpoint(DataSource pg) {
    try (var c = pg.getConnection();
        var st = c.createStatement()) {
      st.execute("checkpoint");
    } catch (java.sql.SQLException e) {
      log("no checkpoint before the run (%s)", e.getMessage());
    }
  }

  /** A table cell: {@code v} in {@code format}, or "not run" for a scenario left out (NaN). */
  private static String cell(String format, double v) {
    return Double.isNaN(v) ? "not run" : String.format(Locale.ROOT, format, v);
  }

  /** The median of a result over runs (NaN where a run did not measure it). */
  private static double median(List<Measured> runs, String key) {
    double[] xs =
        runs.stream().mapToDouble(m -> m.bench().num(key)).filter(x -> !Double.isNaN(x)).toArray();
    return xs.length == 0 ? Double.NaN : QueryBenchmark.median(xs);
  }

  private static String atLeastAsFast(double ratio) {
    return ratio <= 1.0 ? "met" : ratio <= 1.05 ? "within 5%, the noise of one run" : "NOT met";
  }

  private static boolean runs(String only, String scenario) {
    return only.equals("all") || List.of(only.split(",")).contains(scenario);
  }

  private static int env(String name, int dflt) {
    String v = System.getenv(name);
    return v == null || v.isBlank() ? dflt : Integer.parseInt(v.trim());
  }

  private static String upTo(int n) {
    return "{\"type\":\"property\",\"column\":\"user_id\",\"op\":\"lte\",\"value\":" + n + "}";
  }

  // ---- scenarios

  /** 1. Audience entry of every user into a journey whose start node holds them for a day. */
  private void entry(int users, TimedActivities activities) throws Exception {
    String key = "entry";
    long t0 = System.nanoTime();
    publish(
        """
        {"key": "entry", "name": "Entry at scale", "parent": "users",
         "entry": {"type": "audience", "audience": "everyone", "every": "PT1H"},
         "reentry": {"policy": "after_exit"},
         "start": "hold",
         "nodes": [
           {"id": "hold", "type": "wait", "duration": "P1D", "next": "done"},
           {"id": "done", "type": "exit"}
         ]}""");
    double entered =
        await(() -> arrivals(key, "hold"), users, Duration.ofMinutes(20), 250, t0, "entry");
    double waiting =
        await(
            () ->
                users
                    - count(
                        "select count(*) from journey_entry where journey_key = ?"
                            + " and phase = 'arrive'",
                        key),
            users,
            Duration.ofMinutes(10),
            1000,
            t0,
            "entry: waiting");
    long in = arrivals(key, "hold");
    results.put(
        "entry",
        String.format(
            Locale.ROOT,
            "%,d entered in %.1f s (%,.0f people/s); all waiting at the start node after %.1f s",
            in,
            entered,
            in / entered,
            waiting));
    results.put("entry.seconds", Double.toString(entered));
    results.put("entry.advance", activities.summary());
    gcHeap();
    // out of the way of the next scenarios: the journey and its 1M entries go at once
    long d = System.nanoTime();
    journeys.delete(key);
    orchestrator.nudge(key);
    live.remove(key);
    log("entry journey deleted in %.1f s", (System.nanoTime() - d) / 1e9);
  }

  /** 2. Person-steps through wait, branch, split (holdout), send, exit. */
  private void steps(int people, SyncBenchmark.Sink sink, TimedActivities activities)
      throws Exception {
    String key = "steps";
    sink.rows.set(0);
    long requests0 = sink.requests.get();
    long t0 = System.nanoTime();
    publish(
        """
        {"key": "steps", "name": "Five nodes", "parent": "users",
         "entry": {"type": "audience", "audience": "first-n", "every": "PT1H"},
         "reentry": {"policy": "after_exit"},
         "start": "wait",
         "nodes": [
           {"id": "wait", "type": "wait", "duration": "PT1S", "next": "region"},
           {"id": "region", "type": "branch",
            "branches": [{"name": "europe", "next": "test", "condition": %s}],
            "else": "send"},
           {"id": "test", "type": "split", "salt": "%s",
            "groups": [{"name": "a", "percent": 50, "next": "send"},
                       {"name": "b", "percent": 40, "next": "send"},
                       {"name": "control", "percent": 10, "holdout": true}]},
           {"id": "send", "type": "send", "destination": "sink",
            "identifier": {"from": "email", "to": "email"},
            "mapping": [{"from": "first_name", "to": "firstName"}], "next": "done"},
           {"id": "done", "type": "exit"}
         ]}"""
            .formatted(EUROPE, SALT));
    double entered =
        await(() -> arrivals(key, "wait"), people, Duration.ofMinutes(15), 250, t0, "steps entry");
    // every second, not every half: each count reads the journey's entries (40-60 ms of the app
    // store's time on the same two cores as the run it watches); the rate is taken from the steps'
    // own times, so this only makes "everyone out" up to a second later
    double done =
        await(() -> left(key), people, Duration.ofMinutes(25), 1_000, t0, "steps through");
    Record s =
        app.fetchOne(
            "select count(*), extract(epoch from max(s.wall) - min(s.wall))"
                + " from journey_step s join journey_entry e on e.id = s.entry_id"
                + " where e.journey_key = ?",
            key);
    long steps = s.get(0, Long.class);
    double span = s.get(1, Double.class);
    log(
        "five nodes: steps by node, outcome and next: %s",
        app.fetch(
                "select s.node, s.outcome, s.next, count(*) from journey_step s"
                    + " join journey_entry e on e.id = s.entry_id where e.journey_key = ?"
                    + " group by 1, 2, 3 order by 1, 2, 3",
                key)
            .map(r -> r.get(0) + "/" + r.get(1) + "/" + r.get(2) + "=" + r.get(3)));
    Map<String, Long> sends = new LinkedHashMap<>();
    app.fetch(
            "select status, count(*) from journey_send where journey_key = ? group by status"
                + " order by status",
            key)
        .forEach(r -> sends.put(r.get(0, String.class), r.get(1, Long.class)));
    long holdouts = count("select count(*) from journey_holdout where journey_key = ?", key);
    results.put(
        "steps",
        String.format(
            Locale.ROOT,
            "%,.0f person-steps/s (%,d steps of %,d people in %.1f s from the first move to the"
                + " last)",
            steps / span,
            steps,
            left(key),
            span));
    results.put("steps.rate", Double.toString(steps / span));
    log("five nodes: %s", results.get("steps"));
    results.put(
        "steps.total",
        String.format(
            Locale.ROOT,
            "publish → everyone out %.1f s (entry %.1f s); sends %s, %,d rows at the sink in"
                + " %,d requests; holdouts %,d",
            done,
            entered,
            sends,
            sink.rows.get(),
            sink.requests.get() - requests0,
            holdouts));
    results.put("steps.advance", activities.summary());
    gcHeap();
    stop(key);
  }

  /** 4. Timers: people waiting 30-60 s (seven wait nodes 5 s apart), due → moved. */
  private void timers(int people, TimedActivities activities) throws Exception {
    String key = "timers";
    StringBuilder arms = new StringBuilder();
    StringBuilder waits = new StringBuilder();
    int share = Math.max(1, people / 7);
    for (int i = 0; i < 7; i++) {
      int secs = 30 + 5 * i;
      if (i < 6) {
        arms.append(i == 0 ? "" : ",")
            .append("{\"name\": \"w")
            .append(secs)
            .append("\", \"next\": \"w")
            .append(secs)
            .append("\", \"condition\": ")
            .append(upTo(share * (i + 1)))
            .append("}");
      }
      waits.append(
          "{\"id\": \"w%d\", \"type\": \"wait\", \"duration\": \"PT%dS\", \"next\": \"done\"},"
              .formatted(secs, secs));
    }
    long t0 = System.nanoTime();
    publish(
        """
        {"key": "timers", "name": "Timers", "parent": "users",
         "entry": {"type": "audience", "audience": "first-t", "every": "PT1H"},
         "reentry": {"policy": "after_exit"},
         "start": "spread",
         "nodes": [
           {"id": "spread", "type": "branch", "branches": [%s], "else": "w60"},
           %s
           {"id": "done", "type": "exit"}
         ]}"""
            .formatted(arms, waits));
    double entered =
        await(() -> arrivals(key, "spread"), people, Duration.ofMinutes(5), 250, t0, "timers");
    long peakWaiting = 0;
    long deadline = System.nanoTime() + Duration.ofMinutes(6).toNanos();
    while (left(key) < people && System.nanoTime() < deadline) {
      peakWaiting =
          Math.max(
              peakWaiting,
              count(
                  "select count(*) from journey_entry where journey_key = ? and phase = 'wait'",
                  key));
      Thread.sleep(1000);
    }
    double done = (System.nanoTime() - t0) / 1e9;
    Record r =
        app.fetchOne(
            "select count(*), percentile_cont(0.5) within group (order by lat),"
                + " percentile_cont(0.95) within group (order by lat), max(lat) from ("
                + " select extract(epoch from w.wall - (a.at"
                + " + make_interval(secs => substring(a.next from 2)::int))) as lat"
                + " from journey_step a join journey_step w on w.entry_id = a.entry_id"
                + " and w.node = a.next join journey_entry e on e.id = a.entry_id"
                + " where e.journey_key = ? and a.node = 'spread') x",
            key);
    results.put(
        "timers",
        String.format(
            Locale.ROOT,
            "p50 %.2f s, p95 %.2f s, max %.2f s (%,d people; %,d waiting at once at the peak)",
            r.get(1, Double.class),
            r.get(2, Double.class),
            r.get(3, Double.class),
            r.get(0, Long.class),
            peakWaiting));
    results.put("timers.p95", Double.toString(r.get(2, Double.class)));
    results.put(
        "timers.total",
        String.format(Locale.ROOT, "entered in %.1f s, everyone out after %.1f s", entered, done));
    results.put("timers.advance", activities.summary());
    gcHeap();
    stop(key);
  }

  /**
   * 3. Events: half enter people (signup), half are the click a person waits for at a wait_until
   * node, sent at least 5 s after that person's signup; appended as the event store appends (one
   * transaction each under its advisory lock), with the orchestrator told after each.
   */
  private void events(int seconds, int rate, TimedActivities activities) throws Exception {
    String key = "events";
    publish(
        """
        {"key": "events", "name": "Events", "parent": "users",
         "entry": {"type": "event", "eventType": "bench_signup"},
         "reentry": {"policy": "after_exit"},
         "start": "greet",
         "nodes": [
           {"id": "greet", "type": "branch",
            "branches": [{"name": "known", "next": "click",
                          "condition": {"type": "property", "column": "user_id", "op": "gt", "value": 0}}],
            "else": "click"},
           {"id": "click", "type": "wait_until", "event": {"eventType": "bench_click"},
            "timeout": "PT20M", "next": "done", "timeoutNext": "done"},
           {"id": "done", "type": "exit"}
         ]}""");
    Thread.sleep(2000);
    // what one event per transaction sustains: 4 appenders, as fast as they can, for 10 s
    AtomicLong single = new AtomicLong();
    ExecutorService burst = Executors.newFixedThreadPool(4);
    long b0 = System.nanoTime();
    long bEnd = b0 + 10_000_000_000L;
    for (int t = 0; t < 4; t++) {
      int thread = t;
      burst.execute(
          () -> {
            for (long n = 0; System.nanoTime() < bEnd; n++) {
              append(
                  java.util.Collections.singletonList(
                      new String[] {"noise-" + thread + "-" + n, "1", "bench_noise"}));
              single.incrementAndGet();
            }
          });
    }
    burst.shutdown();
    burst.awaitTermination(1, TimeUnit.MINUTES);
    double singleRate = single.get() / ((System.nanoTime() - b0) / 1e9);
    // the paced run: whatever is queued goes in one append (the event API takes batches)
    java.util.concurrent.LinkedBlockingQueue<String[]> queue =
        new java.util.concurrent.LinkedBlockingQueue<>();
    AtomicLong appended = new AtomicLong();
    AtomicLong transactions = new AtomicLong();
    AtomicLong failed = new AtomicLong();
    java.util.concurrent.atomic.AtomicBoolean producing =
        new java.util.concurrent.atomic.AtomicBoolean(true);
    Thread appender =
        new Thread(
            () -> {
              List<String[]> batch = new ArrayList<>();
              while (producing.get() || !queue.isEmpty()) {
                try {
                  String[] first = queue.poll(50, TimeUnit.MILLISECONDS);
                  if (first == null) {
                    continue;
                  }
                  batch.add(first);
                  queue.drainTo(batch, 199);
                  append(batch);
                  appended.addAndGet(batch.size());
                  transactions.incrementAndGet();
                  orchestrator.eventsArrived();
                } catch (InterruptedException e) {
                  return;
                } catch (RuntimeException e) {
                  failed.addAndGet(batch.size());
                }
                batch.clear();
              }
            },
            "bench-events");
    appender.start();
    ArrayDeque<long[]> signedUp = new ArrayDeque<>();
    long total = (long) seconds * rate;
    long t0 = System.nanoTime();
    long nextPerson = 1;
    long clicks = 0;
    for (long i = 0; i < total; i++) {
      long at = t0 + i * 1_000_000_000L / rate;
      long wait = at - System.nanoTime();
      if (wait > 0) {
        TimeUnit.NANOSECONDS.sleep(wait);
      }
      long[] ready = signedUp.peek();
      if (i % 2 == 1 && ready != null && System.nanoTime() - ready[1] >= 5_000_000_000L) {
        signedUp.poll();
        queue.add(new String[] {"click-" + ready[0], Long.toString(ready[0]), "bench_click"});
        clicks++;
      } else {
        long person = nextPerson++;
        queue.add(new String[] {"signup-" + person, Long.toString(person), "bench_signup"});
        signedUp.add(new long[] {person, System.nanoTime()});
      }
    }
    producing.set(false);
    appender.join();
    double sending = (System.nanoTime() - t0) / 1e9;
    long signups = nextPerson - 1;
    long expectedClicks = clicks;
    // until everyone signed up took their first step and every click moved someone (or 60 s)
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (System.nanoTime() < deadline
        && (countSteps(key, "greet") < signups || countEventMoves(key) < expectedClicks)) {
      Thread.sleep(500);
    }
    Record entry =
        app.fetchOne(
            "select count(*), percentile_cont(0.5) within group (order by lat),"
                + " percentile_cont(0.95) within group (order by lat), max(lat) from ("
                + " select extract(epoch from s.wall - ev.received_at) as lat from journey_entry e"
                + " join journey_event ev on ev.seq = e.entry_seq join journey_step s"
                + " on s.entry_id = e.id and s.node = 'greet' where e.journey_key = ?) x",
            key);
    Record moved =
        app.fetchOne(
            "select count(*), percentile_cont(0.5) within group (order by lat),"
                + " percentile_cont(0.95) within group (order by lat), max(lat) from ("
                + " select extract(epoch from s.wall - ev.received_at) as lat from journey_step s"
                + " join journey_entry e on e.id = s.entry_id join journey_event ev"
                + " on ev.event_id = substring(s.outcome from 7) where e.journey_key = ?"
                + " and s.node = 'click' and s.outcome like 'event %') x",
            key);
    results.put(
        "events.entry",
        latency(entry)
            + String.format(
                Locale.ROOT, " (%,d of %,d signups)", entry.get(0, Long.class), signups));
    results.put(
        "events.moved",
        latency(moved)
            + String.format(
                Locale.ROOT, " (%,d of %,d clicks)", moved.get(0, Long.class), expectedClicks));
    results.put("events.p95", entry.get(2, Double.class) + "," + moved.get(2, Double.class));
    results.put(
        "events.total",
        String.format(
            Locale.ROOT,
            "%,d events appended in %.1f s (%,.0f/s; %,d failed) in %,d transactions of %.1f"
                + " events on average, asked for %d/s over %d s; one event per transaction"
                + " (4 appenders, as fast as they go, 10 s): %,.0f events/s",
            appended.get(),
            sending,
            appended.get() / sending,
            failed.get(),
            transactions.get(),
            appended.get() / (double) Math.max(1, transactions.get()),
            rate,
            seconds,
            singleRate));
    results.put("events.advance", activities.summary());
    gcHeap();
    stop(key);
  }

  /** 6. The same five nodes, one workflow per person. */
  private void baseline(int people, PersonWorkflow.StepsImpl steps, SyncBenchmark.Sink sink)
      throws Exception {
    steps.branches.set(0);
    steps.europe.set(0);
    steps.sends.set(0);
    steps.exits.set(0);
    long rows0 = sink.rows.get();
    ExecutorService pool = Executors.newFixedThreadPool(4);
    long t0 = System.nanoTime();
    AtomicLong started = new AtomicLong();
    for (int i = 1; i <= people; i++) {
      String person = Integer.toString(i);
      pool.execute(
          () -> {
            PersonWorkflow wf =
                client.newWorkflowStub(
                    PersonWorkflow.class,
                    WorkflowOptions.newBuilder()
                        .setWorkflowId("bench-person-" + person)
                        .setTaskQueue(taskQueue())
                        .build());
            WorkflowClient.start(wf::run, person, 1000L, "steps:test:" + SALT);
            started.incrementAndGet();
            openMax.accumulateAndGet(started.get() - steps.exits.get(), Math::max);
          });
    }
    pool.shutdown();
    pool.awaitTermination(30, TimeUnit.MINUTES);
    double startedIn = (System.nanoTime() - t0) / 1e9;
    long deadline = System.nanoTime() + Duration.ofMinutes(20).toNanos();
    long peakOpen = 0;
    while (steps.exits.get() < people && System.nanoTime() < deadline) {
      peakOpen = Math.max(peakOpen, people - steps.exits.get());
      Thread.sleep(200);
    }
    double seconds = (System.nanoTime() - t0) / 1e9;
    long total =
        people + steps.branches.get() + steps.europe.get() + steps.sends.get() + steps.exits.get();
    long history = client.fetchHistory("bench-person-1").getHistory().getEventsCount();
    results.put(
        "baseline",
        String.format(
            Locale.ROOT,
            "%,.0f person-steps/s (%,d steps of %,d people in %.1f s; %,d sends, %,d rows at the"
                + " sink)",
            total / seconds,
            total,
            steps.exits.get(),
            seconds,
            steps.sends.get(),
            sink.rows.get() - rows0));
    results.put("baseline.rate", Double.toString(total / seconds));
    results.put(
        "baseline.total",
        String.format(
            Locale.ROOT,
            "workflows started in %.1f s; up to %,d open at once; one person's history %d events",
            startedIn,
            Math.max(peakOpen, openMax.get()),
            history));
    gcHeap();
  }

  // ---- helpers

  private String taskQueue() {
    return "bench";
  }

  /** Validates as publish does, stores the journey and its version 1, and starts its workflow. */
  private void publish(String json) {
    JsonNode doc = AudienceJson.parse(json);
    Problems problems = new Problems();
    JourneyDefinition d = JourneyJson.read(doc, problems);
    if (problems.isEmpty()) {
      Catalog catalog = b.workspace.catalog();
      AudienceCompiler.Resolver resolver = b.workspace.resolver();
      List<String> destinations =
          b.destinations.list().stream().map(DestinationStore.Destination::key).toList();
      JourneyValidator.validate(
          d,
          doc,
          new JourneyValidator.Context() {
            @Override
            public Catalog catalog() {
              return catalog;
            }

            @Override
            public AudienceCompiler.Resolver resolver() {
              return resolver;
            }

            @Override
            public Collection<String> destinations() {
              return destinations;
            }
          },
          problems);
    }
    problems.throwIfAny();
    journeys.create(d.key(), new JourneyStore.Draft(d.name(), d.parent(), doc.toString()), "bench");
    journeys.publish(d.key(), doc.toString(), "bench", null).orElseThrow();
    live.add(d.key());
    orchestrator.nudge(d.key());
  }

  /** Stops a journey (everyone left exits) and waits for its workflow to end. */
  private void stop(String key) throws Exception {
    journeys.setState(
        key,
        EnumSet.of(JourneyStore.State.LIVE, JourneyStore.State.PAUSED),
        JourneyStore.State.STOPPED,
        "bench");
    orchestrator.nudge(key);
    long deadline = System.nanoTime() + Duration.ofMinutes(5).toNanos();
    while (status(key) == WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_RUNNING
        && System.nanoTime() < deadline) {
      Thread.sleep(200);
    }
    live.remove(key);
  }

  private WorkflowExecutionStatus status(String key) {
    return client
        .getWorkflowServiceStubs()
        .blockingStub()
        .describeWorkflowExecution(
            DescribeWorkflowExecutionRequest.newBuilder()
                .setNamespace(namespace)
                .setExecution(
                    WorkflowExecution.newBuilder().setWorkflowId(JourneyWorkflow.workflowId(key)))
                .build())
        .getWorkflowExecutionInfo()
        .getStatus();
  }

  /** Every 2 s: each live journey's workflow history length, and how many run at once. */
  private Thread sampler() {
    Thread t =
        new Thread(
            () -> {
              while (!Thread.currentThread().isInterrupted()) {
                try {
                  long open = 0;
                  for (String key : live) {
                    String id = JourneyWorkflow.workflowId(key);
                    long n = client.fetchHistory(id).getHistory().getEventsCount();
                    historyMax.merge(key, n, Math::max);
                    if (status(key) == WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_RUNNING) {
                      open++;
                    }
                  }
                  long o = open;
                  openJourneys.accumulateAndGet(o, Math::max);
                  if (o > live.size()) {
                    extraWorkflows.set(true);
                  }
                  Thread.sleep(2000);
                } catch (InterruptedException e) {
                  return;
                } catch (RuntimeException e) {
                  // a workflow between runs (continue as new): next sample
                }
              }
            },
            "journey-bench-sampler");
    t.setDaemon(true);
    t.start();
    return t;
  }

  private final AtomicLong openJourneys = new AtomicLong();
  private final java.util.concurrent.atomic.AtomicBoolean extraWorkflows =
      new java.util.concurrent.atomic.AtomicBoolean();

  /**
   * As the event store appends: one transaction under its advisory lock, idempotent by id; each
   * event is {id, person, type}.
   */
  private void append(List<String[]> events) {
    app.transaction(
        cfg -> {
          DSLContext tx = cfg.dsl();
          tx.execute("select pg_advisory_xact_lock(?)", 0x6a_6576_656e_7473L);
          tx.execute(
              "insert into journey_event (event_id, person, event_type, properties, occurred_at,"
                  + " received_at, source) select t.id, t.p, t.ty, '{}', clock_timestamp(),"
                  + " clock_timestamp(), 'bench' from unnest(?::text[], ?::text[], ?::text[])"
                  + " with ordinality as t(id, p, ty, o) order by t.o"
                  + " on conflict (event_id) do nothing",
              events.stream().map(e -> e[0]).toArray(String[]::new),
              events.stream().map(e -> e[1]).toArray(String[]::new),
              events.stream().map(e -> e[2]).toArray(String[]::new));
        });
  }

  private long count(String sql, Object... binds) {
    Object v = app.fetchValue(sql, binds);
    return v == null ? 0 : ((Number) v).longValue();
  }

  /** Arrivals at a node (the counters the stats read, written with the moves). */
  private long arrivals(String key, String node) {
    return count(
        "select coalesce(sum(n), 0) from journey_count where journey_key = ? and node = ?"
            + " and edge = ''",
        key,
        node);
  }

  /**
   * People who have left the journey: their entry has an exit time (arriving at the exit node is a
   * move; leaving is the exit node's own step, written by the next move).
   */
  private long left(String key) {
    return count(
        "select count(*) from journey_entry where journey_key = ? and exited_at is not null", key);
  }

  private long countSteps(String key, String node) {
    return count(
        "select count(*) from journey_step s join journey_entry e on e.id = s.entry_id"
            + " where e.journey_key = ? and s.node = ?",
        key,
        node);
  }

  private long countEventMoves(String key) {
    return count(
        "select coalesce(sum(n), 0) from journey_count where journey_key = ? and node = 'click'"
            + " and edge = 'done'",
        key);
  }

  /** Seconds from {@code t0} until {@code value} reaches {@code target}, or the timeout. */
  private double await(
      LongSupplier value, long target, Duration timeout, long pollMillis, long t0, String what)
      throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    long last = -1;
    long lastLog = System.nanoTime();
    while (true) {
      long v = value.getAsLong();
      if (v >= target) {
        return (System.nanoTime() - t0) / 1e9;
      }
      if (System.nanoTime() > deadline) {
        notes.add(
            String.format(
                Locale.ROOT, "%s: %,d of %,d after the %s timeout", what, v, target, timeout));
        return (System.nanoTime() - t0) / 1e9;
      }
      if (System.nanoTime() - lastLog > 10_000_000_000L && v != last) {
        log("%s: %,d of %,d after %.0f s", what, v, target, (System.nanoTime() - t0) / 1e9);
        lastLog = System.nanoTime();
        last = v;
      }
      Thread.sleep(pollMillis);
    }
  }

  private static String latency(Record r) {
    return String.format(
        Locale.ROOT,
        "p50 %.2f s, p95 %.2f s, max %.2f s",
        r.get(1, Double.class),
        r.get(2, Double.class),
        r.get(3, Double.class));
  }

  private void gcHeap() {
    System.gc();
    long used = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    heapAfterGcMax = Math.max(heapAfterGcMax, used);
  }

  private void heap(SyncBenchmark.HeapWatch heap) {
    results.put(
        "heap",
        String.format(
            Locale.ROOT,
            "%d MB used after GC (largest, after each scenario); %d MB sampled peak",
            heapAfterGcMax >> 20,
            heap.peakUsed.get() >> 20));
  }

  static void log(String format, Object... args) {
    System.out.println(
        Instant.now() + " journeys bench: " + String.format(Locale.ROOT, format, args));
  }

  /**
   * The bench's JVM (the engine, and DuckDB when it is the warehouse) and the database server's
   * processes by pid, labelled with what pg_stat_activity says they are.
   */
  private static Map<Long, String> processes(DSLContext app) {
    Map<Long, String> out = new LinkedHashMap<>();
    out.put(ProcessHandle.current().pid(), "bench JVM");
    app.fetch(
            "select pid, backend_type, coalesce(datname, ''), coalesce(application_name, '')"
                + " from pg_stat_activity order by pid")
        .forEach(
            r ->
                out.put(
                    r.get(0, Long.class),
                    String.join(
                            " ",
                            "postgres",
                            r.get(1, String.class),
                            r.get(2, String.class),
                            r.get(3, String.class))
                        .trim()));
    return out;
  }

  /** The statements the five-node run spent most time in (pg_stat_statements, both databases). */
  private static List<String> topStatements(DSLContext app) {
    List<String> out = new ArrayList<>();
    app.fetch(
            "select calls, total_exec_time, rows, regexp_replace(query, '\\s+', ' ', 'g'),"
                + " shared_blks_hit, shared_blks_dirtied, wal_bytes"
                + " from pg_stat_statements order by total_exec_time desc limit 10")
        .forEach(
            r -> {
              String q = r.get(3, String.class);
              q = q.length() > 150 ? q.substring(0, 150) + "…" : q;
              out.add(
                  String.format(
                      Locale.ROOT,
                      "| %,d | %,.1f | %,.2f | %,d | %,d | %,d | %,.0f | `%s` |",
                      r.get(0, Long.class),
                      r.get(1, Double.class) / 1000,
                      r.get(1, Double.class) / Math.max(1, r.get(0, Long.class)),
                      r.get(2, Long.class),
                      r.get(4, Long.class),
                      r.get(5, Long.class),
                      r.get(6, Double.class) / 1024,
                      q.replace("|", "\\|").replace("`", "'")));
            });
    return out;
  }

  // ---- report

  private String get(String k) {
    return results.getOrDefault(k, "not run");
  }

  private double num(String k) {
    String v = results.get(k);
    return v == null ? Double.NaN : Double.parseDouble(v);
  }

  private static String met(boolean ok, double v) {
    return Double.isNaN(v) ? "" : ok ? "met" : "NOT met";
  }

  private String report(
      int users,
      int stepsPeople,
      int timerPeople,
      int eventSeconds,
      int eventRate,
      List<String> profile) {
    List<String> lines = new ArrayList<>();
    lines.add(
        "Command: `./mvnw -B -ntp -Pbench -DskipTests verify -Dbench=journeys` (BENCH_USERS="
            + users
            + ", BENCH_JOURNEY_PEOPLE="
            + stepsPeople
            + ", BENCH_TIMER_PEOPLE="
            + timerPeople
            + ", BENCH_EVENT_SECONDS="
            + eventSeconds
            + ", BENCH_EVENT_RATE="
            + eventRate
            + "; "
            + Runtime.getRuntime().availableProcessors()
            + " cores shared with other builds, load average "
            + String.format(
                Locale.ROOT,
                "%.1f",
                ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage())
            + " at the end; embedded PostgreSQL 17, durable; bench JVM -Xmx2g). The real engine"
            + " driven by the real journey workflow on the in-process Temporal server"
            + " (port-bound, gRPC, wall-clock timers) with one worker, default engine limits"
            + " (batches of 5,000, 3 s per step). One journey per scenario, one after another,"
            + " each but the audience entry after the app store is vacuumed and autovacuum is"
            + " quiet;"
            + " latencies are wall clock from the `wall` column the bench adds to its"
            + " `journey_step` (default `clock_timestamp()`) and the events' `received_at`.");
    lines.add("");
    lines.add(
        "Knobs: `BENCH_JOURNEY_PEOPLE` (people through the five nodes; 100,000 by default, as a million would take over a quarter of an hour at these rates), `BENCH_TIMER_PEOPLE`, `BENCH_EVENT_SECONDS`, `BENCH_EVENT_RATE`, `BENCH_BASELINE_PEOPLE` (10,000), `BENCH_JOURNEY_SCENARIOS` (a comma list of entry, steps, timers, events, baseline), `BENCH_JOURNEY_STEP_FK=on` (puts back the steps' foreign key that migration 9 dropped, to compare). The exec plugin is in the local Maven repository after any bench run, so `-o` works.");
    lines.add("");
    lines.add("| metric | journey engine | target | | baseline: one workflow per person |");
    lines.add("|---|---|---|---|---|");
    double entrySeconds = num("entry.seconds");
    lines.add(
        SyncBenchmark.row(
                "audience entry of every user (`every` PT1H, start node a wait)",
                get("entry"),
                "all entered ≤ 5 min",
                met(entrySeconds <= 300, entrySeconds))
            + " |");
    double rate = num("steps.rate");
    double base = num("baseline.rate");
    lines.add(
        SyncBenchmark.row(
                "person-steps/s: wait PT1S → branch (country) → split 50/40/10 holdout → send"
                    + " (webhook, batches of 500) → exit",
                get("steps"),
                "≥ 5,000/s",
                met(rate >= 5000, rate))
            + " "
            + get("baseline")
            + " |");
    lines.add(
        SyncBenchmark.row("whole run of that journey", get("steps.total"), "", "")
            + " "
            + get("baseline.total")
            + " |");
    lines.add(
        SyncBenchmark.row(
                "engine throughput ÷ baseline",
                Double.isNaN(rate) || Double.isNaN(base)
                    ? "not run"
                    : String.format(Locale.ROOT, "%.1f×", rate / base),
                "",
                "")
            + " |");
    String[] ev = results.getOrDefault("events.p95", "NaN,NaN").split(",");
    double evEntry = Double.parseDouble(ev[0]);
    double evMoved = Double.parseDouble(ev[1]);
    lines.add(
        SyncBenchmark.row(
                "event → the person's first step done (entry by event, start node a branch)",
                get("events.entry"),
                "p95 ≤ 5 s",
                met(evEntry <= 5, evEntry))
            + " |");
    lines.add(
        SyncBenchmark.row(
                "wait_until event → moved",
                get("events.moved"),
                "p95 ≤ 5 s",
                met(evMoved <= 5, evMoved))
            + " |");
    lines.add(SyncBenchmark.row("events sent", get("events.total"), "", "") + " |");
    double timer = num("timers.p95");
    lines.add(
        SyncBenchmark.row(
                "timer due (the engine's arrival time + the wait) → moved (waits of 30-60 s, 5 s apart)",
                get("timers"),
                "p95 ≤ 15 s",
                met(timer <= 15, timer))
            + " |");
    long history = historyMax.values().stream().mapToLong(Long::longValue).max().orElse(0);
    lines.add(
        SyncBenchmark.row(
                "longest journey workflow history (sampled every 2 s)",
                history + " events " + historyMax,
                "≤ 10,000",
                met(history <= 10_000, history))
            + " |");
    lines.add(
        SyncBenchmark.row(
                "open workflows",
                "1 per journey (at most "
                    + openJourneys.get()
                    + " journey workflow running at once)",
                "1 per journey",
                extraWorkflows.get() ? "NOT met" : "met")
            + " one per person in the journey |");
    lines.add(
        SyncBenchmark.row(
                "heap",
                get("heap"),
                "≤ 512 MB after GC",
                met(heapAfterGcMax <= 512L << 20, results.containsKey("heap") ? 0 : Double.NaN))
            + " |");
    lines.add("");
    lines.add(
        "Advance steps (the activity the workflow calls; each runs until nobody is due or 3 s"
            + " have passed): entry: "
            + get("entry.advance")
            + "; five nodes: "
            + get("steps.advance")
            + "; timers: "
            + get("timers.advance")
            + "; events: "
            + get("events.advance")
            + ".");
    notes.forEach(n -> lines.add("Not finished: " + n + "."));
    if (!profile.isEmpty()) {
      lines.add("");
      lines.add(
          "Where the five-node run spent its database time (pg_stat_statements over the app"
              + " store and the warehouse, reset when the journey was published; top 10 by total"
              + " time):");
      lines.add("");
      lines.add(
          "| calls | total s | mean ms | rows | buffers hit | buffers dirtied | WAL kB | statement |");
      lines.add("|---:|---:|---:|---:|---:|---:|---:|---|");
      lines.addAll(profile);
    }
    lines.add("");
    lines.add(
        "What limits throughput: the app store's writes, not Temporal and not the warehouse"
            + " (the statements above add up to most of the run: one step at a time, one"
            + " transaction at a time). The steps' and sends' foreign keys are gone (migration 9;"
            + " `BENCH_JOURNEY_STEP_FK=on` puts the steps' back, to compare). The largest cost is"
            + " the update that moves people's `journey_entry` rows (its rows ÷ the people moved"
            + " are the moves per person); none of them can be a HOT update, since each changes"
            + " `node`, `phase` or `due`, which the table's indexes cover. The warehouse's part"
            + " (the branch's condition, the send's values) is a few lookups per batch of 5,000,"
            + " and the workflow calls one advance step every few seconds, so its history stays"
            + " short. The step's 3 s budget is checked between batches, and an audience entry"
            + " runs to its end inside one step, hence the entry's longest step above.");
    lines.add("");
    lines.add("Measured " + Instant.now().toString().substring(0, 10) + ".");
    return String.join("\n", lines);
  }
}
