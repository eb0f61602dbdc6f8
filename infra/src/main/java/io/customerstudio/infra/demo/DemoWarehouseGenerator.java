package io.customerstudio.infra.demo;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import javax.sql.DataSource;
import org.jooq.SQLDialect;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes the demo warehouse (users, products, purchases, events, consent) into one schema with
 * set-based {@code INSERT ... SELECT} statements: on PostgreSQL split by user-id range over a few
 * connections, on DuckDB one statement per table (DuckDB runs one statement on all cores itself).
 * The rows are a pure function of (seed, users, anchor) on each engine: the same inputs give
 * byte-identical tables. PostgreSQL and DuckDB hash differently ({@link DemoSql}), so they give
 * tables of the same shape and distributions, not the same rows. It drops and recreates only the
 * five tables it owns in that schema.
 */
public final class DemoWarehouseGenerator {

  private static final Logger log = LoggerFactory.getLogger(DemoWarehouseGenerator.class);

  private final DataSource dataSource;
  private final boolean duckDb;
  private final int parallelism;

  /** A generator for a PostgreSQL warehouse. */
  public DemoWarehouseGenerator(DataSource dataSource, int parallelism) {
    this(dataSource, SQLDialect.POSTGRES, parallelism);
  }

  /**
   * A generator for a warehouse of the given dialect ({@code POSTGRES} or {@code DUCKDB}); {@code
   * parallelism} is the number of PostgreSQL connections (DuckDB parallelises each statement).
   */
  public DemoWarehouseGenerator(DataSource dataSource, SQLDialect dialect, int parallelism) {
    this.dataSource = dataSource;
    this.duckDb = dialect.family() == SQLDialect.DUCKDB;
    this.parallelism = duckDb ? 1 : Math.max(1, parallelism);
  }

  /** What to generate. */
  public record Spec(String schema, long seed, int users, Instant anchor) {
    public Spec {
      if (users < 1) {
        throw new IllegalArgumentException("users must be at least 1, got " + users);
      }
    }
  }

  /** What was generated, with row counts per table and the wall-clock time it took. */
  public record Result(Spec spec, Map<String, Long> rowCounts, Duration elapsed) {
    public long totalRows() {
      return rowCounts.values().stream().mapToLong(Long::longValue).sum();
    }

    public double rowsPerSecond() {
      return totalRows() / Math.max(0.001, elapsed.toMillis() / 1000.0);
    }
  }

  public Result generate(Spec spec) {
    DemoSql sql = new DemoSql(spec.schema(), duckDb);
    long started = System.nanoTime();
    ExecutorService pool = Executors.newFixedThreadPool(parallelism);
    try {
      runSequential(sql.createTables());
      runRanges(pool, spec, sql.insertProducts(), 1);
      runRanges(pool, spec, sql.insertUsers(), parallelism);
      runRanges(pool, spec, sql.insertPurchases(), parallelism);
      runRanges(pool, spec, sql.insertEvents(), parallelism);
      runRanges(pool, spec, sql.insertOrderEvents(), parallelism);
      runRanges(pool, spec, sql.insertConsent(), parallelism);
      runParallel(pool, sql.indexes());
      runSequential(sql.finish());
      Map<String, Long> counts = new LinkedHashMap<>();
      for (String table : DemoSql.TABLES) {
        counts.put(table, queryLong(sql.count(table)));
      }
      Result result = new Result(spec, counts, Duration.ofNanos(System.nanoTime() - started));
      log.atInfo()
          .addKeyValue("schema", spec.schema())
          .addKeyValue("seed", spec.seed())
          .addKeyValue("users", spec.users())
          .addKeyValue("rows", result.totalRows())
          .addKeyValue("millis", result.elapsed().toMillis())
          .log(
              "Demo warehouse: generated {} rows into schema '{}' in {} ms ({} rows/s): {}",
              result.totalRows(),
              spec.schema(),
              result.elapsed().toMillis(),
              Math.round(result.rowsPerSecond()),
              counts);
      return result;
    } finally {
      pool.shutdownNow();
    }
  }

  /**
   * Drops and recreates the five empty demo tables in {@code schema}, typed as {@link #generate}
   * types them (for loading the same rows from elsewhere, as the benchmark copies PostgreSQL's rows
   * into DuckDB); {@link #createViews} adds consent_latest once they are filled.
   */
  public void createTables(String schema) {
    runSequential(new DemoSql(schema, duckDb).createTables());
  }

  /** Creates the demo's views (consent_latest) over filled tables; on PostgreSQL also ANALYZE. */
  public void createViews(String schema) {
    runSequential(new DemoSql(schema, duckDb).finish());
  }

  /** The demo's tables, in the order {@link #createTables} creates them. */
  public static java.util.List<String> tables() {
    return DemoSql.TABLES;
  }

  /** md5 digests of every table, ordered by primary key: equal digests mean equal data. */
  public Map<String, String> checksums(String schema) {
    DemoSql sql = new DemoSql(schema, duckDb);
    Map<String, String> sums = new LinkedHashMap<>();
    sums.put("users", queryString(sql.checksum("users", "user_id")));
    sums.put("products", queryString(sql.checksum("products", "product_id")));
    sums.put("purchases", queryString(sql.checksum("purchases", "purchase_id")));
    sums.put("events", queryString(sql.checksum("events", "event_id")));
    sums.put("consent", queryString(sql.checksum("consent", "receipt_id")));
    return sums;
  }

  private void runSequential(List<String> statements) {
    try (Connection c = dataSource.getConnection();
        Statement st = c.createStatement()) {
      for (String s : statements) {
        st.execute(s);
      }
    } catch (SQLException e) {
      throw new IllegalStateException("Demo warehouse generation failed: " + e.getMessage(), e);
    }
  }

  private void runParallel(ExecutorService pool, List<String> statements) {
    List<Future<?>> futures = new ArrayList<>();
    for (String s : statements) {
      futures.add(pool.submit(() -> runSequential(List.of(s))));
    }
    await(futures);
  }

  /** Runs one statement per user-id range; each range commits on its own connection. */
  private void runRanges(ExecutorService pool, Spec spec, String statement, int ranges) {
    int n = Math.min(ranges, spec.users());
    long chunk = (spec.users() + n - 1) / n;
    List<Future<?>> futures = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      long lo = 1 + i * chunk;
      long hi = Math.min(spec.users(), lo + chunk - 1);
      futures.add(pool.submit(() -> insertRange(spec, statement, lo, hi)));
    }
    await(futures);
  }

  private void insertRange(Spec spec, String statement, long lo, long hi) {
    try (Connection c = dataSource.getConnection()) {
      try (Statement st = c.createStatement()) {
        if (duckDb) {
          // rows are a function of their ids, not of their order: letting DuckDB's threads append
          // in any order halves the users insert (measured 6.1 s -> 3.2 s for 1M users); reset
          // below
          st.execute("set preserve_insertion_order = false");
        } else {
          // the data is regenerated from scratch if lost, so waiting for the WAL flush buys nothing
          st.execute("set synchronous_commit = off");
        }
      }
      try (PreparedStatement ps = c.prepareStatement(statement)) {
        ps.setLong(1, spec.seed());
        if (duckDb) {
          // DuckDB's JDBC binds a java.sql.Timestamp as a local time; an ISO instant is exact
          ps.setString(2, spec.anchor().toString());
        } else {
          ps.setTimestamp(2, Timestamp.from(spec.anchor()));
        }
        ps.setLong(3, lo);
        ps.setLong(4, hi);
        ps.executeUpdate();
      } finally {
        if (duckDb) {
          try (Statement st = c.createStatement()) {
            st.execute("reset preserve_insertion_order");
          }
        }
      }
    } catch (SQLException e) {
      throw new IllegalStateException("Demo warehouse generation failed: " + e.getMessage(), e);
    }
  }

  private static void await(List<Future<?>> futures) {
    try {
      for (Future<?> f : futures) {
        f.get();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("Demo warehouse generation was interrupted", e);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof RuntimeException r) {
        throw r;
      }
      throw new IllegalStateException(e.getCause());
    }
  }

  private long queryLong(String sql) {
    return Long.parseLong(queryString(sql));
  }

  private String queryString(String sql) {
    try (Connection c = dataSource.getConnection();
        Statement st = c.createStatement();
        ResultSet rs = st.executeQuery(sql)) {
      rs.next();
      return rs.getString(1);
    } catch (SQLException e) {
      throw new IllegalStateException("Demo warehouse query failed: " + e.getMessage(), e);
    }
  }
}
