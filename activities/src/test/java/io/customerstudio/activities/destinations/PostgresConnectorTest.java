package io.customerstudio.activities.destinations;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.customerstudio.query.testing.TestPostgres;
import java.sql.Connection;
import java.sql.DriverManager;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import org.jooq.impl.DSL;
import org.junit.jupiter.api.Test;

/**
 * A sync's rows kept in a table of another PostgreSQL: upserts, deletes, and idempotent repeats.
 */
class PostgresConnectorTest {

  final String url = TestPostgres.newDatabaseUrl("dest");

  PostgresConnector connector(String table) {
    return new PostgresConnector(
        new PostgresConnector.Config(url, "postgres", table, 500), "", Clock.systemUTC());
  }

  static Batch batch(String key, DeliveryRow... rows) {
    return new Batch("vip-to-db", "run-1", 1, key, List.of(rows));
  }

  static DeliveryRow upsert(String key, Object ltv) {
    return new DeliveryRow(DeliveryRow.Op.UPSERT, key, Map.of("ltv", ltv));
  }

  Map<String, String> table() throws Exception {
    try (Connection c = DriverManager.getConnection(url, "postgres", "")) {
      return DSL.using(c)
          .fetch("select key, fields->>'ltv' as ltv from public.vip order by key")
          .intoMap(r -> r.get("key", String.class), r -> r.get("ltv", String.class));
    }
  }

  @Test
  void upsertsCreateTheTableAndARepeatedBatchChangesNothing() throws Exception {
    PostgresConnector c = connector("public.vip");
    Batch first = batch("run-1-1", upsert("u1", 10), upsert("u2", 20), upsert("u3", 30));
    assertThat(c.deliver(first)).extracting(RowOutcome::accepted).containsOnly(true);
    assertThat(c.deliver(first)).hasSize(3);
    assertThat(table())
        .containsExactly(Map.entry("u1", "10"), Map.entry("u2", "20"), Map.entry("u3", "30"));

    // the next run: one changed, one removed (mirror)
    c.deliver(
        batch("run-2-1", upsert("u2", 25), new DeliveryRow(DeliveryRow.Op.DELETE, "u3", Map.of())));
    assertThat(table()).containsExactly(Map.entry("u1", "10"), Map.entry("u2", "25"));
  }

  @Test
  void theTestNamesAMissingSchemaOrAnUnreachableServer() {
    assertThat(connector("public.vip").test()).isEmpty();
    assertThat(connector("nope.vip").test())
        .contains("schema nope does not exist in " + url.split("\\?")[0]);
    PostgresConnector unreachable =
        new PostgresConnector(
            new PostgresConnector.Config(
                "jdbc:postgresql://127.0.0.1:1/x?password=leak", "postgres", "public.t", 10),
            "",
            Clock.systemUTC());
    assertThat(unreachable.test().orElseThrow())
        .startsWith("cannot connect to jdbc:postgresql://127.0.0.1:1/x:")
        .doesNotContain("leak");
    assertThatThrownBy(() -> unreachable.deliver(batch("k", upsert("u1", 1))))
        .isInstanceOf(DeliveryException.class);
  }

  @Test
  void configurationProblemsNameTheirField() {
    assertThat(new PostgresConnector.Config("mysql://x", " ", "vip; drop table x", 0).problems())
        .extracting(p -> p.substring(0, p.indexOf(':')))
        .containsExactly("url", "user", "table", "batchSize");
  }
}
