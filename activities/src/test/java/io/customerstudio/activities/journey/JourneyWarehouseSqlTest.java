package io.customerstudio.activities.journey;

import static org.assertj.core.api.Assertions.assertThat;

import io.customerstudio.infra.warehouse.Warehouse;
import io.customerstudio.infra.warehouse.WarehouseMigrations;
import io.customerstudio.query.testing.TestDuckDb;
import io.customerstudio.query.testing.TestPostgres;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.jooq.DSLContext;
import org.jooq.SQLDialect;
import org.jooq.impl.DSL;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The journey engine's own SQL on the warehouse ({@link JourneyWarehouseSql}), on PostgreSQL and on
 * DuckDB: the holdout copy from the app store (always PostgreSQL) into {@code
 * cs_logs.journey_holdouts}, and the members table the governance check joins.
 */
class JourneyWarehouseSqlTest {

  static DSLContext app;

  @BeforeAll
  static void appStore() {
    DataSource ds = TestPostgres.newDatabase("journeysql");
    Flyway.configure().dataSource(ds).locations("classpath:db/migration").load().migrate();
    app = DSL.using(ds, SQLDialect.POSTGRES);
  }

  static DSLContext warehouse(String engine) {
    if (engine.equals("postgres")) {
      DataSource ds = TestPostgres.newDatabase("journeywh");
      WarehouseMigrations.apply(ds, List.of());
      return DSL.using(ds, SQLDialect.POSTGRES);
    }
    DataSource ds = TestDuckDb.newDatabase("journeywh");
    WarehouseMigrations.apply(Warehouse.over(ds, SQLDialect.DUCKDB, "test"), List.of());
    return DSL.using(ds, SQLDialect.DUCKDB);
  }

  void journey(String key) {
    app.execute(
        "insert into journey (journey_key, name, parent_model, state, draft, created_by,"
            + " created_at, updated_by, updated_at) values (?, ?, 'users', 'live', '{}', 't', now(),"
            + " 't', now())",
        key,
        key);
  }

  void holdouts(String key, int from, int to) {
    for (int i = from; i < to; i++) {
      app.execute(
          "insert into journey_holdout (journey_key, version, node, grp, person, entry_id, at)"
              + " values (?, 1, 'test', 'control', ?, ?, ?)",
          key,
          "p'" + i + " ü",
          i,
          OffsetDateTime.of(2026, 12, 2, 10, 0, 0, i * 1000, ZoneOffset.UTC));
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"postgres", "duckdb"})
  void holdoutsAreCopiedOnceEachAndACopyResumesAfterTheLastId(String engine) {
    DSLContext wh = warehouse(engine);
    String key = "hold-" + engine;
    journey(key);
    holdouts(key, 0, 25);
    HoldoutCopy copy = new HoldoutCopy(app, wh, WarehouseMigrations.LOG_SCHEMA);
    copy.copy(key);
    holdouts(key, 25, 40);
    copy.copy(key);
    // a new copier (a restarted worker) starts from the warehouse's newest id and adds nothing
    new HoldoutCopy(app, wh, WarehouseMigrations.LOG_SCHEMA).copy(key);
    // rows the warehouse already has are skipped, not duplicated nor failed
    JourneyWarehouseSql.insertHoldouts(
        wh,
        DSL.name(WarehouseMigrations.LOG_SCHEMA, "journey_holdouts"),
        key,
        app.fetch(
                "select id, version, node, grp, person, at from journey_holdout"
                    + " where journey_key = ? order by id limit 3",
                key)
            .map(JourneyWarehouseSql.Holdout::of));

    var inApp =
        app.fetch("select person, at from journey_holdout where journey_key = ? order by id", key);
    var inWarehouse =
        wh.select(
                DSL.field(DSL.name("person_key"), String.class),
                DSL.field(DSL.name("held_at"), OffsetDateTime.class))
            .from(DSL.table(DSL.name(WarehouseMigrations.LOG_SCHEMA, "journey_holdouts")))
            .where(DSL.field(DSL.name("journey_key"), String.class).eq(key))
            .orderBy(DSL.field(DSL.name("holdout_id")))
            .fetch();
    assertThat(inWarehouse).hasSize(40);
    for (int i = 0; i < 40; i++) {
      assertThat(inWarehouse.get(i).value1()).isEqualTo(inApp.get(i).get(0, String.class));
      assertThat(inWarehouse.get(i).value2().toInstant())
          .isEqualTo(inApp.get(i).get(1, OffsetDateTime.class).toInstant());
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"postgres", "duckdb"})
  void theMembersTableHoldsEachKeyAsText(String engine) {
    DSLContext wh = warehouse(engine);
    List<String> keys = new ArrayList<>(List.of("1", "o'neil", "\"q\"", "ü-∑", "a,b", "{x}"));
    for (int i = 0; i < 5000; i++) {
      keys.add("k" + i);
    }
    var members = JourneyWarehouseSql.members(wh, keys, "jm");
    Set<String> back =
        new TreeSet<>(
            wh.select(members.field("member", String.class))
                .from(members)
                .fetch()
                .getValues(0, String.class));
    assertThat(back).isEqualTo(new TreeSet<>(keys));
    assertThat(JourneyWarehouseSql.members(wh, List.of(), "jm")).isNotNull();
    assertThat(wh.fetchCount(JourneyWarehouseSql.members(wh, List.of(), "jm"))).isZero();
  }

  @ParameterizedTest
  @ValueSource(strings = {"postgres", "duckdb"})
  void aCopyOfSeveralChunksTakesEveryRowOnce(String engine) {
    DSLContext wh = warehouse(engine);
    String key = "many-" + engine;
    journey(key);
    int n = 25_000;
    app.execute(
        "insert into journey_holdout (journey_key, version, node, grp, person, entry_id, at)"
            + " select ?, 1, 'test', 'control', 'p' || i, i,"
            + " timestamptz '2026-12-02 10:00:00+00' + i * interval '1 second'"
            + " from generate_series(1, ?) as i",
        key,
        n);
    long t0 = System.nanoTime();
    new HoldoutCopy(app, wh, WarehouseMigrations.LOG_SCHEMA).copy(key);
    long ms = (System.nanoTime() - t0) / 1_000_000;
    System.out.printf("holdout copy of %d rows into %s: %d ms%n", n, engine, ms);
    assertThat(
            wh.fetchCount(
                DSL.selectDistinct(DSL.field(DSL.name("person_key")))
                    .from(DSL.table(DSL.name(WarehouseMigrations.LOG_SCHEMA, "journey_holdouts")))
                    .where(DSL.field(DSL.name("journey_key"), String.class).eq(key))))
        .isEqualTo(n);
  }
}
