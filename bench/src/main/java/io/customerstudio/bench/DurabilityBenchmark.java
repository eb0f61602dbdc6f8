package io.customerstudio.bench;

import io.customerstudio.infra.config.StudioProperties;
import io.customerstudio.infra.store.AppStore;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import javax.sql.DataSource;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;

/**
 * Issue 11: what running the embedded app store durably costs. Starts the app store exactly as the
 * app does ({@link AppStore}, once with {@code studio.embedded.durable=true} and once with false)
 * on data directories under {@code bench/target} (the disk {@code ./data} lives on), and times the
 * two kinds of writes the app makes: many small committed transactions (batch records, run status)
 * and a bulk load (materializing a run table). Medians of alternating runs.
 */
final class DurabilityBenchmark {

  static final String TITLE = "Embedded PostgreSQL: durable vs non-durable";

  private static final int RUNS = Integer.parseInt(System.getenv().getOrDefault("BENCH_RUNS", "3"));
  private static final int SMALL_TRANSACTIONS = 2_000;
  private static final int PARALLEL_CONNECTIONS = 4;
  private static final int BULK_ROWS = 1_000_000;
  private static final int FLUSH_PROBES = 100;

  private DurabilityBenchmark() {}

  /** One measurement per workload and mode, in milliseconds. */
  private record Times(double serial, double parallel, double bulk) {}

  static String run() throws Exception {
    Path root = Files.createDirectories(Path.of("bench", "target"));
    Path durableDir = Files.createTempDirectory(root, "durable-");
    Path fastDir = Files.createTempDirectory(root, "non-durable-");
    List<Times> durable = new ArrayList<>();
    List<Times> fast = new ArrayList<>();
    String fileSystem = Files.getFileStore(root).type();
    List<Double> flushes = new ArrayList<>();
    try (AppStore d = AppStore.start(settings(durableDir, true));
        AppStore f = AppStore.start(settings(fastDir, false))) {
      prepare(d.dataSource());
      prepare(f.dataSource());
      measure(d.dataSource()); // warm-up: caches, first WAL segments
      measure(f.dataSource());
      for (int i = 0; i < RUNS; i++) {
        // the disk's flush latency, probed next to each run: it varies with other I/O
        flushes.addAll(flushMillis(root));
        durable.add(measure(d.dataSource()));
        fast.add(measure(f.dataSource()));
      }
    }
    // an upgrade from a release that ran with fsync off: the first durable start flushes the
    // directory (here holding the 1M-row table) once; later starts do not
    Duration firstDurableStart = timeStart(fastDir);
    Duration laterStart = timeStart(fastDir);
    delete(durableDir);
    delete(fastDir);

    Times d = median(durable);
    Times f = median(fast);
    int cores = Runtime.getRuntime().availableProcessors();
    double[] flush = flushes.stream().mapToDouble(Double::doubleValue).sorted().toArray();
    String load = loadAverage();
    List<String> lines = new ArrayList<>();
    lines.add(
        "Command: `./mvnw -B -ntp -Pbench -DskipTests verify -Dbench=durability` ("
            + cores
            + " cores"
            + load
            + ", PostgreSQL 17 started by `AppStore` as the app starts it, data directories"
            + " under `bench/target` on "
            + fileSystem
            + "). Durable: fsync, synchronous_commit and full_page_writes on (the default,"
            + " `STUDIO_EMBEDDED_DURABLE=true`); non-durable: zonky's test defaults (`-F`,"
            + " synchronous_commit off). Medians of "
            + RUNS
            + " alternating runs after a warm-up.");
    lines.add("");
    lines.add("| workload | durable | non-durable | durable costs |");
    lines.add("|---|---:|---:|---:|");
    lines.add(
        row(
            String.format(
                Locale.ROOT,
                "%,d single-row insert transactions, one connection (like batch records)",
                SMALL_TRANSACTIONS),
            d.serial(),
            f.serial(),
            SMALL_TRANSACTIONS));
    lines.add(
        row(
            String.format(
                Locale.ROOT,
                "%,d single-row insert transactions over %d connections",
                SMALL_TRANSACTIONS,
                PARALLEL_CONNECTIONS),
            d.parallel(),
            f.parallel(),
            SMALL_TRANSACTIONS));
    lines.add(
        row(
            String.format(
                Locale.ROOT, "bulk load: insert-select of %,d rows, one transaction", BULK_ROWS),
            d.bulk(),
            f.bulk(),
            BULK_ROWS));
    lines.add("");
    lines.add(
        String.format(
            Locale.ROOT,
            "A durable commit waits for its WAL to reach the disk: %.2f ms per commit on one"
                + " connection (runs ranged %.2f-%.2f ms; %.2f ms non-durable). On this disk one 8 KB write plus fdatasync"
                + " took %.2f ms (median; p10 %.2f, p90 %.2f, %d probes between the runs), so the"
                + " cost per commit follows the disk's flush latency: lower on local SSDs, higher"
                + " on network disks. Concurrent commits share flushes (group commit); a bulk load"
                + " pays little. Every other section runs on the bench's own non-durable server."
                + " Upgrading a data directory that ran non-durably (here with the 1M-row table):"
                + " first durable start %,d ms (it flushes every file once), later starts %,d ms."
                + " Measured %s.",
            d.serial() / SMALL_TRANSACTIONS,
            durable.stream().mapToDouble(Times::serial).min().orElse(0) / SMALL_TRANSACTIONS,
            durable.stream().mapToDouble(Times::serial).max().orElse(0) / SMALL_TRANSACTIONS,
            f.serial() / SMALL_TRANSACTIONS,
            QueryBenchmark.median(flush),
            flush[flush.length / 10],
            flush[flush.length * 9 / 10],
            flush.length,
            firstDurableStart.toMillis(),
            laterStart.toMillis(),
            Instant.now().toString().substring(0, 10)));
    return String.join("\n", lines);
  }

  private static String row(String workload, double durableMs, double fastMs, int rows) {
    return String.format(
        Locale.ROOT,
        "| %s | %,.0f ms (%,.0f rows/s) | %,.0f ms (%,.0f rows/s) | %.1fx |",
        workload,
        durableMs,
        rows / (durableMs / 1000),
        fastMs,
        rows / (fastMs / 1000),
        durableMs / fastMs);
  }

  /** The app's settings binding, so new settings keep their defaults here too. */
  private static StudioProperties settings(Path dataDir, boolean durable) {
    return new Binder(
            new MapConfigurationPropertySource(
                Map.of(
                    "studio.data-dir", dataDir.toString(),
                    "studio.embedded.durable", Boolean.toString(durable))))
        .bindOrCreate("studio", StudioProperties.class);
  }

  private static Duration timeStart(Path dataDir) throws Exception {
    long started = System.nanoTime();
    AppStore.start(settings(dataDir, true)).close();
    return Duration.ofNanos(System.nanoTime() - started);
  }

  /** The disk's own flush latency: an 8 KB write plus fdatasync, as a WAL flush does. */
  private static List<Double> flushMillis(Path dir) throws IOException {
    Path probe = Files.createTempFile(dir, "flush-probe", ".bin");
    List<Double> millis = new ArrayList<>();
    try (FileChannel channel = FileChannel.open(probe, StandardOpenOption.WRITE)) {
      ByteBuffer page = ByteBuffer.allocate(8192);
      for (int i = 0; i < FLUSH_PROBES; i++) {
        page.clear();
        channel.write(page, (i % 16) * 8192L);
        long started = System.nanoTime();
        channel.force(false);
        millis.add((System.nanoTime() - started) / 1e6);
      }
    } finally {
      Files.deleteIfExists(probe);
    }
    return millis;
  }

  /** The 1-minute load average (Linux), since other work on the machine moves these numbers. */
  private static String loadAverage() {
    try {
      String first = Files.readString(Path.of("/proc/loadavg")).split(" ")[0];
      return ", load average " + first + " at the end";
    } catch (IOException | RuntimeException e) {
      return "";
    }
  }

  private static void delete(Path dir) throws IOException {
    try (var walk = Files.walk(dir)) {
      for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }

  private static void prepare(DataSource ds) throws SQLException {
    try (Connection c = ds.getConnection();
        Statement st = c.createStatement()) {
      st.execute(
          "create table records (id bigserial primary key, run_id bigint not null,"
              + " batch int not null, status text not null, at timestamptz not null default now())");
      st.execute("create table bulk (id bigint, email text, bucket int, at timestamptz)");
    }
  }

  private static Times measure(DataSource ds) throws Exception {
    try (Connection c = ds.getConnection();
        Statement st = c.createStatement()) {
      st.execute("truncate records, bulk");
    }
    double serial = millis(() -> insertRecords(ds, 0, SMALL_TRANSACTIONS));
    ExecutorService pool = Executors.newFixedThreadPool(PARALLEL_CONNECTIONS);
    double parallel;
    try {
      parallel =
          millis(
              () -> {
                List<Future<?>> done = new ArrayList<>();
                int each = SMALL_TRANSACTIONS / PARALLEL_CONNECTIONS;
                for (int i = 0; i < PARALLEL_CONNECTIONS; i++) {
                  int run = i + 1;
                  done.add(pool.submit(() -> insertRecords(ds, run, each)));
                }
                for (Future<?> f : done) {
                  f.get();
                }
              });
    } finally {
      pool.shutdown();
    }
    double bulk =
        millis(
            () -> {
              try (Connection c = ds.getConnection();
                  Statement st = c.createStatement()) {
                st.execute(
                    "insert into bulk select g, 'user' || g || '@example.com', g % 1000, now()"
                        + " from generate_series(1, "
                        + BULK_ROWS
                        + ") g");
              }
            });
    return new Times(serial, parallel, bulk);
  }

  /** One autocommit insert per batch: each is its own transaction, as a batch record is. */
  private static Void insertRecords(DataSource ds, int run, int count) throws SQLException {
    try (Connection c = ds.getConnection();
        PreparedStatement insert =
            c.prepareStatement("insert into records (run_id, batch, status) values (?, ?, ?)")) {
      for (int i = 0; i < count; i++) {
        insert.setLong(1, run);
        insert.setInt(2, i);
        insert.setString(3, "accepted");
        insert.executeUpdate();
      }
    }
    return null;
  }

  private interface Work {
    void run() throws Exception;
  }

  private static double millis(Work work) throws Exception {
    long started = System.nanoTime();
    work.run();
    return (System.nanoTime() - started) / 1e6;
  }

  private static Times median(List<Times> runs) {
    return new Times(
        QueryBenchmark.median(runs.stream().mapToDouble(Times::serial).toArray()),
        QueryBenchmark.median(runs.stream().mapToDouble(Times::parallel).toArray()),
        QueryBenchmark.median(runs.stream().mapToDouble(Times::bulk).toArray()));
  }
}
