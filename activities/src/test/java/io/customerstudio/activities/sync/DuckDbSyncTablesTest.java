package io.customerstudio.activities.sync;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.customerstudio.infra.warehouse.WarehouseMigrations;
import io.customerstudio.query.testing.TestDuckDb;
import java.util.List;
import org.jooq.SQLDialect;
import org.jooq.impl.DSL;
import org.junit.jupiter.api.Test;

/**
 * Every test of {@link SyncTablesTest} on a DuckDB warehouse file, and the DuckDB migration runner
 * that stands in for Flyway there.
 */
class DuckDbSyncTablesTest extends SyncTablesTest {

  @Override
  SQLDialect dialect() {
    return SQLDialect.DUCKDB;
  }

  @Override
  javax.sql.DataSource newWarehouse(String prefix) {
    return TestDuckDb.newDatabase(prefix);
  }

  /**
   * Not a test here (no {@code @Test} on the override): per-sync states of earlier versions exist
   * only in PostgreSQL warehouses, which predate DuckDB ones; the migration itself is checked
   * below.
   */
  @Override
  void aPerSyncStateOfAnEarlierVersionIsAdoptedByTheMigrationAndSentOnceIfItHadNoHashes() {}

  @Test
  void theMigrationsRunOnceEachInVersionOrderAndTheJavaMigrationToo() {
    javax.sql.DataSource fresh = TestDuckDb.newDatabase("syncmigrate");
    var d = DSL.using(fresh, SQLDialect.DUCKDB);
    // V1 (tables), V2 (the adoption, nothing to adopt here), V3 (governance), V4 (journeys)
    assertThat(
            WarehouseMigrations.apply(
                fresh, List.of(new AdoptSyncStates(() -> List.of("s"))), "cs_logs"))
        .isEqualTo(4);
    assertThat(
            d.fetch("select version, description from cs_sync.schema_history order by version")
                .map(r -> r.get(0, String.class) + " " + r.get(1, String.class)))
        .containsExactly(
            "1 sync tables",
            "2 adopt per-sync delivered states",
            "3 governance",
            "4 journey holdouts");
    assertThat(
            d.fetchValue(
                "select data_type from information_schema.columns where table_schema = 'cs_sync'"
                    + " and table_name = 'delivered_state' and column_name = 'fields'"))
        .isEqualTo("JSON");
    assertThat(d.fetchCount(DSL.table(DSL.name("cs_logs", "holdout_log")))).isZero();
    // a second start runs nothing
    assertThat(
            WarehouseMigrations.apply(
                fresh, List.of(new AdoptSyncStates(() -> List.of("s"))), "cs_logs"))
        .isZero();
    // an applied script changed since is refused, as Flyway's validation would
    d.execute("update cs_sync.schema_history set checksum = 1 where version = '3'");
    assertThatThrownBy(() -> WarehouseMigrations.apply(fresh, List.of(), "cs_logs"))
        .hasMessageContaining("changed after it was applied");
  }
}
