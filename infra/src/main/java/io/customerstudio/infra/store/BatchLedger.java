package io.customerstudio.infra.store;

import static io.customerstudio.infra.store.jooq.Tables.SYNC_ROW_ERROR;
import static io.customerstudio.infra.store.jooq.Tables.SYNC_RUN_BATCH;

import java.time.Clock;
import java.time.OffsetDateTime;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.jooq.DSLContext;

/**
 * The batch ledger of sync runs: every batch a run has delivered, with its idempotency key and row
 * counts, and whether the sync's delivered state has taken its accepted rows. A replay or a retried
 * delivery skips what is here; the state advances from it. A batch is recorded once, with its
 * rejected rows, in one transaction.
 */
public class BatchLedger {

  private final DSLContext db;
  private final Clock clock;

  public BatchLedger(DSLContext db, Clock clock) {
    this.db = db;
    this.clock = clock;
  }

  /** The numbers of the batches this run has delivered. */
  public Set<Integer> deliveredBatches(String runId) {
    return new HashSet<>(
        db.select(SYNC_RUN_BATCH.BATCH)
            .from(SYNC_RUN_BATCH)
            .where(SYNC_RUN_BATCH.RUN_ID.eq(runId))
            .fetch(SYNC_RUN_BATCH.BATCH));
  }

  /**
   * Records a delivered batch and its rejected rows, once: a second record of the same batch (a
   * retried activity) changes nothing.
   *
   * @return false when the batch was already recorded
   */
  public boolean batchDelivered(
      String runId, int batch, String idempotencyKey, int rows, List<RowErrors.RowError> rejected) {
    OffsetDateTime now = OffsetDateTime.now(clock);
    return db.transactionResult(
        tx -> {
          DSLContext t = tx.dsl();
          int inserted =
              t.insertInto(SYNC_RUN_BATCH)
                  .set(SYNC_RUN_BATCH.RUN_ID, runId)
                  .set(SYNC_RUN_BATCH.BATCH, batch)
                  .set(SYNC_RUN_BATCH.IDEMPOTENCY_KEY, idempotencyKey)
                  .set(SYNC_RUN_BATCH.ROW_COUNT, rows)
                  .set(SYNC_RUN_BATCH.ACCEPTED, rows - rejected.size())
                  .set(SYNC_RUN_BATCH.REJECTED, rejected.size())
                  .set(SYNC_RUN_BATCH.DELIVERED_AT, now)
                  .onConflictDoNothing()
                  .execute();
          if (inserted == 0) {
            return false;
          }
          if (!rejected.isEmpty()) {
            var insert =
                t.insertInto(
                    SYNC_ROW_ERROR,
                    SYNC_ROW_ERROR.RUN_ID,
                    SYNC_ROW_ERROR.ROW_KEY,
                    SYNC_ROW_ERROR.REASON,
                    SYNC_ROW_ERROR.CREATED_AT);
            for (RowErrors.RowError e : rejected) {
              insert = insert.values(runId, e.key(), e.reason(), now);
            }
            insert.execute();
          }
          return true;
        });
  }

  /** The run's delivered batches whose accepted rows are not yet in the sync's delivered state. */
  public List<Integer> unadvancedBatches(String runId) {
    return db.select(SYNC_RUN_BATCH.BATCH)
        .from(SYNC_RUN_BATCH)
        .where(SYNC_RUN_BATCH.RUN_ID.eq(runId), SYNC_RUN_BATCH.ADVANCED.isFalse())
        .orderBy(SYNC_RUN_BATCH.BATCH)
        .fetch(SYNC_RUN_BATCH.BATCH);
  }

  /** The state now holds these batches' accepted rows. */
  public void markAdvanced(String runId, java.util.Collection<Integer> batches) {
    if (batches.isEmpty()) {
      return;
    }
    db.update(SYNC_RUN_BATCH)
        .set(SYNC_RUN_BATCH.ADVANCED, true)
        .where(SYNC_RUN_BATCH.RUN_ID.eq(runId), SYNC_RUN_BATCH.BATCH.in(batches))
        .execute();
  }
}
