package io.customerstudio.infra.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.customerstudio.infra.store.AppStore;
import io.customerstudio.infra.temporal.TemporalConnection;
import io.customerstudio.infra.warehouse.Warehouse;
import io.customerstudio.query.testing.TestPostgres;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.springframework.boot.diagnostics.FailureAnalysis;

/** Bad settings stop start-up with a message that names the environment variable to fix. */
class StartupChecksTest {

  static StudioProperties props(StudioProperties.Database db, StudioProperties.Database wh) {
    return new StudioProperties(
        db,
        wh,
        new StudioProperties.Temporal(null, "default", "q"),
        new StudioProperties.Demo(null, "postgres", 10, 1, "demo", null),
        Path.of("target/unused"),
        new StudioProperties.Embedded(true),
        null,
        null,
        null,
        new StudioProperties.Sync(
            java.time.Duration.ofDays(7),
            java.time.Duration.ofSeconds(30),
            java.time.Duration.ofDays(7),
            java.time.Duration.ofMinutes(30)),
        new StudioProperties.Governance("cs_logs"));
  }

  @Test
  void anUnreachableAppStoreNamesTheUrlSetting() {
    var db =
        new StudioProperties.Database("jdbc:postgresql://127.0.0.1:1/studio", "u", "secret-pw");
    assertThatThrownBy(
            () -> AppStore.start(props(db, new StudioProperties.Database(null, null, null))))
        .isInstanceOfSatisfying(
            StartupCheckException.class,
            e -> {
              assertThat(e.setting()).isEqualTo("STUDIO_DATABASE_URL");
              assertThat(e.getMessage())
                  .contains("cannot connect to jdbc:postgresql://127.0.0.1:1/studio");
              assertThat(e.getMessage()).doesNotContain("secret-pw");
            });
  }

  @Test
  void refusedCredentialsNameTheUserAndPasswordSettings() {
    String url = TestPostgres.newDatabaseUrl("creds").replace("?user=postgres", "");
    var db = new StudioProperties.Database(url, "no_such_role", "x");
    assertThatThrownBy(
            () -> AppStore.start(props(db, new StudioProperties.Database(null, null, null))))
        .isInstanceOfSatisfying(
            StartupCheckException.class,
            e ->
                assertThat(e.setting()).isEqualTo("STUDIO_DATABASE_USER/STUDIO_DATABASE_PASSWORD"));
  }

  @Test
  void anUnreachableWarehouseNamesItsOwnSetting() throws Exception {
    String url = TestPostgres.newDatabaseUrl("wh");
    var db = new StudioProperties.Database(url, "postgres", "");
    var wh =
        new StudioProperties.Database(
            "jdbc:postgresql://127.0.0.1:1/dwh?password=hunter2", "u", "p");
    try (AppStore store = AppStore.start(props(db, wh))) {
      assertThatThrownBy(() -> Warehouse.connect(props(db, wh), store))
          .isInstanceOfSatisfying(
              StartupCheckException.class,
              e -> {
                assertThat(e.setting()).isEqualTo("STUDIO_WAREHOUSE_URL");
                assertThat(e.getMessage()).contains("password=***").doesNotContain("hunter2");
              });
    }
  }

  @Test
  void anUnreachableTemporalTargetNamesTheTargetSetting() {
    assertThatThrownBy(
            () ->
                TemporalConnection.connect(
                    new StudioProperties.Temporal("127.0.0.1:1", "default", "q")))
        .isInstanceOfSatisfying(
            StartupCheckException.class,
            e -> {
              assertThat(e.setting()).isEqualTo("STUDIO_TEMPORAL_TARGET");
              assertThat(e.getMessage()).contains("cannot reach Temporal at 127.0.0.1:1");
            });
  }

  @Test
  void theFailureReportIsTheSettingAndWhatToDo() {
    FailureAnalysis analysis =
        new StartupCheckFailureAnalyzer()
            .analyze(
                new IllegalStateException(
                    new StartupCheckException("STUDIO_DATABASE_URL", "cannot connect", null)));
    assertThat(analysis.getDescription()).isEqualTo("STUDIO_DATABASE_URL: cannot connect");
    assertThat(analysis.getAction()).contains("Fix STUDIO_DATABASE_URL");
  }
}
