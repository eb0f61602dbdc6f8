package io.customerstudio.activities.journey;

import static org.assertj.core.api.Assertions.assertThat;

import io.customerstudio.activities.delivery.Delivery;
import io.customerstudio.activities.delivery.DestinationRuntimes;
import io.customerstudio.activities.governance.Policies;
import io.customerstudio.infra.secrets.SecretBox;
import io.customerstudio.infra.store.AudienceStore;
import io.customerstudio.infra.store.ConsentStore;
import io.customerstudio.infra.store.DestinationStore;
import io.customerstudio.infra.store.JourneyStore;
import io.customerstudio.infra.store.LeaseStore;
import io.customerstudio.infra.store.PriorityListStore;
import io.customerstudio.infra.store.SchemaStore;
import io.customerstudio.infra.store.SplitStore;
import io.customerstudio.infra.store.SubsetCategoryStore;
import io.customerstudio.infra.store.SyncStore;
import io.customerstudio.infra.store.TemplateStore;
import io.customerstudio.infra.store.UserStore;
import io.customerstudio.infra.warehouse.Warehouse;
import io.customerstudio.infra.warehouse.WarehouseMigrations;
import io.customerstudio.infra.workspace.Workspace;
import io.customerstudio.query.governance.Split;
import io.customerstudio.query.testing.TestDuckDb;
import io.customerstudio.query.testing.TestPostgres;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.jooq.DSLContext;
import org.jooq.SQLDialect;
import org.jooq.impl.DSL;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The journey engine's warehouse questions on PostgreSQL and on DuckDB: one simulation (the
 * engine's own code over the app store, which is PostgreSQL either way) of a journey whose branch
 * is an aggregation trait, whose split hashes person keys and whose exit criterion is a condition,
 * over the same small warehouse on each engine. Both must give the counts computed here by hand, so
 * the same people take the same branch and land in the same split group on either engine.
 */
class JourneyEngineOnBothWarehousesTest {

  static final String SCHEMA =
      """
      {"models": [
         {"name": "users", "kind": "parent", "source": {"table": "shop.users"},
          "primaryKey": "user_id", "label": "email"},
         {"name": "purchases", "kind": "related", "source": {"table": "shop.purchases"},
          "primaryKey": "purchase_id"}],
       "relationships": [
         {"name": "purchases", "from": "users", "to": "purchases",
          "cardinality": "one_to_many", "on": [["user_id", "user_id"]]}],
       "traits": [
         {"name": "lifetime_value", "model": "users", "kind": "aggregation",
          "relationship": "purchases", "function": "sum", "column": "amount",
          "where": {"type": "property", "column": "status", "op": "eq", "value": "paid"}}]}""";

  static final String JOURNEY =
      """
      {"key": "both", "name": "Both engines", "parent": "users",
       "entry": {"type": "event", "eventType": "add_to_cart"},
       "exitCriteria": [{"condition": {"type": "property", "column": "tier", "op": "eq",
                                       "value": "banned"}}],
       "start": "wait",
       "nodes": [
         {"id": "wait", "type": "wait", "duration": "PT2H", "next": "value"},
         {"id": "value", "type": "branch",
          "branches": [{"name": "high value", "next": "test",
                        "condition": {"type": "trait", "trait": "lifetime_value", "op": "gt",
                                      "value": 500}}],
          "else": "low"},
         {"id": "test", "type": "split", "salt": "both-2026-12",
          "groups": [{"name": "a", "percent": 45, "next": "send-a"},
                     {"name": "b", "percent": 45, "next": "done-b"},
                     {"name": "control", "percent": 10, "holdout": true}]},
         {"id": "send-a", "type": "send", "destination": "both-hook",
          "identifier": {"from": "email", "to": "email"},
          "mapping": [{"from": "tier", "to": "tier"}], "next": "done-a"},
         {"id": "low", "type": "exit"},
         {"id": "done-a", "type": "exit"},
         {"id": "done-b", "type": "exit"}
       ]}""";

  static final int USERS = 300;
  static final int RULE_FROM = 150;
  static final Instant FROM = Instant.parse("2026-12-01T09:00:00Z");

  static DataSource appDs;
  static DSLContext app;
  static SecretBox box;

  @BeforeAll
  static void appStore() throws Exception {
    box = SecretBox.open(null, Files.createTempDirectory("cs-journey-secret"), false);
    appDs = TestPostgres.newDatabase("journeyboth");
    Flyway.configure().dataSource(appDs).locations("classpath:db/migration").load().migrate();
    app = DSL.using(appDs, SQLDialect.POSTGRES);
  }

  static boolean banned(int id) {
    return id % 17 == 0;
  }

  /** Paid purchases over 500 for every third user; big but pending ones for every fifth. */
  static void fill(DSLContext wh) {
    wh.execute("create schema shop");
    wh.execute(
        "create table shop.users (user_id bigint primary key, email varchar(200),"
            + " tier varchar(20))");
    wh.execute(
        "create table shop.purchases (purchase_id bigint primary key, user_id bigint,"
            + " amount numeric(10, 2), status varchar(20))");
    long purchase = 0;
    for (int id = 1; id <= USERS; id++) {
      wh.insertInto(DSL.table(DSL.name("shop", "users")))
          .values(id, "u" + id + "@example.com", banned(id) ? "banned" : "regular")
          .execute();
      if (id % 3 == 0) {
        wh.insertInto(DSL.table(DSL.name("shop", "purchases")))
            .values(++purchase, id, new BigDecimal("300.25"), "paid")
            .execute();
        wh.insertInto(DSL.table(DSL.name("shop", "purchases")))
            .values(++purchase, id, new BigDecimal("200.00"), "paid")
            .execute();
      } else if (id % 5 == 0) {
        wh.insertInto(DSL.table(DSL.name("shop", "purchases")))
            .values(++purchase, id, new BigDecimal("900.00"), "pending")
            .execute();
      }
    }
  }

  /** The engine as the app builds it, over the shared app store and this warehouse. */
  static JourneyEngine engine(Warehouse warehouse) throws Exception {
    return engine(warehouse, JourneyEngine.Limits.DEFAULT);
  }

  static JourneyEngine engine(Warehouse warehouse, JourneyEngine.Limits limits) throws Exception {
    Clock clock = Clock.systemUTC();
    SchemaStore schemas = new SchemaStore(app, clock);
    if (schemas.current().isEmpty()) {
      schemas.save(SCHEMA, "test");
    }
    AudienceStore audiences = new AudienceStore(app, clock);
    Workspace workspace =
        new Workspace(schemas, audiences, new TemplateStore(app, clock), warehouse);
    DestinationStore destinations = new DestinationStore(app, clock);
    if (destinations.create(
        "both-hook",
        new DestinationStore.Draft(
            "Hook",
            "webhook",
            "{\"url\": \"http://127.0.0.1:9/none\", \"batchSize\": 50}",
            "{\"signingSecret\": \"" + box.seal("a-signing-secret-of-the-test") + "\"}"),
        "test")) {
      // the governance check on the warehouse: people from RULE_FROM on are excluded by rule
      destinations.setRuleAndPurposes(
          "both-hook",
          "{\"type\": \"property\", \"column\": \"user_id\", \"op\": \"lt\", \"value\": "
              + RULE_FROM
              + "}",
          null);
    }
    Policies policies =
        new Policies(
            new SplitStore(app, clock),
            new ConsentStore(app, clock),
            destinations,
            new SyncStore(app, clock),
            audiences,
            new PriorityListStore(app, clock),
            new SubsetCategoryStore(app, clock),
            new UserStore(app, clock));
    return JourneyEngine.create(
        app,
        warehouse.dsl(),
        "cs_logs",
        new JourneyStore(app, clock),
        workspace,
        policies,
        destinations,
        new DestinationRuntimes(
            box, Files.createTempDirectory("cs-journey-exports"), Duration.ofMinutes(5), clock),
        new Delivery(new LeaseStore(app), Delivery.Timing.DEFAULT),
        limits);
  }

  static JourneyEngine.Simulation simulate(Warehouse warehouse) throws Exception {
    fill(warehouse.dsl());
    JourneyEngine engine = engine(warehouse);
    List<String> people = new ArrayList<>();
    for (int id = 1; id <= USERS; id++) {
      people.add(String.valueOf(id));
    }
    // once to warm the engine's caches (catalog, compiled conditions), once measured
    engine.simulate(
        "both", "test", JourneyEngine.read(JOURNEY), people, List.of(), FROM, Duration.ofHours(6));
    long t0 = System.nanoTime();
    JourneyEngine.Simulation s =
        engine.simulate(
            "both",
            "test",
            JourneyEngine.read(JOURNEY),
            people,
            List.of(),
            FROM,
            Duration.ofHours(6));
    System.out.printf(
        "journey simulation of %d people on %s: %d ms%n",
        USERS, warehouse.dialect(), (System.nanoTime() - t0) / 1_000_000);
    return s;
  }

  static Map<String, JourneyEngine.NodeCount> nodes(JourneyEngine.Simulation s) {
    Map<String, JourneyEngine.NodeCount> out = new HashMap<>();
    s.nodes().forEach(n -> out.put(n.id(), n));
    return out;
  }

  @Test
  void theSameSimulationGivesTheSameCountsOnPostgresAndDuckDb() throws Exception {
    // expected by hand: who passes the exit criterion, who is of high value, each one's group
    long stay = 0;
    long high = 0;
    Map<String, Long> groups = new HashMap<>();
    long sent = 0;
    long ruled = 0;
    for (int id = 1; id <= USERS; id++) {
      if (banned(id)) {
        continue;
      }
      stay++;
      if (id % 3 == 0) {
        high++;
        int b = Split.bucket("both:test:both-2026-12", String.valueOf(id));
        groups.merge(b < 4500 ? "send-a" : b < 9000 ? "done-b" : "exit:holdout", 1L, Long::sum);
        if (b < 4500) {
          if (id < RULE_FROM) {
            sent++;
          } else {
            ruled++;
          }
        }
      }
    }

    DataSource pg = TestPostgres.newDatabase("journeybothwh");
    JourneyEngine.Simulation onPostgres =
        simulate(Warehouse.over(pg, SQLDialect.POSTGRES, "test PostgreSQL"));
    DataSource duck = TestDuckDb.newDatabase("journeyboth");
    JourneyEngine.Simulation onDuckDb =
        simulate(Warehouse.over(duck, SQLDialect.DUCKDB, "test DuckDB"));
    System.out.println("journey simulation on PostgreSQL: " + onPostgres);
    System.out.println("journey simulation on DuckDB:     " + onDuckDb);

    for (JourneyEngine.Simulation s : List.of(onPostgres, onDuckDb)) {
      Map<String, JourneyEngine.NodeCount> n = nodes(s);
      assertThat(s.entered()).isEqualTo(USERS);
      assertThat(n.get("value").entered()).isEqualTo(stay);
      assertThat(n.get("value").left().get("test")).isEqualTo(high);
      assertThat(n.get("value").left().get("low")).isEqualTo(stay - high);
      assertThat(n.get("wait").left().get("exit:exit_criteria")).isEqualTo(USERS - stay);
      assertThat(n.get("test").left()).isEqualTo(groups);
      assertThat(s.sends()).isEqualTo(Map.of("both-hook", sent));
      assertThat(s.notSent().values().stream().mapToLong(Long::longValue).sum()).isEqualTo(ruled);
    }
    assertThat(onDuckDb.nodes()).containsExactlyInAnyOrderElementsOf(onPostgres.nodes());
    assertThat(onDuckDb.notSent()).isEqualTo(onPostgres.notSent());
  }

  static final String AUDIENCE_JOURNEY =
      """
      {"key": "KEY", "name": "Audience entry", "parent": "users",
       "entry": {"type": "audience", "audience": "valuable", "every": "PT1H"},
       "start": "test",
       "nodes": [
         {"id": "test", "type": "split", "salt": "entry-2026-12",
          "groups": [{"name": "a", "percent": 60, "next": "done"},
                     {"name": "control", "percent": 40, "holdout": true}]},
         {"id": "done", "type": "exit"}
       ]}""";

  /** Who the audience entry, the split and the holdout copy put where, on one warehouse. */
  static Map<String, List<String>> run(Warehouse warehouse, String key) throws Exception {
    return run(warehouse, key, JourneyEngine.Limits.DEFAULT);
  }

  static Map<String, List<String>> run(Warehouse warehouse, String key, JourneyEngine.Limits limits)
      throws Exception {
    fill(warehouse.dsl());
    WarehouseMigrations.apply(warehouse, List.of());
    JourneyEngine engine = engine(warehouse, limits);
    Clock clock = Clock.systemUTC();
    AudienceStore audiences = new AudienceStore(app, clock);
    if (audiences.find("valuable").isEmpty()) {
      audiences.create(
          "valuable",
          new AudienceStore.Draft(
              "valuable",
              null,
              "users",
              "{\"parent\": \"users\", \"filter\": {\"type\": \"trait\","
                  + " \"trait\": \"lifetime_value\", \"op\": \"gt\", \"value\": 500}}"),
          "test");
    }
    JourneyStore journeys = new JourneyStore(app, clock);
    String doc = AUDIENCE_JOURNEY.replace("KEY", key);
    journeys.create(key, new JourneyStore.Draft("Audience entry", "users", doc), "test");
    journeys.publish(key, doc, "test", null).orElseThrow();
    for (int i = 0; i < 20; i++) {
      JourneyActivities.Tick tick = engine.advance(key, Instant.now(), "test", () -> {});
      int inside =
          app.fetchCount(
              DSL.selectFrom(DSL.table("journey_entry"))
                  .where(DSL.field("journey_key").eq(key))
                  .and(DSL.field("node").isNotNull()));
      if (!tick.more() && inside == 0 && i > 0) {
        break;
      }
    }
    Map<String, List<String>> out = new HashMap<>();
    out.put(
        "entered",
        app.fetch("select person from journey_entry where journey_key = ? order by person", key)
            .getValues(0, String.class));
    out.put(
        "held in the app store",
        app.fetch("select person from journey_holdout where journey_key = ? order by person", key)
            .getValues(0, String.class));
    out.put(
        "held in the warehouse",
        warehouse
            .dsl()
            .select(DSL.field(DSL.name("person_key"), String.class))
            .from(DSL.table(DSL.name("cs_logs", "journey_holdouts")))
            .where(DSL.field(DSL.name("journey_key"), String.class).eq(key))
            .orderBy(DSL.field(DSL.name("person_key")))
            .fetch()
            .getValues(0, String.class));
    return out;
  }

  @Test
  void audienceEntryAndHoldoutsAreTheSamePeopleOnPostgresAndDuckDb() throws Exception {
    List<String> high = new ArrayList<>();
    List<String> control = new ArrayList<>();
    for (int id = 1; id <= USERS; id++) {
      if (id % 3 == 0) {
        String p = String.valueOf(id);
        high.add(p);
        if (Split.bucket("entry-pg:test:entry-2026-12", p) >= 6000) {
          control.add(p);
        }
      }
    }
    high.sort(null);
    control.sort(null);
    Map<String, List<String>> onPostgres =
        run(
            Warehouse.over(
                TestPostgres.newDatabase("journeyentrywh"), SQLDialect.POSTGRES, "test PostgreSQL"),
            "entry-pg");
    // the same journey key on DuckDB (its own app-store rows are gone first), so the same hash
    assertThat(new JourneyStore(app, Clock.systemUTC()).delete("entry-pg")).isTrue();
    Map<String, List<String>> onDuckDb =
        run(
            Warehouse.over(
                TestDuckDb.newDatabase("journeyentry"), SQLDialect.DUCKDB, "test DuckDB"),
            "entry-pg");
    System.out.println("journey audience entry: " + onPostgres.get("held in the warehouse"));
    for (Map<String, List<String>> r : List.of(onPostgres, onDuckDb)) {
      assertThat(r.get("entered")).isEqualTo(high);
      assertThat(r.get("held in the app store")).isEqualTo(control);
      assertThat(r.get("held in the warehouse")).isEqualTo(control);
    }
    assertThat(control).isNotEmpty();
  }

  @Test
  void aLargeAudienceEntryRefreshesTheAppStoresStatisticsOfEntries() throws Exception {
    long before = analyzes();
    // 100 enter (every third of 300): below a threshold of 1,000 nothing is analyzed
    assertThat(enterOnPostgres("entry-no-analyze", 1_000).get("entered")).hasSize(USERS / 3);
    assertThat(analyzes()).as("manual analyzes of journey_entry").isEqualTo(before);
    // from 50 entered at once the entry analyzes journey_entry
    assertThat(enterOnPostgres("entry-analyze", 50).get("entered")).hasSize(USERS / 3);
    assertThat(analyzes()).as("manual analyzes of journey_entry").isEqualTo(before + 1);
  }

  /** The audience-entry journey {@code key} over a new PostgreSQL warehouse, with a threshold. */
  static Map<String, List<String>> enterOnPostgres(String key, int analyzeAfter) throws Exception {
    return run(
        Warehouse.over(
            TestPostgres.newDatabase(key.replace("-", "") + "wh"),
            SQLDialect.POSTGRES,
            "test PostgreSQL"),
        key,
        new JourneyEngine.Limits(Duration.ofSeconds(3), 5_000, 5_000, analyzeAfter));
  }

  /**
   * How often journey_entry was analyzed by hand (not by autovacuum), by PostgreSQL's count, which
   * an analyze updates when it ends.
   */
  static long analyzes() {
    return app.fetchOne(
            "select analyze_count from pg_stat_user_tables where relname = 'journey_entry'")
        .get(0, Long.class);
  }
}
