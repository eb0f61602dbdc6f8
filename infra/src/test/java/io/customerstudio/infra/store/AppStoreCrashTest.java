package io.customerstudio.infra.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.customerstudio.infra.config.StartupCheckException;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

/**
 * A start after the app died without stopping its embedded PostgreSQL (kill -9) succeeds at once
 * and finds every committed row, and the clean-up never touches a process that is not that orphaned
 * server.
 */
@ExtendWith(OutputCaptureExtension.class)
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class AppStoreCrashTest {

  @TempDir Path dataDir;
  private Process app;
  private Process unrelated;

  @AfterEach
  void stopWhatAFailedTestLeftRunning() throws IOException {
    if (app != null) {
      app.destroyForcibly();
    }
    if (unrelated != null) {
      unrelated.destroyForcibly();
    }
    // JUnit deletes the directory next, and a server whose directory is gone is never stopped
    if (Files.exists(postgresDir().resolve(LeftoverPostmaster.PID_FILE))) {
      ProcessHandle.of(pidInPidFile())
          .filter(
              p ->
                  LeftoverPostmaster.identify(p, postgresDir())
                      == LeftoverPostmaster.Identity.THIS_SERVER)
          .ifPresent(
              p -> {
                p.descendants().forEach(ProcessHandle::destroyForcibly);
                p.destroyForcibly();
              });
    }
  }

  @Test
  void aStartAfterKill9StopsTheOrphanedServerAndKeepsTheCommittedRows(CapturedOutput output)
      throws Exception {
    app = startCrashingApp(1000);
    long orphanPid = pidInPidFile();
    app.destroyForcibly();
    assertThat(app.waitFor(30, TimeUnit.SECONDS)).isTrue();
    ProcessHandle orphan = ProcessHandle.of(orphanPid).orElseThrow();
    assertThat(orphan.isAlive()).as("kill -9 leaves the app's PostgreSQL running").isTrue();

    long started = System.nanoTime();
    try (AppStore store = AppStore.start(AppStoreTestSupport.embedded(dataDir, true))) {
      Duration took = Duration.ofNanos(System.nanoTime() - started);
      // the orphan's statement would run for an hour: a start that waited for it (or for the
      // library's 10 s start-up timeout, as before) would not be this fast
      assertThat(took).isLessThan(Duration.ofSeconds(30));
      assertThat(LeftoverPostmaster.running(orphan)).isFalse();
      assertThat(output.getOut())
          .contains("did not stop the embedded PostgreSQL in " + postgresDir() + " cleanly")
          .contains("stopped PostgreSQL (PID " + orphanPid + ")");
      assertThat(queryLong(store, "select count(*) from crash_probe where note = 'committed'"))
          .isEqualTo(1000);
      assertThat(queryLong(store, "select count(*) from crash_probe where id = -1"))
          .as("the dead app's open transaction is rolled back")
          .isZero();
    }
  }

  @Test
  void aLeftoverServerThatDoesNotShutDownIsKilledAndRecoversItsCommittedRows() throws Exception {
    app = startCrashingApp(500);
    long orphanPid = pidInPidFile();
    app.destroyForcibly();
    assertThat(app.waitFor(30, TimeUnit.SECONDS)).isTrue();
    // a stopped process keeps the fast-shutdown signal pending: only SIGKILL ends it
    assertThat(new ProcessBuilder("kill", "-STOP", Long.toString(orphanPid)).start().waitFor())
        .isZero();

    LeftoverPostmaster.Cleared cleared =
        LeftoverPostmaster.clear(postgresDir(), Duration.ofSeconds(2));
    assertThat(cleared.outcome()).isEqualTo(LeftoverPostmaster.Outcome.KILLED);
    assertThat(cleared.pid()).isEqualTo(orphanPid);
    assertThat(ProcessHandle.of(orphanPid).filter(LeftoverPostmaster::running)).isEmpty();

    try (AppStore store = AppStore.start(AppStoreTestSupport.embedded(dataDir, true))) {
      assertThat(queryLong(store, "select count(*) from crash_probe where note = 'committed'"))
          .as("crash recovery replays every committed row from the write-ahead log")
          .isEqualTo(500);
      assertThat(queryLong(store, "select count(*) from crash_probe where id = -1")).isZero();
    }
  }

  @Test
  void aPidFileNamingAnUnrelatedLiveProcessIsRemovedAndTheProcessLeftAlone(CapturedOutput output)
      throws Exception {
    AppStore.start(AppStoreTestSupport.embedded(dataDir, false)).close();
    unrelated = new ProcessBuilder("sleep", "600").start();
    // as after a reboot: the PID in the file now belongs to some other program
    Files.writeString(
        postgresDir().resolve(LeftoverPostmaster.PID_FILE),
        unrelated.pid() + "\n" + postgresDir() + "\n");

    try (AppStore store = AppStore.start(AppStoreTestSupport.embedded(dataDir, false))) {
      assertThat(queryLong(store, "select 1")).isEqualTo(1);
    }
    assertThat(unrelated.isAlive()).isTrue();
    assertThat(output.getOut())
        .contains("removed a stale postmaster.pid (PID " + unrelated.pid() + " is now")
        .contains("left it alone");
  }

  @Test
  void aDataDirectoryOwnedByALiveAppIsNotTakenOver() throws Exception {
    try (AppStore owner = AppStore.start(AppStoreTestSupport.embedded(dataDir, false))) {
      assertThatThrownBy(() -> AppStore.start(AppStoreTestSupport.embedded(dataDir, false)))
          .isInstanceOfSatisfying(
              StartupCheckException.class,
              e -> {
                assertThat(e.setting()).isEqualTo("STUDIO_DATA_DIR");
                assertThat(e.getMessage())
                    .contains("another Customer Studio running with the same STUDIO_DATA_DIR");
              });
      assertThat(queryLong(owner, "select 1")).as("the owner's server still runs").isEqualTo(1);
    }
  }

  private Path postgresDir() {
    return dataDir.resolve("postgres").toAbsolutePath().normalize();
  }

  private long pidInPidFile() throws IOException {
    List<String> lines = Files.readAllLines(postgresDir().resolve(LeftoverPostmaster.PID_FILE));
    return Long.parseLong(lines.get(0).strip());
  }

  /** Starts {@link CrashingApp} in its own JVM and waits until its rows are committed. */
  private Process startCrashingApp(int rows) throws Exception {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    Process process =
        new ProcessBuilder(
                java,
                "-cp",
                System.getProperty("java.class.path"),
                CrashingApp.class.getName(),
                dataDir.toString(),
                Integer.toString(rows))
            .redirectErrorStream(true)
            .start();
    StringBuffer log = new StringBuffer();
    CompletableFuture<Boolean> ready = new CompletableFuture<>();
    Thread reader =
        new Thread(
            () -> {
              try (BufferedReader in =
                  new BufferedReader(
                      new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line = in.readLine(); line != null; line = in.readLine()) {
                  log.append(line).append('\n');
                  if (line.equals(CrashingApp.READY)) {
                    ready.complete(true);
                  }
                }
              } catch (IOException e) {
                // the process was killed
              }
              ready.complete(false);
            });
    reader.setDaemon(true);
    reader.start();
    assertThat(ready.get(2, TimeUnit.MINUTES)).as("the app started:\n%s", log).isTrue();
    return process;
  }

  private static long queryLong(AppStore store, String sql) throws Exception {
    try (Connection c = store.dataSource().getConnection();
        Statement st = c.createStatement();
        ResultSet rs = st.executeQuery(sql)) {
      rs.next();
      return rs.getLong(1);
    }
  }
}
