package io.customerstudio.infra.store;

import com.zaxxer.hikari.HikariDataSource;
import io.customerstudio.infra.config.DataSources;
import io.customerstudio.infra.config.StartupCheckException;
import io.customerstudio.infra.config.StudioProperties;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The app's own PostgreSQL: the server at {@code STUDIO_DATABASE_URL}, or an embedded one whose
 * data directory persists under {@code STUDIO_DATA_DIR}. Owns the pool and, when embedded, the
 * server process; {@link #close()} stops both.
 *
 * <p>The embedded server holds the user's real data, so it runs durably (fsync, synchronous commit)
 * unless {@code STUDIO_EMBEDDED_DURABLE=false}, and a start after a crash first clears the server
 * the dead app left running ({@link LeftoverPostmaster}).
 */
public final class AppStore implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(AppStore.class);

  /** A normal start takes 1-3 s; the margin is for slow disks and busy machines. */
  private static final Duration STARTUP_WAIT = Duration.ofSeconds(60);

  /** Crash recovery replays the write-ahead log since the last checkpoint (up to 1 GB). */
  private static final Duration RECOVERY_WAIT = Duration.ofMinutes(10);

  /** A leftover server's fast shutdown writes a checkpoint before it exits. */
  private static final Duration SHUTDOWN_WAIT = Duration.ofSeconds(60);

  private final HikariDataSource dataSource;
  private final EmbeddedPostgres embedded;
  private final String description;

  private AppStore(HikariDataSource dataSource, EmbeddedPostgres embedded, String description) {
    this.dataSource = dataSource;
    this.embedded = embedded;
    this.description = description;
  }

  public static AppStore start(StudioProperties properties) {
    StudioProperties.Database db = properties.database();
    if (db.configured()) {
      HikariDataSource ds =
          DataSources.open("app-store", db.url(), db.user(), db.password(), 10, "STUDIO_DATABASE");
      String description = "PostgreSQL at " + DataSources.redact(db.url());
      log.atInfo()
          .addKeyValue("setting", "STUDIO_DATABASE_URL")
          .addKeyValue("mode", "external")
          .log("App store: {}", description);
      return new AppStore(ds, null, description);
    }
    Path dir = properties.dataDir().resolve("postgres").toAbsolutePath().normalize();
    boolean durable = properties.embedded().durable();
    EmbeddedPostgres pg = startEmbedded(dir, durable);
    String url = pg.getJdbcUrl("postgres", "postgres");
    HikariDataSource ds = DataSources.open("app-store", url, "postgres", "", 10, "STUDIO_DATABASE");
    String description =
        "embedded PostgreSQL at 127.0.0.1:" + pg.getPort() + " (data directory " + dir + ")";
    log.atInfo()
        .addKeyValue("setting", "STUDIO_DATABASE_URL")
        .addKeyValue("mode", "embedded")
        .addKeyValue("dataDirectory", dir)
        .addKeyValue("durable", durable)
        .log("App store: {} (STUDIO_DATABASE_URL unset)", description);
    if (!durable) {
      log.atWarn()
          .addKeyValue("setting", "STUDIO_EMBEDDED_DURABLE")
          .log(
              "App store: the embedded PostgreSQL runs with fsync and synchronous commit off"
                  + " (STUDIO_EMBEDDED_DURABLE=false): an OS crash or power loss can lose recent"
                  + " commits or corrupt {}",
              dir);
    }
    return new AppStore(ds, pg, description);
  }

  private static EmbeddedPostgres startEmbedded(Path dir, boolean durable) {
    try {
      Files.createDirectories(dir);
      LeftoverPostmaster.Cleared leftover = LeftoverPostmaster.clear(dir, SHUTDOWN_WAIT);
      if (leftover.uncleanStop()) {
        log.atWarn()
            .addKeyValue("setting", "STUDIO_DATA_DIR")
            .addKeyValue("leftover", leftover.outcome())
            .addKeyValue("pid", leftover.pid())
            .log(
                "App store: the last run did not stop the embedded PostgreSQL in {} cleanly; {}",
                dir,
                leftover.detail());
      }
      if (durable) {
        long started = System.nanoTime();
        int flushed = DataDirectorySync.syncIfNotYetDurable(dir);
        if (flushed > 0) {
          log.info(
              "App store: first durable start on {}: flushed {} files written with fsync off to"
                  + " disk in {} ms",
              dir,
              flushed,
              (System.nanoTime() - started) / 1_000_000);
        }
      }
      EmbeddedPostgres.Builder builder =
          EmbeddedPostgres.builder()
              .setDataDirectory(dir)
              .setCleanDataDirectory(false)
              .setServerConfig("max_connections", "100")
              // after an unclean stop PostgreSQL first replays its write-ahead log
              .setPGStartupWait(leftover.uncleanStop() ? RECOVERY_WAIT : STARTUP_WAIT);
      if (durable) {
        durable(builder);
      }
      EmbeddedPostgres pg = builder.start();
      try {
        DataDirectorySync.mark(dir, durable);
      } catch (IOException e) {
        pg.close();
        throw e;
      }
      return pg;
    } catch (IOException | RuntimeException e) {
      throw new StartupCheckException(
          "STUDIO_DATA_DIR",
          "cannot start the embedded PostgreSQL in " + dir + " (" + e.getMessage() + ")",
          e);
    }
  }

  /**
   * zonky's defaults are for throwaway test databases: it passes {@code -F} (fsync off) and {@code
   * synchronous_commit=off}. The {@code -c} settings come after {@code -F} on the server's command
   * line, and the last one wins.
   */
  private static void durable(EmbeddedPostgres.Builder builder) {
    builder
        .setServerConfig("fsync", "on")
        .setServerConfig("synchronous_commit", "on")
        .setServerConfig("full_page_writes", "on");
  }

  public DataSource dataSource() {
    return dataSource;
  }

  public boolean embedded() {
    return embedded != null;
  }

  /** Where the store lives, without credentials: for logs and the dashboard. */
  public String description() {
    return description;
  }

  @Override
  public void close() throws IOException {
    dataSource.close();
    if (embedded != null) {
      embedded.close();
    }
  }
}
