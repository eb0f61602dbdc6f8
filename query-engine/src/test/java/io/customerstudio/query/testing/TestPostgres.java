package io.customerstudio.query.testing;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.atomic.AtomicInteger;
import javax.sql.DataSource;

/**
 * One embedded PostgreSQL per test JVM (started on first use, stopped at JVM exit), and a fresh
 * database per caller so tests never see each other's rows.
 */
public final class TestPostgres {

  private static final AtomicInteger DATABASES = new AtomicInteger();
  private static volatile EmbeddedPostgres server;

  private TestPostgres() {}

  public static synchronized EmbeddedPostgres server() {
    if (server == null) {
      try {
        server = EmbeddedPostgres.builder().start();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      EmbeddedPostgres started = server;
      Runtime.getRuntime()
          .addShutdownHook(
              new Thread(
                  () -> {
                    try {
                      started.close();
                    } catch (IOException ignored) {
                      // the JVM is exiting; the temp directory goes with it
                    }
                  }));
    }
    return server;
  }

  /** Creates a new, empty database and returns its JDBC URL (user postgres, no password). */
  public static String newDatabaseUrl(String prefix) {
    String name = prefix + "_" + DATABASES.incrementAndGet();
    try (Connection c = server().getPostgresDatabase().getConnection();
        Statement st = c.createStatement()) {
      st.execute("create database " + name);
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
    return server().getJdbcUrl("postgres", name);
  }

  /**
   * A pooled data source on a new, empty database (sessions in UTC, like the app's warehouse pool).
   * Pooled because a new PostgreSQL connection per query costs ~20 ms.
   */
  public static DataSource newDatabase(String prefix) {
    com.zaxxer.hikari.HikariConfig config = new com.zaxxer.hikari.HikariConfig();
    config.setJdbcUrl(newDatabaseUrl(prefix));
    config.setUsername("postgres");
    config.setMaximumPoolSize(4);
    config.setMinimumIdle(0);
    config.setConnectionInitSql("set time zone 'UTC'; set plan_cache_mode = force_custom_plan");
    config.addDataSourceProperty("stringtype", "unspecified");
    return new com.zaxxer.hikari.HikariDataSource(config);
  }
}
