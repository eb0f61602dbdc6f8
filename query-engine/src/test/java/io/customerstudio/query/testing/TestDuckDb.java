package io.customerstudio.query.testing;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * DuckDB databases for tests: a fresh database file per caller in one temporary directory (removed
 * at JVM exit), pooled like the app's warehouse pool (sessions in UTC). A file's name becomes its
 * catalog's name, so files are named {@code wh_<n>}, never after a schema they hold.
 */
public final class TestDuckDb {

  private static final AtomicInteger DATABASES = new AtomicInteger();
  private static volatile Path directory;

  private TestDuckDb() {}

  private static synchronized Path directory() {
    if (directory == null) {
      try {
        directory = Files.createTempDirectory("cs-duckdb-");
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      Path dir = directory;
      Runtime.getRuntime()
          .addShutdownHook(
              new Thread(
                  () -> {
                    try (var files = Files.walk(dir)) {
                      files
                          .sorted(java.util.Comparator.reverseOrder())
                          .forEach(p -> p.toFile().delete());
                    } catch (IOException ignored) {
                      // the JVM is exiting
                    }
                  }));
    }
    return directory;
  }

  /** The JDBC URL of a new, empty database file. */
  public static String newDatabaseUrl(String prefix) {
    return "jdbc:duckdb:"
        + directory().resolve("wh_" + prefix + "_" + DATABASES.incrementAndGet() + ".duckdb");
  }

  /** A pooled data source on a new, empty DuckDB database file. */
  public static HikariDataSource newDatabase(String prefix) {
    HikariConfig config = new HikariConfig();
    config.setJdbcUrl(newDatabaseUrl(prefix));
    config.setDriverClassName("org.duckdb.DuckDBDriver");
    config.setMaximumPoolSize(4);
    config.setMinimumIdle(0);
    config.setConnectionInitSql("set TimeZone = 'UTC'");
    return new HikariDataSource(config);
  }
}
