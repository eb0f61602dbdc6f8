package io.customerstudio.infra.demo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.customerstudio.query.schema.Catalog;
import io.customerstudio.query.schema.JdbcIntrospector;
import io.customerstudio.query.schema.SchemaDocument;
import io.customerstudio.query.schema.SchemaValidator;
import io.customerstudio.query.testing.TestDuckDb;
import io.customerstudio.query.testing.TestPostgres;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import javax.sql.DataSource;
import org.jooq.SQLDialect;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * The demo warehouse generated into DuckDB: the same tables and columns as on PostgreSQL, with the
 * same distributions (counts within a tolerance; the rows differ because the engines' hashes
 * differ), deterministic per seed.
 */
class DemoWarehouseDuckDbTest {

  static final Instant ANCHOR = Instant.parse("2026-11-01T00:00:00Z");
  static final int USERS = 2000;
  static DataSource duck;
  static JdbcTemplate dj;
  static JdbcTemplate pj;
  static DemoWarehouseGenerator.Result onDuck;
  static DemoWarehouseGenerator.Result onPostgres;

  @BeforeAll
  static void generate() {
    duck = TestDuckDb.newDatabase("demo");
    dj = new JdbcTemplate(duck);
    onDuck =
        new DemoWarehouseGenerator(duck, SQLDialect.DUCKDB, 2)
            .generate(new DemoWarehouseGenerator.Spec("demo_a", 42, USERS, ANCHOR));
    DataSource pg = TestPostgres.newDatabase("demoduck");
    pj = new JdbcTemplate(pg);
    onPostgres =
        new DemoWarehouseGenerator(pg, 2)
            .generate(new DemoWarehouseGenerator.Spec("demo_a", 42, USERS, ANCHOR));
  }

  @Test
  void rowCountsMatchPostgresWithinATolerance() {
    assertThat(onDuck.rowCounts().keySet()).isEqualTo(onPostgres.rowCounts().keySet());
    assertThat(onDuck.rowCounts().get("users")).isEqualTo(USERS);
    assertThat(onDuck.rowCounts().get("products")).isEqualTo(DemoSql.PRODUCTS);
    for (String table : DemoSql.TABLES) {
      double d = onDuck.rowCounts().get(table);
      double p = onPostgres.rowCounts().get(table);
      assertThat(d / p)
          .as(table + ": duckdb " + d + ", postgres " + p)
          .isCloseTo(1.0, within(0.15));
    }
  }

  @Test
  void sameColumnsAndTypesAsOnPostgres() {
    for (String table :
        new String[] {"users", "products", "purchases", "events", "consent", "consent_latest"}) {
      Map<String, String> d =
          columns(
              dj,
              "select column_name, data_type from information_schema.columns"
                  + " where table_schema = 'demo_a' and table_name = ? order by ordinal_position",
              table);
      Map<String, String> p =
          columns(
              pj,
              "select column_name, data_type from information_schema.columns"
                  + " where table_schema = 'demo_a' and table_name = ? order by ordinal_position",
              table);
      assertThat(d).as(table).isNotEmpty().isEqualTo(p);
    }
  }

  /** DuckDB's type names mapped to PostgreSQL's, the warehouse-facing ones being equivalent. */
  private static Map<String, String> columns(JdbcTemplate jdbc, String sql, String table) {
    Map<String, String> out = new LinkedHashMap<>();
    jdbc.query(
        sql,
        rs -> {
          String type = rs.getString(2).toLowerCase(Locale.ROOT);
          if (type.equals("varchar")) {
            type = "text";
          } else if (type.startsWith("decimal")) {
            type = "numeric";
          } else if (type.equals("json")) {
            type = "jsonb";
          }
          out.put(rs.getString(1), type);
        },
        table);
    return out;
  }

  @Test
  void sameSeedGivesTheSameRowsAnotherSeedOthers() {
    DemoWarehouseGenerator generator = new DemoWarehouseGenerator(duck, SQLDialect.DUCKDB, 1);
    generator.generate(new DemoWarehouseGenerator.Spec("demo_b", 42, USERS, ANCHOR));
    generator.generate(new DemoWarehouseGenerator.Spec("demo_c", 7, USERS, ANCHOR));
    Map<String, String> a = generator.checksums("demo_a");
    assertThat(a.values()).doesNotContainNull();
    assertThat(generator.checksums("demo_b")).isEqualTo(a);
    Map<String, String> c = generator.checksums("demo_c");
    assertThat(c.get("users")).isNotEqualTo(a.get("users"));
    assertThat(c.get("events")).isNotEqualTo(a.get("events"));
  }

  @Test
  void distributionsHaveTheIntendedShape() {
    Long nonBuyers =
        dj.queryForObject(
            "select count(*) from demo_a.users u where not exists "
                + "(select 1 from demo_a.purchases p where p.user_id = u.user_id)",
            Long.class);
    assertThat(nonBuyers).isBetween(400L, 800L);
    assertThat(
            dj.queryForObject("select count(*) from demo_a.users where phone is null", Long.class))
        .isBetween(300L, 700L);
    assertThat(
            dj.queryForObject(
                "select count(*) from demo_a.events where occurred_at > ?::timestamptz",
                Long.class,
                ANCHOR.toString()))
        .isZero();
    assertThat(
            dj.queryForList(
                "select distinct event_type from demo_a.events order by 1", String.class))
        .containsExactly(
            "add_to_cart",
            "app_open",
            "checkout_started",
            "email_clicked",
            "email_opened",
            "order_completed",
            "page_view");
    assertThat(
            dj.queryForList(
                "select distinct status from demo_a.consent_latest order by 1", String.class))
        .containsExactly("ACTIVE", "EXPIRED", "NO_CONSENT", "OPT_OUT", "PENDING", "WITHDRAWN");
    assertThat(
            dj.queryForObject(
                "select count(*) from demo_a.events where event_type = 'order_completed'",
                Long.class))
        .isEqualTo(
            dj.queryForObject(
                "select count(*) from demo_a.purchases where status in ('paid', 'refunded')",
                Long.class));
    // event properties are JSON objects readable with ->>
    assertThat(
            dj.queryForObject(
                "select count(*) from demo_a.events where event_type = 'app_open'"
                    + " and (properties->>'platform') in ('ios', 'android')",
                Long.class))
        .isEqualTo(
            dj.queryForObject(
                "select count(*) from demo_a.events where event_type = 'app_open'", Long.class))
        .isPositive();
    // the same people as the PostgreSQL generation would give, within a tolerance: members of
    // countries, tiers and opt-in follow the same thresholds
    for (String where :
        new String[] {
          "country = 'US'", "loyalty_member", "marketing_opt_in", "birth_date is null"
        }) {
      double d = dj.queryForObject("select count(*) from demo_a.users where " + where, Long.class);
      double p = pj.queryForObject("select count(*) from demo_a.users where " + where, Long.class);
      assertThat(d / p).as(where).isCloseTo(1.0, within(0.2));
    }
  }

  @Test
  void theDemoSchemaDocumentValidatesOnDuckDb() {
    Catalog catalog =
        new SchemaValidator(new JdbcIntrospector(duck))
            .validate(SchemaDocument.parse(DemoWarehouseBootstrap.demoSchemaDocument("demo_a")));
    assertThat(catalog).isNotNull();
  }
}
