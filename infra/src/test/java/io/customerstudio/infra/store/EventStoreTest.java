package io.customerstudio.infra.store;

import static io.customerstudio.infra.store.jooq.Tables.JOURNEY_EVENT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.customerstudio.query.testing.TestPostgres;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.flywaydb.core.Flyway;
import org.jooq.DSLContext;
import org.jooq.SQLDialect;
import org.jooq.impl.DSL;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The event stream on PostgreSQL: idempotent by event id, all or nothing, and seq order equal to
 * commit order under concurrent appends.
 */
class EventStoreTest {

  HikariDataSource dataSource;
  DSLContext db;
  EventStore events;

  @BeforeEach
  void migrate() {
    HikariConfig config = new HikariConfig();
    config.setJdbcUrl(TestPostgres.newDatabaseUrl("events"));
    config.setUsername("postgres");
    config.setMaximumPoolSize(12);
    dataSource = new HikariDataSource(config);
    Flyway.configure().dataSource(dataSource).locations("classpath:db/migration").load().migrate();
    db = DSL.using(dataSource, SQLDialect.POSTGRES);
    events = new EventStore(db, Clock.systemUTC());
  }

  @AfterEach
  void close() {
    dataSource.close();
  }

  static EventStore.NewEvent event(String id, String person) {
    return new EventStore.NewEvent(
        id, person, "add_to_cart", "{\"value\": 35.5}", Instant.parse("2026-12-01T10:00:00Z"));
  }

  @Test
  void theSameIdAgainIsADuplicateAndChangesNothing() {
    assertThat(events.append(List.of(event("e-1", "42"), event("e-2", "43")), null))
        .isEqualTo(new EventStore.Appended(2, 0));
    EventStore.NewEvent changed =
        new EventStore.NewEvent("e-1", "99", "other", null, Instant.parse("2027-01-01T00:00:00Z"));
    assertThat(events.append(List.of(changed, event("e-3", "44"), event("e-3", "44")), "shop"))
        .isEqualTo(new EventStore.Appended(1, 2));

    List<EventStore.Event> stored = events.recent(0, 10);
    assertThat(stored).extracting(EventStore.Event::eventId).containsExactly("e-3", "e-2", "e-1");
    EventStore.Event first = stored.get(2);
    assertThat(first.person()).isEqualTo("42");
    assertThat(first.type()).isEqualTo("add_to_cart");
    assertThat(first.properties()).isEqualTo("{\"value\": 35.5}");
    assertThat(first.occurredAt().toInstant()).isEqualTo(Instant.parse("2026-12-01T10:00:00Z"));
    assertThat(first.source()).isNull();
    assertThat(stored.get(0).source()).isEqualTo("shop");
    // seq follows the order of the batch
    assertThat(stored.get(1).seq()).isLessThan(stored.get(0).seq());
    assertThat(events.recent(1, 1)).extracting(EventStore.Event::eventId).containsExactly("e-2");
    assertThat(events.count()).isEqualTo(3);
  }

  @Test
  void aBatchTheDatabaseRefusesStoresNothing() {
    List<EventStore.NewEvent> batch =
        List.of(event("ok-1", "1"), event("ok-2", "2"), event("x".repeat(201), "3"));
    assertThatThrownBy(() -> events.append(batch, null))
        .isInstanceOf(org.jooq.exception.DataAccessException.class);
    assertThat(events.count()).isZero();
  }

  /**
   * Eight writers append while a reader polls: a seq below the highest one seen must never show up
   * later (the engine's cursor would skip it): a transaction that drew a lower seq but committed
   * later would break it, which the append lock rules out.
   */
  @Test
  void seqOrderIsCommitOrderUnderConcurrentAppends() throws Exception {
    int writers = 8;
    int appendsEach = 60;
    ExecutorService pool = Executors.newFixedThreadPool(writers + 1);
    AtomicBoolean writing = new AtomicBoolean(true);
    ConcurrentLinkedQueue<String> violations = new ConcurrentLinkedQueue<>();
    CountDownLatch start = new CountDownLatch(1);
    Future<Integer> reader =
        pool.submit(
            () -> {
              Set<Long> seen = new TreeSet<>();
              long max = 0;
              int polls = 0;
              while (true) {
                boolean last = !writing.get();
                List<Long> now = db.fetchValues(DSL.select(JOURNEY_EVENT.SEQ).from(JOURNEY_EVENT));
                for (Long seq : now) {
                  if (seen.add(seq) && seq < max) {
                    violations.add("seq " + seq + " appeared after " + max + " was seen");
                  }
                }
                for (Long seq : now) {
                  max = Math.max(max, seq);
                }
                polls++;
                if (last) {
                  return polls;
                }
              }
            });
    List<Future<?>> appends = new ArrayList<>();
    for (int w = 0; w < writers; w++) {
      int writer = w;
      appends.add(
          pool.submit(
              () -> {
                start.await();
                for (int i = 0; i < appendsEach; i++) {
                  List<EventStore.NewEvent> batch = new ArrayList<>();
                  for (int j = 0; j < 1 + (i % 4); j++) {
                    batch.add(event("w" + writer + "-" + i + "-" + j, String.valueOf(writer)));
                  }
                  events.append(batch, null);
                }
                return null;
              }));
    }
    start.countDown();
    for (Future<?> f : appends) {
      f.get(2, TimeUnit.MINUTES);
    }
    writing.set(false);
    int polls = reader.get(1, TimeUnit.MINUTES);
    pool.shutdown();

    assertThat(violations).isEmpty();
    assertThat(polls).isGreaterThan(1);
    long expected = (long) writers * (appendsEach / 4) * (1 + 2 + 3 + 4);
    assertThat(events.count()).isEqualTo(expected);
    // no gaps either: nothing was rolled back, so the seqs are dense
    Long max = db.select(DSL.max(JOURNEY_EVENT.SEQ)).from(JOURNEY_EVENT).fetchOne(0, Long.class);
    Long min = db.select(DSL.min(JOURNEY_EVENT.SEQ)).from(JOURNEY_EVENT).fetchOne(0, Long.class);
    assertThat(max - min + 1).isEqualTo(expected);
  }
}
