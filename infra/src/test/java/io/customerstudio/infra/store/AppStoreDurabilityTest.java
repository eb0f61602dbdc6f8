package io.customerstudio.infra.store;

import static org.assertj.core.api.Assertions.assertThat;

import io.customerstudio.infra.config.StudioProperties;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

/**
 * The embedded app store holds the user's real data: it runs with fsync and synchronous commit on
 * unless STUDIO_EMBEDDED_DURABLE=false, and a data directory written with fsync off is flushed to
 * disk once before it first runs durably.
 */
@ExtendWith(OutputCaptureExtension.class)
class AppStoreDurabilityTest {

  @TempDir Path dataDir;

  @Test
  void durableIsTheDefaultAndCanBeTurnedOff() {
    assertThat(bind(Map.of()).embedded().durable()).isTrue();
    assertThat(bind(Map.of("studio.embedded.durable", "false")).embedded().durable()).isFalse();
  }

  @Test
  void aDurableStoreSyncsEveryCommit_andTheFirstDurableStartFlushesOldFiles(CapturedOutput output)
      throws Exception {
    Path pg = dataDir.resolve("postgres").toAbsolutePath().normalize();
    try (AppStore store = AppStore.start(AppStoreTestSupport.embedded(dataDir, false))) {
      assertThat(setting(store, "fsync")).isEqualTo("off");
      assertThat(setting(store, "synchronous_commit")).isEqualTo("off");
    }
    assertThat(pg.resolve(DataDirectorySync.MARKER)).doesNotExist();

    try (AppStore store = AppStore.start(AppStoreTestSupport.embedded(dataDir, true))) {
      assertThat(setting(store, "fsync")).isEqualTo("on");
      assertThat(setting(store, "synchronous_commit")).isEqualTo("on");
      assertThat(setting(store, "full_page_writes")).isEqualTo("on");
    }
    assertThat(output.getOut())
        .containsPattern("first durable start on .*: flushed [1-9]\\d* files");
    assertThat(pg.resolve(DataDirectorySync.MARKER)).exists();
    assertThat(DataDirectorySync.syncIfNotYetDurable(pg)).as("only once").isZero();

    try (AppStore store = AppStore.start(AppStoreTestSupport.embedded(dataDir, false))) {
      assertThat(setting(store, "fsync")).isEqualTo("off");
    }
    assertThat(pg.resolve(DataDirectorySync.MARKER))
        .as("a non-durable run makes the next durable start flush again")
        .doesNotExist();
    assertThat(Files.exists(pg.resolve("PG_VERSION"))).isTrue();
  }

  private static StudioProperties bind(Map<String, String> settings) {
    return new Binder(new MapConfigurationPropertySource(settings))
        .bindOrCreate("studio", StudioProperties.class);
  }

  private static String setting(AppStore store, String name) throws Exception {
    try (Connection c = store.dataSource().getConnection();
        Statement st = c.createStatement();
        ResultSet rs = st.executeQuery("show " + name)) {
      rs.next();
      return rs.getString(1);
    }
  }
}
