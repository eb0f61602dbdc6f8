package io.customerstudio.activities.sync;

import java.sql.Statement;
import java.util.List;
import java.util.function.Supplier;
import org.flywaydb.core.api.MigrationVersion;
import org.flywaydb.core.api.migration.Context;
import org.flywaydb.core.api.migration.JavaMigration;

/**
 * Warehouse migration 2: moves each sync's delivered state out of the per-sync tables of earlier
 * versions ({@code cs_sync.s_<name>_<hash>}) into {@code cs_sync.delivered_state}, then drops them,
 * so an upgrade resends nothing. The tables' names came from the sync keys, which live in the app
 * store: hence a Java migration given those keys.
 */
public final class AdoptSyncStates implements JavaMigration {

  private final Supplier<List<String>> syncKeys;

  public AdoptSyncStates(Supplier<List<String>> syncKeys) {
    this.syncKeys = syncKeys;
  }

  @Override
  public MigrationVersion getVersion() {
    return MigrationVersion.fromVersion("2");
  }

  @Override
  public String getDescription() {
    return "adopt per-sync delivered states";
  }

  @Override
  public Integer getChecksum() {
    return null;
  }

  @Override
  public boolean canExecuteInTransaction() {
    return true;
  }

  @Override
  public void migrate(Context context) throws Exception {
    // information_schema rather than to_regclass: the same query on PostgreSQL and DuckDB (where
    // no such table can exist, DuckDB warehouses being newer than the shared state)
    try (Statement st = context.getConnection().createStatement();
        var exists =
            context
                .getConnection()
                .prepareStatement(
                    "select count(*) from information_schema.tables"
                        + " where table_schema = 'cs_sync' and table_name = ?")) {
      for (String key : syncKeys.get()) {
        String table = legacyTable(key);
        exists.setString(1, table);
        try (var rs = exists.executeQuery()) {
          rs.next();
          if (rs.getLong(1) == 0) {
            continue;
          }
        }
        try (var insert =
            context
                .getConnection()
                .prepareStatement(
                    "insert into cs_sync.delivered_state"
                        + " (sync_key, key, h, fields, run_id, synced_at)"
                        + " select ?, key, (to_jsonb(s) ->> 'h')::bigint, fields, run_id, synced_at"
                        + " from cs_sync."
                        + table
                        + " s on conflict do nothing")) {
          insert.setString(1, key);
          insert.executeUpdate();
        }
        st.execute("drop table cs_sync." + table);
      }
    }
  }

  /** The per-sync table name earlier versions used: a readable prefix plus a hash of the key. */
  static String legacyTable(String syncKey) {
    String clean = syncKey.toLowerCase().replaceAll("[^a-z0-9_]", "_");
    if (clean.length() > 30) {
      clean = clean.substring(0, 30);
    }
    return "s_" + clean + "_" + RunTables.sha(syncKey).substring(0, 10);
  }
}
