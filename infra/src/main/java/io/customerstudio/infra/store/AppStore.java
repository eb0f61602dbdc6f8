package io.customerstudio.infra.store;

import com.zaxxer.hikari.HikariDataSource;
import io.customerstudio.infra.config.DataSources;
import io.customerstudio.infra.config.StartupCheckException;
import io.customerstudio.infra.config.StudioProperties;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The app's own PostgreSQL: the server at {@code STUDIO_DATABASE_URL}, or an embedded one whose
 * data directory persists under {@code STUDIO_DATA_DIR}. Owns the pool and, when embedded, the
 * server process; {@link #close()} stops both.
 */
public final class AppStore implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(AppStore.class);

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
    EmbeddedPostgres pg = startEmbedded(dir);
    String url = pg.getJdbcUrl("postgres", "postgres");
    HikariDataSource ds = DataSources.open("app-store", url, "postgres", "", 10, "STUDIO_DATABASE");
    String description =
        "embedded PostgreSQL at 127.0.0.1:" + pg.getPort() + " (data directory " + dir + ")";
    log.atInfo()
        .addKeyValue("setting", "STUDIO_DATABASE_URL")
        .addKeyValue("mode", "embedded")
        .addKeyValue("dataDirectory", dir)
        .log("App store: {} (STUDIO_DATABASE_URL unset)", description);
    return new AppStore(ds, pg, description);
  }

  private static EmbeddedPostgres startEmbedded(Path dir) {
    try {
      Files.createDirectories(dir);
      return EmbeddedPostgres.builder()
          .setDataDirectory(dir)
          .setCleanDataDirectory(false)
          .setServerConfig("max_connections", "100")
          .start();
    } catch (IOException | RuntimeException e) {
      throw new StartupCheckException(
          "STUDIO_DATA_DIR",
          "cannot start the embedded PostgreSQL in " + dir + " (" + e.getMessage() + ")",
          e);
    }
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
