package io.customerstudio.activities.sync;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.jooq.impl.DSL.field;
import static org.jooq.impl.DSL.name;
import static org.jooq.impl.DSL.table;

import io.customerstudio.activities.destinations.DeliveryRow;
import io.customerstudio.infra.store.SyncMode;
import io.customerstudio.infra.warehouse.WarehouseMigrations;
import io.customerstudio.query.testing.TestPostgres;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.jooq.DSLContext;
import org.jooq.Record;
import org.jooq.SQLDialect;
import org.jooq.Select;
import org.jooq.impl.DSL;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The warehouse side of a sync on a real PostgreSQL: rows are found changed by their hash (nulls
 * included), built as JSON only when sent, and the state moves by exactly what was accepted.
 */
class SyncTablesTest {

  javax.sql.DataSource ds;
  DSLContext db;
  RunTables tables;
  DeliveredState state;
  MembershipLog log;

  static final SyncSpec SPEC =
      new SyncSpec(
          SyncMode.MIRROR,
          List.of(new SyncSpec.Field("city", "city"), new SyncSpec.Field("ltv", "ltv")),
          new SyncSpec.Field("id", "id"));

  /** The engine under test; {@link DuckDbSyncTablesTest} runs every test on DuckDB. */
  SQLDialect dialect() {
    return SQLDialect.POSTGRES;
  }

  javax.sql.DataSource newWarehouse(String prefix) {
    return TestPostgres.newDatabase(prefix);
  }

  @BeforeEach
  void warehouse() {
    ds = newWarehouse("synctables");
    db = DSL.using(ds, dialect());
    db.execute("create table people (id bigint primary key, city text, ltv numeric(10, 2))");
    db.execute("insert into people values (1, 'Berlin', 10.50), (2, 'Paris', null), (3, null, 7)");
    WarehouseMigrations.apply(ds, List.of());
    tables = new RunTables(db);
    state = new DeliveredState(db);
    log = new MembershipLog(db);
  }

  static Select<Record> members() {
    return DSL.select(List.of(field(name("id")), field(name("city")), field(name("ltv"))))
        .from(table(name("people")));
  }

  /** One whole run: materialize, diff, send every batch as accepted, drop the run tables. */
  Map<String, List<DeliveryRow>> run(String runId, SyncSpec spec) {
    tables.materialize(runId, members(), "id", spec);
    RunTables.DiffCounts c = tables.diff(runId, "s", spec.mode(), true, spec);
    List<DeliveryRow> rows = tables.deliveryRows(runId, 0, c.total());
    state.advance(runId, "s", (int) Math.max(1, c.total()), List.of(0), List.of(), Instant.now());
    tables.dropRun(runId);
    return rows.stream().collect(Collectors.groupingBy(r -> r.op().json()));
  }

  @Test
  void aRunSendsWhatChangedByRowHashNullsIncludedAndMirrorRemovesWithTheLastFields() {
    Map<String, List<DeliveryRow>> first = run("r1", SPEC);
    assertThat(first.get("upsert")).hasSize(3);
    DeliveryRow berlin =
        first.get("upsert").stream().filter(r -> r.key().equals("1")).findFirst().orElseThrow();
    assertThat(berlin.fields()).containsEntry("city", "Berlin").containsEntry("ltv", 10.5);
    if (dialect() == SQLDialect.POSTGRES) {
      // jsonb keeps the numeric's scale in the text sent (DuckDB's JSON writes 10.5)
      assertThat(berlin.fieldsJson()).contains("\"ltv\": 10.50");
    }

    assertThat(run("r2", SPEC)).isEmpty();

    db.execute("update people set city = null where id = 1"); // a value becomes null
    db.execute("update people set city = '' where id = 3"); // null becomes empty: a change too
    db.execute("delete from people where id = 2");
    Map<String, List<DeliveryRow>> third = run("r3", SPEC);
    assertThat(third.get("upsert"))
        .extracting(DeliveryRow::key)
        .containsExactlyInAnyOrder("1", "3");
    assertThat(third.get("upsert").stream().filter(r -> r.key().equals("1")).findFirst())
        .get()
        .extracting(DeliveryRow::fields)
        .satisfies(f -> assertThat(f).containsEntry("city", null));
    DeliveryRow removed = third.get("delete").get(0);
    assertThat(removed.key()).isEqualTo("2");
    assertThat(removed.fields()).containsEntry("city", "Paris");

    assertThat(run("r4", SPEC)).isEmpty();
  }

  @Test
  void aMappingChangeSendsEveryRowAgainAndOneDuringARunStopsIt() {
    run("r1", SPEC);
    SyncSpec renamed =
        new SyncSpec(
            SyncMode.MIRROR,
            List.of(new SyncSpec.Field("city", "town"), new SyncSpec.Field("ltv", "ltv")),
            new SyncSpec.Field("id", "id"));
    Map<String, List<DeliveryRow>> again = run("r2", renamed);
    assertThat(again.get("upsert")).hasSize(3);
    assertThat(again.get("upsert").get(0).fields()).containsKey("town").doesNotContainKey("city");

    tables.materialize("r3", members(), "id", SPEC);
    assertThatThrownBy(() -> tables.diff("r3", "s", SyncMode.MIRROR, true, renamed))
        .isInstanceOf(SyncException.class)
        .hasMessageContaining("mapping changed while this run was going on");
  }

  @Test
  void aPerSyncStateOfAnEarlierVersionIsAdoptedByTheMigrationAndSentOnceIfItHadNoHashes() {
    javax.sql.DataSource old = TestPostgres.newDatabase("syncadopt");
    DSLContext o = DSL.using(old, SQLDialect.POSTGRES);
    o.execute("create table people (id bigint primary key, city text, ltv numeric(10, 2))");
    o.execute("insert into people values (1, 'Berlin', 10.50), (2, 'Paris', null), (3, null, 7)");
    // what an earlier version kept: the shared tables made on first use, a table per sync
    o.execute("create schema cs_sync");
    o.execute(
        "create table cs_sync.snapshot_member (snapshot_id bigint not null, member_key text not"
            + " null, primary key (snapshot_id, member_key))");
    String legacy = "cs_sync." + AdoptSyncStates.legacyTable("s");
    o.execute(
        "create table "
            + legacy
            + " (key text primary key, fields jsonb not null, run_id text not null,"
            + " synced_at timestamptz not null)");
    o.execute(
        "insert into "
            + legacy
            + " select id::text, jsonb_build_object('id', id, 'city', city, 'ltv', ltv), 'old', now()"
            + " from people");

    // V1 (tables), V2 (this adoption), V3 (governance's records), V4 (journeys' holdout log)
    assertThat(WarehouseMigrations.apply(old, List.of(new AdoptSyncStates(() -> List.of("s")))))
        .isEqualTo(4);
    assertThat(o.fetchValue("select to_regclass('" + legacy + "') is null")).isEqualTo(true);
    assertThat(o.fetchCount(table(name("cs_sync", "delivered_state")))).isEqualTo(3);
    // applied once: a second start runs nothing
    assertThat(WarehouseMigrations.apply(old, List.of(new AdoptSyncStates(() -> List.of("s")))))
        .isZero();

    db = o;
    tables = new RunTables(o);
    state = new DeliveredState(o);
    Map<String, List<DeliveryRow>> first = run("r1", SPEC);
    assertThat(first.get("upsert")).hasSize(3); // no hashes yet: sent once as changed
    assertThat(first.get("delete")).isNull();
    assertThat(run("r2", SPEC)).isEmpty();
  }

  @Test
  void anIdentifierSharedByTwoMembersIsSentOnceForTheLowerMemberAndNoneIsSentWithout() {
    db.execute("insert into people values (4, 'Berlin', 99), (10, 'Berlin', 1)");
    SyncSpec byCity =
        new SyncSpec(
            SyncMode.UPSERT,
            List.of(new SyncSpec.Field("ltv", "ltv")),
            new SyncSpec.Field("city", "city"));
    tables.materialize("r1", members(), "id", byCity);
    RunTables.DiffCounts c = tables.diff("r1", "s", SyncMode.UPSERT, false, byCity);
    List<DeliveryRow> rows = tables.deliveryRows("r1", 0, c.total());

    // Berlin: members 1, 4 and 10 share it, member "1" is the lowest key; member 3 has no city
    assertThat(rows).extracting(DeliveryRow::key).containsExactlyInAnyOrder("Berlin", "Paris");
    assertThat(
            rows.stream().filter(r -> r.key().equals("Berlin")).findFirst().orElseThrow().fields())
        .containsEntry("ltv", 10.5);
  }

  @Test
  void membershipLogsWhoEnteredAndLeftAndAnswersWhoWasInAtATime() {
    Instant t1 = Instant.parse("2026-11-01T10:00:00Z");
    Instant t2 = Instant.parse("2026-11-02T10:00:00Z");
    tables.materialize("r1", members(), "id", SPEC);
    assertThat(log.recordMembership("vip", 1, "r1", RunTables.runTable("r1"), t1))
        .containsExactly(3, 0);

    db.execute("delete from people where id = 2");
    db.execute("insert into people values (4, 'Rome', 5)");
    tables.materialize("r2", members(), "id", SPEC);
    assertThat(log.recordMembership("vip", 2, "r2", RunTables.runTable("r2"), t2))
        .containsExactly(1, 1);
    // a retried step records nothing twice
    assertThat(log.recordMembership("vip", 2, "r2", RunTables.runTable("r2"), t2))
        .containsExactly(0, 0);

    assertThat(log.membershipAt("vip", t1.plusSeconds(1), 0, 10))
        .extracting(MembershipLog.Membership::member)
        .containsExactly("1", "2", "3");
    assertThat(log.membershipAt("vip", t2, 0, 10))
        .extracting(m -> m.member() + "@v" + m.version())
        .containsExactly("1@v1", "3@v1", "4@v2");
    assertThat(log.membershipCountAt("vip", t1.minusSeconds(1))).isZero();
  }

  @Test
  void aLateEvaluationOfASecondSyncOrAReplayIsNotLoggedAfterANewerOne() {
    Instant t1 = Instant.parse("2026-11-01T10:00:00Z");
    Instant t2 = Instant.parse("2026-11-01T10:05:00Z");
    Instant t3 = Instant.parse("2026-11-01T10:10:00Z");
    // sync A evaluates at t1 with members 1, 2, 3
    tables.materialize("a1", members(), "id", SPEC);
    // member 2 leaves; sync B evaluates at t2 and logs first
    db.execute("delete from people where id = 2");
    tables.materialize("b1", members(), "id", SPEC);
    assertThat(log.recordMembership("vip", 1, "b1", RunTables.runTable("b1"), t2))
        .containsExactly(2, 0);
    // A's older evaluation arrives late (a slow run, or a replay): it must not log 2 entering
    // after B saw it gone, nor put B's state under A's time
    assertThat(log.recordMembership("vip", 1, "a1", RunTables.runTable("a1"), t1))
        .containsExactly(0, 0);
    assertThat(log.membershipAt("vip", t3, 0, 10))
        .extracting(MembershipLog.Membership::member)
        .containsExactly("1", "3");
    assertThat(log.membershipCountAt("vip", t1.plusSeconds(1))).isZero();
    // entries are ordered by the evaluations that observed them
    assertThat(
            db.fetch(
                    "select distinct run_id, \"at\" from cs_sync.membership_log where audience_key ="
                        + " 'vip' order by \"at\"")
                .map(r -> r.get(0, String.class)))
        .containsExactly("b1");
  }

  @Test
  void rejectedRowsStayOutOfTheStateAndAreSentNextRun() {
    tables.materialize("r1", members(), "id", SPEC);
    RunTables.DiffCounts c = tables.diff("r1", "s", SyncMode.MIRROR, true, SPEC);
    state.advance("r1", "s", (int) c.total(), List.of(0), List.of("2"), Instant.now());
    tables.dropRun("r1");

    assertThat(run("r2", SPEC).get("upsert")).extracting(DeliveryRow::key).containsExactly("2");
  }
}
