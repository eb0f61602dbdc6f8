package io.customerstudio.activities.delivery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import io.customerstudio.activities.destinations.DeliveryRow;
import io.customerstudio.activities.destinations.RowOutcome;
import io.customerstudio.activities.destinations.WebhookConnector;
import io.customerstudio.infra.store.LeaseStore;
import io.customerstudio.query.testing.TestPostgres;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.jooq.SQLDialect;
import org.jooq.impl.DSL;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The delivery core against a local webhook sink and a real app store (for its leases): it rides
 * out an outage within the budget and fails with a sentence after it, pauses every request for a
 * Retry-After instead of storming, heartbeats while it waits, and never lets two attempts send the
 * same scope at once. Times are scaled down (a 2 s outage instead of 3 minutes); the mechanism is
 * the same.
 */
class DeliveryTest {

  static final Delivery.Timing FAST =
      new Delivery.Timing(Duration.ofMillis(100), Duration.ofSeconds(3), Duration.ofSeconds(1));

  static LeaseStore leases;

  HttpServer server;
  final ConcurrentLinkedQueue<Long> requestNanos = new ConcurrentLinkedQueue<>();
  final Map<String, AtomicInteger> accepted = new ConcurrentHashMap<>();
  volatile Function<Integer, int[]> answer = n -> new int[] {200, -1}; // status, retry-after s
  final AtomicInteger requests = new AtomicInteger();

  @BeforeAll
  static void appStore() {
    DataSource ds = TestPostgres.newDatabase("delivery");
    Flyway.configure().dataSource(ds).locations("classpath:db/migration").load().migrate();
    leases = new LeaseStore(DSL.using(ds, SQLDialect.POSTGRES));
  }

  @BeforeEach
  void sink() throws IOException {
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.setExecutor(java.util.concurrent.Executors.newFixedThreadPool(8));
    Pattern batch = Pattern.compile("\"batch\":(\\d+)");
    server.createContext(
        "/hook",
        exchange -> {
          String body =
              new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
          requestNanos.add(System.nanoTime());
          int[] a = answer.apply(requests.incrementAndGet());
          if (a[0] == 200) {
            Matcher m = batch.matcher(body);
            m.find();
            accepted
                .computeIfAbsent(
                    exchange.getRequestHeaders().getFirst("Idempotency-Key"),
                    k -> new AtomicInteger())
                .incrementAndGet();
          }
          if (a[1] >= 0) {
            exchange.getResponseHeaders().add("Retry-After", String.valueOf(a[1]));
          }
          exchange.sendResponseHeaders(a[0], -1);
          exchange.close();
        });
    server.start();
  }

  @AfterEach
  void stop() {
    server.stop(0);
  }

  DestinationRuntime runtime(Duration budget) {
    WebhookConnector c =
        new WebhookConnector(
            new WebhookConnector.Config(
                URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/hook"),
                Map.of(),
                10,
                1000),
            "whsec-0123456789abcdef",
            Clock.systemUTC());
    return new DestinationRuntime("crm-hook", "f", c, budget, Clock.systemUTC());
  }

  /** A plan of n batches of two rows, with an in-memory ledger. */
  record Run(Delivery.Plan plan, Set<Integer> ledger) {}

  static Run plan(String scope, int n) {
    Set<Integer> ledger = ConcurrentHashMap.newKeySet();
    List<BatchRef> batches = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      batches.add(new BatchRef(i, scope + "-" + i));
    }
    Delivery.Ledger l =
        new Delivery.Ledger() {
          @Override
          public Set<Integer> delivered() {
            return Set.copyOf(ledger);
          }

          @Override
          public void record(BatchRef b, List<DeliveryRow> rows, List<RowOutcome> rejected) {
            assertThat(ledger.add(b.number())).as("batch %s recorded once", b.number()).isTrue();
          }
        };
    return new Run(
        new Delivery.Plan(
            scope,
            "sync",
            scope,
            batches,
            b ->
                List.of(
                    new DeliveryRow(DeliveryRow.Op.UPSERT, b + "a", Map.of("n", b)),
                    new DeliveryRow(DeliveryRow.Op.UPSERT, b + "b", Map.of("n", b))),
            l),
        ledger);
  }

  @Test
  void anOutageShorterThanTheBudgetDelaysDeliveryWithoutDuplicatesOrAStorm() {
    long until = System.nanoTime() + Duration.ofSeconds(2).toNanos();
    answer = n -> System.nanoTime() < until ? new int[] {503, -1} : new int[] {200, -1};
    AtomicInteger beats = new AtomicInteger();
    Run run = plan("outage", 8);

    Delivery.Result r =
        new Delivery(leases, FAST)
            .deliver(run.plan(), runtime(Duration.ofMinutes(30)), "a#1", beats::incrementAndGet);

    assertThat(r.accepted()).isEqualTo(16);
    assertThat(run.ledger()).hasSize(8);
    assertThat(accepted.values()).hasSize(8).allSatisfy(c -> assertThat(c.get()).isEqualTo(1));
    // backoff from 1 s: each of the 4 parallel batches tried about twice in the 2 s outage
    assertThat(requests.get() - 8).isBetween(4, 20);
    assertThat(beats.get()).as("heartbeats while waiting").isGreaterThanOrEqualTo(10);
  }

  @Test
  void anOutageLongerThanTheBudgetFailsWithASentenceNamingTheDestinationAndTheLastError() {
    answer = n -> new int[] {503, -1};
    Run run = plan("down", 3);

    assertThatThrownBy(
            () ->
                new Delivery(leases, FAST)
                    .deliver(run.plan(), runtime(Duration.ofSeconds(2)), "a#1", () -> {}))
        .isInstanceOf(DestinationFailed.class)
        .hasMessageContaining("destination crm-hook has been failing for")
        .hasMessageContaining("its outage budget is 2 s")
        .hasMessageContaining("last error: HTTP 503")
        .hasMessageContaining("replay the run");
    assertThat(run.ledger()).isEmpty();
    assertThat(leases.acquire("down", "next#1", Duration.ofSeconds(5)))
        .as("a failed attempt releases its lease")
        .isTrue();
  }

  @Test
  void retryAfterPausesEveryRequestToTheDestinationNotOnlyTheOneThatGotIt() {
    answer = n -> n == 1 ? new int[] {429, 2} : new int[] {200, -1};
    Run run = plan("throttled", 8);
    long start = System.nanoTime();

    new Delivery(leases, FAST)
        .deliver(run.plan(), runtime(Duration.ofMinutes(30)), "a#1", () -> {});

    List<Long> at = new ArrayList<>(requestNanos);
    at.sort(Long::compare);
    long throttledAt = at.get(0);
    // the other three batches were already in flight with the first; nothing else went out in
    // the two seconds after the 429
    long early =
        at.stream()
            .filter(t -> t > throttledAt + Duration.ofMillis(200).toNanos())
            .filter(t -> t < throttledAt + Duration.ofMillis(1900).toNanos())
            .count();
    assertThat(early).isZero();
    assertThat(accepted.values()).hasSize(8).allSatisfy(c -> assertThat(c.get()).isEqualTo(1));
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThan(Duration.ofSeconds(2));
  }

  @Test
  void aSecondAttemptWaitsForTheFirstOnesLeaseBeforeSendingAnything() {
    Run run = plan("leased", 2);
    // an earlier attempt holds the lease and went silent: it expires after its TTL
    assertThat(leases.acquire("leased", "old#1", Duration.ofSeconds(2))).isTrue();
    long start = System.nanoTime();

    new Delivery(leases, FAST)
        .deliver(run.plan(), runtime(Duration.ofMinutes(30)), "new#2", () -> {});

    long firstRequest = requestNanos.stream().min(Long::compare).orElseThrow();
    assertThat(Duration.ofNanos(firstRequest - start)).isGreaterThan(Duration.ofMillis(1500));
    assertThat(run.ledger()).hasSize(2);
  }

  @Test
  void anAttemptWhoseHeartbeatFailsStopsStartingBatchesAndFinishesThoseInFlight() {
    answer = n -> new int[] {503, -1};
    Run run = plan("cancelled", 6);
    AtomicInteger beats = new AtomicInteger();
    Runnable heartbeat =
        () -> {
          if (beats.incrementAndGet() > 5) {
            throw new IllegalStateException("activity cancelled");
          }
        };

    assertThatThrownBy(
            () ->
                new Delivery(leases, FAST)
                    .deliver(run.plan(), runtime(Duration.ofMinutes(30)), "a#1", heartbeat))
        .isInstanceOf(DeliveryAborted.class);
    int sent = requests.get();
    answer = n -> new int[] {200, -1};
    // nothing more goes out from the stopped attempt, and its lease is free for the next
    assertThat(requests.get()).isEqualTo(sent);
    Run again = plan("cancelled", 6);
    new Delivery(leases, FAST)
        .deliver(again.plan(), runtime(Duration.ofMinutes(30)), "a#2", () -> {});
    assertThat(again.ledger()).hasSize(6);
  }
}
