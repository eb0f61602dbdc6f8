package io.customerstudio.infra.store;

import static org.assertj.core.api.Assertions.assertThat;

import io.customerstudio.query.testing.TestPostgres;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.jooq.DSLContext;
import org.jooq.SQLDialect;
import org.jooq.impl.DSL;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Where a schedule stands, on PostgreSQL: its anchor moves only on a real change of the schedule or
 * on enabling the sync, the last tick only forward, and the migration fills both in for syncs that
 * existed before.
 */
class SyncStoreTest {

  /** A clock the test moves by hand. */
  static final class Hands extends Clock {
    Instant now = Instant.parse("2026-12-01T10:00:00Z");

    void advance(Duration d) {
      now = now.plus(d);
    }

    @Override
    public ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
      return this;
    }

    @Override
    public Instant instant() {
      return now;
    }
  }

  static final String HOURLY = "{\"type\":\"interval\",\"every\":\"PT1H\"}";

  final Hands clock = new Hands();
  DataSource dataSource;
  SyncStore syncs;
  RunStore runs;

  @BeforeEach
  void migrate() {
    dataSource = TestPostgres.newDatabase("syncstore");
    Flyway.configure().dataSource(dataSource).locations("classpath:db/migration").load().migrate();
    DSLContext db = DSL.using(dataSource, SQLDialect.POSTGRES);
    syncs = new SyncStore(db, clock);
    runs = new RunStore(db, clock);
  }

  static SyncStore.Draft draft(String schedule, boolean enabled) {
    return new SyncStore.Draft(
        "S", "vip", "crm", SyncMode.UPSERT, "[]", "{}", schedule, enabled, false);
  }

  Instant anchor(String key) {
    return syncs.find(key).orElseThrow().scheduleAnchor().toInstant();
  }

  @Test
  void theAnchorMovesOnlyWithARealChangeOfTheScheduleOrAnEnable() {
    Instant created = clock.now;
    syncs.create("s", draft(HOURLY, true), "sealed", "ann");
    assertThat(anchor("s")).isEqualTo(created);
    assertThat(syncs.find("s").orElseThrow().lastTickAt()).isNull();

    clock.advance(Duration.ofMinutes(10));
    syncs.update("s", draft(HOURLY, true), "ann"); // saved again, other settings or none changed
    assertThat(anchor("s")).isEqualTo(created);

    clock.advance(Duration.ofMinutes(10));
    Instant edited = clock.now;
    syncs.update("s", draft("{\"type\":\"interval\",\"every\":\"PT2H\"}", true), "ann");
    assertThat(anchor("s")).isEqualTo(edited);

    clock.advance(Duration.ofMinutes(10));
    syncs.setEnabled("s", false, "ann");
    assertThat(anchor("s")).isEqualTo(edited);
    syncs.setEnabled("s", true, "ann");
    Instant enabled = clock.now;
    assertThat(anchor("s")).isEqualTo(enabled);
    clock.advance(Duration.ofMinutes(10));
    syncs.setEnabled("s", true, "ann"); // already enabled: nothing owed was skipped
    assertThat(anchor("s")).isEqualTo(enabled);

    clock.advance(Duration.ofMinutes(10));
    syncs.update("s", draft("{\"type\":\"interval\",\"every\":\"PT2H\"}", false), "ann");
    assertThat(anchor("s")).isEqualTo(enabled);
    clock.advance(Duration.ofMinutes(10));
    Instant reenabled = clock.now;
    syncs.update("s", draft("{\"type\":\"interval\",\"every\":\"PT2H\"}", true), "ann");
    assertThat(anchor("s")).isEqualTo(reenabled);
  }

  @Test
  void aTickIsRecordedAndOnlyMovesForward() {
    syncs.create("s", draft(HOURLY, true), "sealed", "ann");
    clock.advance(Duration.ofHours(1));
    Instant tick = clock.now;
    syncs.recordTick("s");
    assertThat(syncs.find("s").orElseThrow().lastTickAt().toInstant()).isEqualTo(tick);
    clock.now = tick.minus(Duration.ofMinutes(5)); // a retry seen through a clock behind
    syncs.recordTick("s");
    assertThat(syncs.find("s").orElseThrow().lastTickAt().toInstant()).isEqualTo(tick);
    syncs.recordTick("gone"); // no such sync: nothing happens
  }

  @Test
  void theMigrationTakesTheLastScheduledRunAsTheLastTick() {
    DataSource before = TestPostgres.newDatabase("syncstore_v4");
    Flyway.configure()
        .dataSource(before)
        .locations("classpath:db/migration")
        .target("4")
        .load()
        .migrate();
    DSLContext db = DSL.using(before, SQLDialect.POSTGRES);
    OffsetDateTime at = OffsetDateTime.parse("2026-11-30T08:00:00Z");
    for (String key : new String[] {"ticked", "never"}) {
      db.execute(
          "insert into sync values (?, 'S', 'vip', 'crm', 'upsert', '[]', '{}', ?, true, false,"
              + " 'sealed', 'ann', ?, 'ann', ?)",
          key,
          HOURLY,
          at,
          at);
    }
    String run =
        "insert into sync_run (run_id, sync_key, run_trigger, status, attempts, phases, queued_at)"
            + " values (?, 'ticked', ?, 'succeeded', 1, '[]', ?)";
    db.execute(run, "r1", "schedule", at.plusHours(1));
    db.execute(run, "r2", "schedule", at.plusHours(2));
    db.execute(run, "r3", "manual", at.plusHours(3));

    Instant migrated = Instant.now();
    Flyway.configure().dataSource(before).locations("classpath:db/migration").load().migrate();
    SyncStore after = new SyncStore(db, clock);
    SyncStore.Sync ticked = after.find("ticked").orElseThrow();
    assertThat(ticked.lastTickAt().toInstant()).isEqualTo(at.plusHours(2).toInstant());
    assertThat(ticked.scheduleAnchor()).isEqualTo(ticked.lastTickAt());
    SyncStore.Sync never = after.find("never").orElseThrow();
    assertThat(never.lastTickAt()).isNull();
    // never ticked: it counts from the upgrade, as it counted from every start before
    assertThat(never.scheduleAnchor().toInstant())
        .isBetween(migrated.minusSeconds(60), Instant.now().plusSeconds(60));
  }
}
