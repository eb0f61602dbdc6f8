package io.customerstudio.activities.sync;

import static org.jooq.impl.DSL.table;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Collection;
import org.jooq.DSLContext;
import org.jooq.impl.DSL;

/**
 * What each sync's destination has accepted ({@code cs_sync.delivered_state}: sync, key, row hash,
 * the fields last sent, the run that sent them). The diff reads it; it moves only from the batch
 * ledger: {@link #advance} applies the accepted rows of recorded batches set-based, in one
 * statement per kind, and is idempotent, so a slice, a commit and a catch-up after a crash may all
 * apply the same batches without harm.
 */
public final class DeliveredState {

  /** The state of one sync, as a derived table for a join; its parameter is the sync key. */
  static final String OF_SYNC =
      "(select key, h, fields from cs_sync.delivered_state where sync_key = {2})";

  private final DSLContext db;

  public DeliveredState(DSLContext warehouse) {
    this.db = warehouse;
  }

  /**
   * Applies the rows of the given batches of {@code d_<run>} that the destination accepted (all but
   * {@code rejectedKeys}): upserts take the new hash and fields, deletes leave.
   *
   * @param batches batch numbers recorded in the ledger as delivered
   */
  public void advance(
      String runId,
      String syncKey,
      int batchSize,
      Collection<Integer> batches,
      Collection<String> rejectedKeys,
      Instant at) {
    if (batches.isEmpty()) {
      return;
    }
    long from = (long) batches.stream().mapToInt(Integer::intValue).min().orElseThrow() * batchSize;
    long to =
        ((long) batches.stream().mapToInt(Integer::intValue).max().orElseThrow() + 1) * batchSize;
    OffsetDateTime now = at.atOffset(ZoneOffset.UTC);
    var d = table(RunTables.diffTable(runId));
    // the seq range lets the diff's primary key find the slice; the batch list keeps exactly the
    // recorded batches within it
    org.jooq.Condition inBatches =
        WarehouseSql.inBatches(db, from, to, batchSize, batches, rejectedKeys);
    db.execute(
        "insert into cs_sync.delivered_state (sync_key, key, h, fields, run_id, synced_at)"
            + " select {0}, d.key, d.h, d.fields, {3}, {4} from {1} d where d.op = 'upsert' and {2}"
            + " on conflict (sync_key, key) do update set h = excluded.h, fields = excluded.fields,"
            + " run_id = excluded.run_id, synced_at = excluded.synced_at",
        DSL.val(syncKey), d, inBatches, DSL.val(runId), DSL.val(now));
    // the removal is remembered (the why answer's last delivery): the state forgets the key
    db.execute(
        "insert into cs_sync.delivered_removal (sync_key, key, run_id, removed_at)"
            + " select {0}, d.key, {3}, {4} from {1} d where d.op = 'delete' and {2}"
            + " on conflict (sync_key, key) do update set run_id = excluded.run_id,"
            + " removed_at = excluded.removed_at",
        DSL.val(syncKey), d, inBatches, DSL.val(runId), DSL.val(now));
    // the keys to delete are gathered from the diff first and then looked up one by one in the
    // state's primary key: a join would be planned on statistics that do not yet know the rows
    // this run's earlier slices added (estimated as one row, it became a nested loop over them);
    // DuckDB has no array(subquery), and plans an in-subquery as a hash join anyway
    boolean duck = WarehouseSql.duckDb(db);
    db.execute(
        "delete from cs_sync.delivered_state s where s.sync_key = {0} and s.key "
            + (duck ? "in (" : "= any(array(")
            + " select d.key from {1} d where d.op = 'delete' and {2}"
            + (duck ? ")" : "))"),
        DSL.val(syncKey),
        d,
        inBatches);
  }

  /**
   * Refreshes the planner's statistics of the state after a run that changed many of its rows, so
   * the next diff joins it with a plan made for its real size.
   */
  public void analyze() {
    WarehouseSql.analyze(db, table(DSL.name("cs_sync", "delivered_state")));
  }

  /** Forgets what the sync delivered: its next run sends every member again. */
  public void reset(String syncKey) {
    db.deleteFrom(table(DSL.name("cs_sync", "delivered_state")))
        .where(DSL.field(DSL.name("sync_key")).eq(syncKey))
        .execute();
    db.deleteFrom(table(DSL.name("cs_sync", "delivered_removal")))
        .where(DSL.field(DSL.name("sync_key")).eq(syncKey))
        .execute();
  }

  /** The last thing the sync delivered for a key: an upsert still in the state, or a removal. */
  public record Last(String runId, java.time.OffsetDateTime at, String op) {}

  public java.util.Optional<Last> last(String syncKey, String key) {
    return db.resultQuery(
            "select run_id, \"at\", op from ("
                + " select run_id, synced_at as \"at\", 'upsert' as op from cs_sync.delivered_state"
                + " where sync_key = {0} and key = {1}"
                + " union all select run_id, removed_at, 'delete' from cs_sync.delivered_removal"
                + " where sync_key = {0} and key = {1}) x order by \"at\" desc limit 1",
            DSL.val(syncKey), DSL.val(key))
        .fetchOptional(
            r ->
                new Last(
                    r.get(0, String.class),
                    r.get(1, java.time.OffsetDateTime.class),
                    r.get(2, String.class)));
  }
}
