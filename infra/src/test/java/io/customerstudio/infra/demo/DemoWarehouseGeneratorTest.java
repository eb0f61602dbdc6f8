package io.customerstudio.infra.demo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.customerstudio.query.schema.SchemaDocument;
import io.customerstudio.query.testing.TestPostgres;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import javax.sql.DataSource;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.JdbcTemplate;

class DemoWarehouseGeneratorTest {

  static final Instant ANCHOR = Instant.parse("2026-11-01T00:00:00Z");
  static DataSource db;
  static JdbcTemplate jdbc;
  static DemoWarehouseGenerator generator;
  static DemoWarehouseGenerator.Result first;

  @BeforeAll
  static void generate() {
    db = TestPostgres.newDatabase("demo");
    jdbc = new JdbcTemplate(db);
    generator = new DemoWarehouseGenerator(db, 2);
    first = generator.generate(new DemoWarehouseGenerator.Spec("demo_a", 42, 2000, ANCHOR));
  }

  @Test
  void sameSeedGivesTheSameRowsWhateverTheParallelism() {
    new DemoWarehouseGenerator(db, 1)
        .generate(new DemoWarehouseGenerator.Spec("demo_b", 42, 2000, ANCHOR));

    Map<String, String> a = generator.checksums("demo_a");
    Map<String, String> b = generator.checksums("demo_b");
    assertThat(a).isEqualTo(b);
    assertThat(a.values()).doesNotContainNull();
  }

  @Test
  void anotherSeedGivesOtherRows() {
    generator.generate(new DemoWarehouseGenerator.Spec("demo_c", 7, 2000, ANCHOR));

    Map<String, String> a = generator.checksums("demo_a");
    Map<String, String> c = generator.checksums("demo_c");
    assertThat(a.get("users")).isNotEqualTo(c.get("users"));
    assertThat(a.get("events")).isNotEqualTo(c.get("events"));
  }

  @Test
  void rowCountsHaveTheIntendedShape() {
    Map<String, Long> counts = first.rowCounts();
    assertThat(counts.get("users")).isEqualTo(2000);
    assertThat(counts.get("products")).isEqualTo(DemoSql.PRODUCTS);
    // ~3 purchases, ~10 events and ~4 consent receipts per user
    assertThat(counts.get("purchases")).isBetween(4000L, 9000L);
    assertThat(counts.get("events")).isBetween(14000L, 26000L);
    assertThat(counts.get("consent")).isBetween(5000L, 12000L);
  }

  @Test
  void purchasesHaveAFewHeavyBuyersAndManyLightOnes() {
    Long nonBuyers =
        jdbc.queryForObject(
            "select count(*) from demo_a.users u where not exists "
                + "(select 1 from demo_a.purchases p where p.user_id = u.user_id)",
            Long.class);
    Long heavy =
        jdbc.queryForObject(
            "select count(*) from (select user_id from demo_a.purchases group by user_id "
                + "having count(*) >= 20) h",
            Long.class);
    assertThat(nonBuyers).isBetween(400L, 800L);
    assertThat(heavy).isBetween(5L, 200L);
  }

  @Test
  void recentActivityOutweighsOldActivity() {
    Long lastMonth =
        jdbc.queryForObject(
            "select count(*) from demo_a.events where occurred_at >= ?::timestamptz - interval '30 days'",
            Long.class,
            ANCHOR.toString());
    Long monthAYearAgo =
        jdbc.queryForObject(
            "select count(*) from demo_a.events where occurred_at between "
                + "?::timestamptz - interval '395 days' and ?::timestamptz - interval '365 days'",
            Long.class,
            ANCHOR.toString(),
            ANCHOR.toString());
    assertThat(lastMonth).isGreaterThan(3 * monthAYearAgo);
    assertThat(
            jdbc.queryForObject(
                "select count(*) from demo_a.events where occurred_at > ?::timestamptz",
                Long.class,
                ANCHOR.toString()))
        .isZero();
  }

  @Test
  void realisticNullsAndEveryEventTypeAndConsentStatus() {
    assertThat(
            jdbc.queryForObject(
                "select count(*) from demo_a.users where phone is null", Long.class))
        .isBetween(300L, 700L);
    assertThat(
            jdbc.queryForList(
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
            jdbc.queryForList(
                "select distinct status from demo_a.consent_latest order by 1", String.class))
        .containsExactly("ACTIVE", "EXPIRED", "NO_CONSENT", "OPT_OUT", "PENDING", "WITHDRAWN");
    assertThat(
            jdbc.queryForObject(
                "select count(*) from demo_a.consent c join demo_a.users u "
                    + "on u.email = c.data_subject_identifier",
                Long.class))
        .isEqualTo(first.rowCounts().get("consent"));
  }

  @Test
  void orderEventsMatchCompletedPurchases() {
    assertThat(
            jdbc.queryForObject(
                "select count(*) from demo_a.events where event_type = 'order_completed'",
                Long.class))
        .isEqualTo(
            jdbc.queryForObject(
                "select count(*) from demo_a.purchases where status in ('paid', 'refunded')",
                Long.class));
  }

  @Test
  void theDemoSchemaDocumentNamesTablesAndColumnsThatExist() {
    SchemaDocument doc = SchemaDocument.parse(DemoWarehouseBootstrap.demoSchemaDocument("demo_a"));
    assertThat(doc.models(SchemaDocument.Kind.PARENT)).hasSize(1);
    for (SchemaDocument.Model m : doc.models()) {
      List<String> columns = columns(m.source().table());
      assertThat(columns).as(m.name()).contains(m.primaryKey());
      if (m.kind() == SchemaDocument.Kind.EVENT) {
        assertThat(columns).contains(m.timestamp(), m.eventType());
      }
    }
    for (SchemaDocument.Relationship r : doc.relationships()) {
      String from = table(doc, r.from());
      String to = table(doc, r.to());
      for (List<String> pair : r.on()) {
        assertThat(columns(from)).as(r.name()).contains(pair.get(0));
        assertThat(columns(to)).as(r.name()).contains(pair.get(1));
      }
    }
  }

  private static String table(SchemaDocument doc, String model) {
    return doc.models().stream()
        .filter(m -> m.name().equals(model))
        .findFirst()
        .orElseThrow()
        .source()
        .table();
  }

  private static List<String> columns(String qualifiedTable) {
    String[] parts = qualifiedTable.split("\\.");
    return jdbc.queryForList(
        "select column_name from information_schema.columns where table_schema = ? and table_name = ?",
        String.class,
        parts[0],
        parts[1]);
  }

  @Test
  void rejectsASchemaNameThatIsNotAPlainIdentifier() {
    assertThatThrownBy(
            () ->
                generator.generate(
                    new DemoWarehouseGenerator.Spec("demo; drop table x", 1, 10, ANCHOR)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("demo schema name");
  }
}
