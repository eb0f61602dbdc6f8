package io.customerstudio.infra.store;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;

/**
 * The app for {@link AppStoreCrashTest}, in a JVM of its own so the test can kill it with SIGKILL:
 * starts the embedded app store on {@code args[0]}, commits {@code args[1]} rows, leaves one insert
 * uncommitted and one long statement running, prints {@code ready}, and waits for its stdin to
 * close.
 */
public final class CrashingApp {

  static final String READY = "crashing-app-ready";

  private CrashingApp() {}

  public static void main(String[] args) throws Exception {
    Path dataDir = Path.of(args[0]);
    int rows = Integer.parseInt(args[1]);
    AppStore store = AppStore.start(AppStoreTestSupport.embedded(dataDir, true));
    try (Connection c = store.dataSource().getConnection();
        Statement st = c.createStatement()) {
      st.execute("create table crash_probe (id int primary key, note text)");
      st.execute(
          "insert into crash_probe select g, 'committed' from generate_series(1, " + rows + ") g");
    }
    Connection open = store.dataSource().getConnection();
    open.setAutoCommit(false);
    try (Statement st = open.createStatement()) {
      st.execute("insert into crash_probe values (-1, 'never committed')");
    }
    Connection busy = store.dataSource().getConnection();
    Thread sleeper =
        new Thread(
            () -> {
              try (Statement st = busy.createStatement()) {
                // a statement the dead app never finishes: a smart shutdown would wait for it
                st.execute("select pg_sleep(" + Duration.ofHours(1).toSeconds() + ")");
              } catch (Exception e) {
                // the JVM is killed while this runs
              }
            });
    sleeper.setDaemon(true);
    sleeper.start();
    while (!sleeping(store)) {
      Thread.sleep(20);
    }
    System.out.println(READY);
    System.out.flush();
    while (System.in.read() != -1) {
      // the test closes stdin (or dies) when it is done with us
    }
    System.exit(0);
  }

  private static boolean sleeping(AppStore store) throws Exception {
    try (Connection c = store.dataSource().getConnection();
        Statement st = c.createStatement();
        var rs =
            st.executeQuery(
                "select count(*) from pg_stat_activity where query like 'select pg_sleep%'"
                    + " and state = 'active'")) {
      rs.next();
      return rs.getInt(1) > 0;
    }
  }
}
