package io.customerstudio.app.journeys;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.customerstudio.app.ApiClient;
import io.customerstudio.app.CustomerStudioApplication;
import io.customerstudio.app.syncs.SyncSink;
import io.customerstudio.query.governance.Split;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.jooq.CloseableDSLContext;
import org.jooq.impl.DSL;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The journey crash drill: the real app in a JVM of its own (embedded PostgreSQL in a temporary
 * data directory, the in-process Temporal server, a small demo warehouse) runs a journey with a
 * wait, a branch, a split with a holdout and sends to two webhooks on a slow local sink, and is
 * killed with SIGKILL twice: once while everyone is waiting (their waits fall due while it is
 * down), once while a send request is in flight. After each restart on the same data directory (the
 * orphaned PostgreSQL is stopped by the app itself) the journey continues from the app store:
 * nobody is lost, everyone exits exactly once, every send is applied exactly once, and the waits
 * that fell due during the downtime fire after the restart.
 */
@Timeout(value = 6, unit = TimeUnit.MINUTES)
class JourneyCrashDrillTest {

  static final String PASSWORD = "crash-drill-admin-password";
  static final String SALT = "drill-1";

  static final String JOURNEY =
      """
      {"key": "drill", "name": "Crash drill", "parent": "users",
       "entry": {"type": "event", "eventType": "add_to_cart",
                 "where": [{"property": "value", "op": "gte", "value": 20}]},
       "reentry": {"policy": "never"},
       "start": "wait",
       "nodes": [
         {"id": "wait", "type": "wait", "duration": "PT10S", "next": "value"},
         {"id": "value", "type": "branch",
          "branches": [{"name": "high value", "next": "test",
                        "condition": {"type": "trait", "trait": "lifetime_value", "op": "gt", "value": 500}}],
          "else": "ads"},
         {"id": "test", "type": "split", "salt": "%s",
          "groups": [{"name": "email", "percent": 45, "next": "send-email"},
                     {"name": "email+ads", "percent": 45, "next": "send-both"},
                     {"name": "control", "percent": 10, "holdout": true}]},
         {"id": "send-email", "type": "send", "destination": "cart-esp",
          "identifier": {"from": "email", "to": "email"},
          "mapping": [{"from": "first_name", "to": "firstName"},
                      {"from": "event.properties.cart_url", "to": "cartUrl"}],
          "next": "done"},
         {"id": "send-both", "type": "send", "destination": "cart-ads",
          "identifier": {"from": "email", "to": "email"}, "mapping": [], "next": "send-email"},
         {"id": "ads", "type": "send", "destination": "cart-ads",
          "identifier": {"from": "email", "to": "email"}, "mapping": [], "next": "done"},
         {"id": "done", "type": "exit"}
       ]}"""
          .formatted(SALT);

  @TempDir Path dataDir;
  private SyncSink sink;
  private App app;
  private final List<String> logs = new ArrayList<>();

  /** The app's JVM, its ports and its output. */
  record App(Process process, int port, StringBuffer log) {}

  @AfterEach
  void stopEverything() throws Exception {
    if (app != null && app.process().isAlive()) {
      // a clean stop also stops the embedded PostgreSQL
      app.process().destroy();
      if (!app.process().waitFor(60, TimeUnit.SECONDS)) {
        app.process().destroyForcibly();
      }
    }
    stopOrphanedPostgres();
    if (sink != null) {
      sink.close();
    }
  }

  @Test
  void aJourneyKilledTwiceLosesNobodyAndSendsEachOnce() throws Exception {
    long t0 = System.nanoTime();
    sink = new SyncSink();
    sink.delay(200);
    app = start(1);
    ApiClient admin = admin();
    for (String hook : List.of("cart-esp", "cart-ads")) {
      var r =
          admin.post(
              "/api/v1/destinations",
              """
              {"key": "%s", "name": "%s", "type": "webhook",
               "config": {"url": "%s", "batchSize": 5, "requestsPerSecond": 1000,
                          "signingSecret": "%s"}}"""
                  .formatted(hook, hook, sink.url(), SyncSink.SECRET));
      assertThat(r.status()).as(r.body()).isEqualTo(201);
    }
    var created = admin.post("/api/v1/journeys", JOURNEY);
    assertThat(created.status()).as(created.body()).isEqualTo(201);
    var published = admin.post("/api/v1/journeys/drill/publish", "{}");
    assertThat(published.status()).as(published.body()).isEqualTo(200);

    // wave A: 60 people add to cart (and 5 carts too small, which enter nobody)
    List<String> waveA = people(1, 60);
    events(waveA, "a", 35);
    events(people(101, 5), "small", 5);
    // they enter at the wait, and the next batch of moves starts their wait
    await()
        .atMost(Duration.ofSeconds(60))
        .pollInterval(Duration.ofMillis(100))
        .conditionEvaluationListener(
            c -> {
              if (c.getRemainingTimeInMS() <= 200) {
                System.out.println("journey crash drill, state: " + state());
              }
            })
        .until(
            () ->
                count(
                        "select count(*) from journey_entry where journey_key = 'drill'"
                            + " and node = 'wait' and phase = 'wait'")
                    == 60);
    assertThat(count("select count(*) from journey_entry where journey_key = 'drill'"))
        .isEqualTo(60);

    // kill 1: everyone is waiting (PT10S: a step on a busy machine can take seconds)
    Instant entriesDue = latestWaitDue();
    kill();
    // the waits fall due while the app is down
    while (Instant.now().isBefore(entriesDue.plusSeconds(1))) {
      Thread.sleep(100);
    }
    Instant restart1 = Instant.now();
    app = start(2);
    Instant up1 = Instant.now();
    assertThat(entriesDue)
        .as("every wait of wave A fell due before the app was back")
        .isBefore(up1);

    // wave B enters while wave A's sends go out; kill 2 while a send request is in flight
    List<String> waveB = people(61, 40);
    events(waveB, "b", 50);
    await()
        .atMost(Duration.ofSeconds(60))
        .pollInterval(Duration.ofMillis(20))
        .until(() -> sink.inFlight() > 0 && sink.applied().size() >= 2);
    Map<String, Integer> receivedAtKill2 = sink.received();
    kill();
    app = start(3);

    // everyone exits
    await()
        .atMost(Duration.ofSeconds(120))
        .pollInterval(Duration.ofMillis(500))
        .until(
            () ->
                count(
                        "select count(*) from journey_entry where journey_key = 'drill'"
                            + " and node is null")
                    == 100);
    Duration took = Duration.ofNanos(System.nanoTime() - t0);

    try (CloseableDSLContext db = appStore()) {
      // nobody lost, nobody twice: one entry per person who added a large enough cart
      Set<String> entered =
          new HashSet<>(
              db.fetch("select person from journey_entry where journey_key = 'drill'")
                  .getValues(0, String.class));
      Set<String> expected = new HashSet<>(waveA);
      expected.addAll(waveB);
      assertThat(entered).isEqualTo(expected);
      assertThat(count("select count(*) from journey_entry where journey_key = 'drill'"))
          .isEqualTo(100);

      // everyone exited exactly once: one step without a next node per entry
      assertThat(
              db.fetch(
                      "select e.id, count(s.id) from journey_entry e left join journey_step s"
                          + " on s.entry_id = e.id and s.next is null"
                          + " where e.journey_key = 'drill' group by e.id having count(s.id) <> 1")
                  .map(r -> r.get(0) + ": " + r.get(1) + " exits"))
          .isEmpty();
      assertThat(
              count(
                  "select count(*) from journey_entry where journey_key = 'drill'"
                      + " and (exited_at is null or exit_reason is null)"))
          .isZero();

      // the waits that fell due during the downtime fired after the restart
      List<OffsetDateTime> waited =
          db.fetch(
                  "select s.at from journey_step s join journey_entry e on e.id = s.entry_id"
                      + " where e.journey_key = 'drill' and s.node = 'wait' and s.outcome = 'waited'"
                      + " and e.person = any(?::text[])",
                  (Object) waveA.toArray(String[]::new))
              .getValues(0, OffsetDateTime.class);
      assertThat(waited).hasSize(60);
      assertThat(waited).allMatch(at -> at.toInstant().isAfter(restart1), "after the restart");

      // the split put everyone in the group of the hash, crash or not
      db.fetch(
              "select e.person, s.outcome from journey_step s join journey_entry e"
                  + " on e.id = s.entry_id where e.journey_key = 'drill' and s.node = 'test'")
          .forEach(
              r ->
                  assertThat(r.get(1, String.class))
                      .as("split group of %s", r.get(0))
                      .isEqualTo(group(r.get(0, String.class))));
      assertThat(count("select count(*) from journey_holdout where journey_key = 'drill'"))
          .isEqualTo(
              count(
                  "select count(*) from journey_step s join journey_entry e on e.id = s.entry_id"
                      + " where e.journey_key = 'drill' and s.node = 'test' and s.next is null"));

      // each send was fixed once and applied by the destination exactly once
      assertThat(sink.violations()).isEmpty();
      Map<String, Integer> applied = new HashMap<>();
      sink.applied()
          .values()
          .forEach(
              a -> {
                String node = a.idempotencyKey().replaceAll("^journey-drill-v1-(.*)-\\d+$", "$1");
                a.rows().forEach(row -> applied.merge(node + "|" + row, 1, Integer::sum));
              });
      assertThat(applied).isNotEmpty();
      assertThat(applied.entrySet()).as("applied more than once").allMatch(e -> e.getValue() == 1);
      Set<String> sent =
          new HashSet<>(
              db.fetch(
                      "select node || '|upsert:' || row_key from journey_send"
                          + " where journey_key = 'drill' and status = 'sent'")
                  .getValues(0, String.class));
      assertThat(count("select count(*) from journey_send where journey_key = 'drill'"))
          .as("every send recorded as sent")
          .isEqualTo(sent.size());
      assertThat(applied.keySet()).isEqualTo(sent);

      // the counters (kept in the moves' transactions) say the same: 100 arrived at the start,
      // nobody is left at any node but the exit, where everyone who did not leave earlier is
      assertThat(
              count(
                  "select sum(n) from journey_count where journey_key = 'drill'"
                      + " and node = 'wait' and edge = ''"))
          .isEqualTo(100);
      assertThat(
              db.fetch(
                      "select node, sum(case when edge = '' then n else -n end) from journey_count"
                          + " where journey_key = 'drill' and node <> 'done' group by node"
                          + " having sum(case when edge = '' then n else -n end) <> 0")
                  .map(r -> r.get(0) + ": " + r.get(1) + " left inside"))
          .isEmpty();
      assertThat(
              count(
                  "select coalesce(sum(n), 0) from journey_count where journey_key = 'drill'"
                      + " and node = 'done' and edge = ''"))
          .isEqualTo(
              count(
                  "select count(*) from journey_entry where journey_key = 'drill'"
                      + " and exit_reason = 'exit'"));

      Map<String, Integer> repeated = new HashMap<>();
      sink.received()
          .forEach(
              (k, n) -> {
                if (n > 1) {
                  repeated.put(k, n);
                }
              });
      assertThat(repeated)
          .as("the request in flight at the second kill came again with its key after the restart")
          .isNotEmpty();
      System.out.println(
          "journey crash drill: "
              + took.toSeconds()
              + " s; entries 100, sends "
              + sent.size()
              + ", requests "
              + sink.received().values().stream().mapToInt(Integer::intValue).sum()
              + ", keys received more than once (acknowledged, not applied again) "
              + repeated
              + ", keys received before kill 2 "
              + receivedAtKill2.size());
    }
  }

  // ---- the app's JVM

  /** Starts the app on the data directory and waits until its API answers. */
  private App start(int n) throws Exception {
    int port = freePort();
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    ProcessBuilder pb =
        new ProcessBuilder(
                java,
                "-XX:TieredStopAtLevel=1",
                "-Xmx1g",
                "-cp",
                System.getProperty("java.class.path"),
                CustomerStudioApplication.class.getName())
            .redirectErrorStream(true);
    Map<String, String> env = pb.environment();
    env.put("STUDIO_DATA_DIR", dataDir.toString());
    env.put("STUDIO_ADMIN_PASSWORD", PASSWORD);
    env.put("STUDIO_DEMO_USERS", "2000");
    env.put("STUDIO_DEMO_ANCHOR", "2026-11-01T00:00:00Z");
    env.put("SERVER_PORT", Integer.toString(port));
    // a dead attempt's batches go to the next one within seconds, as in the other fault tests
    env.put("STUDIO_SYNC_HEARTBEAT_TIMEOUT", "PT4S");
    Process process = pb.start();
    StringBuffer log = new StringBuffer();
    Path logFile = Path.of("target", "crash-drill", "app-" + n + ".log");
    Files.createDirectories(logFile.getParent());
    Thread reader =
        new Thread(
            () -> {
              try (BufferedReader in =
                      new BufferedReader(
                          new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
                  PrintWriter out =
                      new PrintWriter(
                          Files.newBufferedWriter(logFile, StandardCharsets.UTF_8), true)) {
                for (String line = in.readLine(); line != null; line = in.readLine()) {
                  log.append(line).append('\n');
                  out.println(line);
                }
              } catch (IOException e) {
                // the process was killed
              }
            },
            "app-" + n + "-output");
    reader.setDaemon(true);
    reader.start();
    ApiClient admin = new ApiClient(port, "admin", PASSWORD);
    long started = System.nanoTime();
    await()
        .atMost(Duration.ofMinutes(2))
        .pollInterval(Duration.ofMillis(250))
        .failFast("the app died:\n" + tail(log), () -> !process.isAlive())
        .until(() -> answers(admin));
    logs.add(
        "start " + n + ": " + Duration.ofNanos(System.nanoTime() - started).toMillis() + " ms");
    System.out.println("journey crash drill: " + logs.get(logs.size() - 1));
    return new App(process, port, log);
  }

  private static boolean answers(ApiClient admin) {
    try {
      return admin.get("/api/v1/journeys").status() == 200;
    } catch (RuntimeException e) {
      return false;
    }
  }

  /** kill -9 of the app: its embedded PostgreSQL is left running, orphaned. */
  private Instant kill() throws Exception {
    long postgres = postmasterPid();
    Instant at = Instant.now();
    app.process().destroyForcibly();
    assertThat(app.process().waitFor(30, TimeUnit.SECONDS)).isTrue();
    assertThat(app.process().exitValue()).as("killed by SIGKILL").isEqualTo(137);
    assertThat(ProcessHandle.of(postgres).map(ProcessHandle::isAlive))
        .as("kill -9 leaves the app's PostgreSQL running")
        .contains(true);
    return at;
  }

  private static String tail(StringBuffer log) {
    return log.substring(Math.max(0, log.length() - 5000));
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }

  // ---- the app store, over JDBC to the app's embedded PostgreSQL

  private Path postgresDir() {
    return dataDir.resolve("postgres");
  }

  private long postmasterPid() throws IOException {
    return Long.parseLong(
        Files.readAllLines(postgresDir().resolve("postmaster.pid")).get(0).strip());
  }

  /** The embedded server's port is the fourth line of its postmaster.pid. */
  private CloseableDSLContext appStore() throws IOException {
    int port =
        Integer.parseInt(
            Files.readAllLines(postgresDir().resolve("postmaster.pid")).get(3).strip());
    return DSL.using("jdbc:postgresql://127.0.0.1:" + port + "/postgres", "postgres", "");
  }

  private int count(String sql) throws IOException {
    try (CloseableDSLContext db = appStore()) {
      return db.fetchOne(sql).get(0, Integer.class);
    }
  }

  /** Where everyone is, for a failure's message. */
  private String state() {
    try (CloseableDSLContext db = appStore()) {
      return db.fetch(
                  "select node, phase, count(*), min(due), max(due) from journey_entry"
                      + " where journey_key = 'drill' group by node, phase")
              .format()
          + db.fetch("select state, live_version, event_cursor from journey").format()
          + db.fetch("select count(*), max(seq) from journey_event").format();
    } catch (Exception e) {
      return e.toString();
    }
  }

  /** When the last of those waiting at the wait node falls due. */
  private Instant latestWaitDue() throws IOException {
    try (CloseableDSLContext db = appStore()) {
      return db.fetchOne(
              "select max(due) from journey_entry where journey_key = 'drill' and node = 'wait'")
          .get(0, OffsetDateTime.class)
          .toInstant();
    }
  }

  /** Add-to-cart events through the events door (which wakes the journey's workflow). */
  private void events(List<String> people, String prefix, int value) {
    StringBuilder body = new StringBuilder("{\"events\": [");
    for (int i = 0; i < people.size(); i++) {
      String p = people.get(i);
      body.append(i == 0 ? "" : ",")
          .append(
              """
              {"eventId": "%s-%s", "personKey": "%s", "type": "add_to_cart",
               "properties": {"value": %d, "cart_url": "https://shop/c/%s"}}"""
                  .formatted(prefix, p, p, value, p));
    }
    var r = admin().post("/api/v1/events", body.append("]}").toString());
    assertThat(r.status()).as(r.body()).isEqualTo(200);
    assertThat(r.json().get("accepted").asInt()).isEqualTo(people.size());
  }

  private ApiClient admin() {
    return new ApiClient(app.port(), "admin", PASSWORD);
  }

  private static List<String> people(int from, int n) {
    List<String> out = new ArrayList<>();
    for (int i = from; i < from + n; i++) {
      out.add(String.valueOf(i * 13));
    }
    return out;
  }

  private static String group(String person) {
    int b = Split.bucket("drill:test:" + SALT, person);
    return b < 4500 ? "email" : b < 9000 ? "email+ads" : "control";
  }

  /** Stops the PostgreSQL a failed test left running (only the one on this data directory). */
  private void stopOrphanedPostgres() throws Exception {
    Path pidFile = postgresDir().resolve("postmaster.pid");
    if (!Files.exists(pidFile)) {
      return;
    }
    long pid = postmasterPid();
    var handle = ProcessHandle.of(pid);
    if (handle.isEmpty()) {
      return;
    }
    boolean ours =
        handle.get().info().command().map(c -> c.endsWith("/postgres")).orElse(false)
            && Files.isSameFile(Path.of("/proc", Long.toString(pid), "cwd"), postgresDir());
    if (ours) {
      new ProcessBuilder("kill", "-INT", Long.toString(pid)).start().waitFor();
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
      while (handle.get().isAlive() && System.nanoTime() < deadline) {
        Thread.sleep(100);
      }
    }
  }
}
