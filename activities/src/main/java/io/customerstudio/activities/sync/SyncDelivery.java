package io.customerstudio.activities.sync;

import io.customerstudio.activities.delivery.BatchRef;
import io.customerstudio.activities.delivery.Delivery;
import io.customerstudio.activities.destinations.DeliveryRow;
import io.customerstudio.activities.destinations.RowOutcome;
import io.customerstudio.infra.store.RowErrors;
import io.customerstudio.infra.store.RunStore;
import io.customerstudio.infra.store.SyncStore;
import java.util.List;
import java.util.Set;

/**
 * The deliver step of a sync run: hands a slice of the diff's batches to the {@link Delivery} core
 * (rows read from {@code d_<run>} by batch number, the batch ledger in the app store), then
 * advances the sync's delivered state set-based by the accepted rows of the slice.
 */
final class SyncDelivery {

  private final RunContext ctx;
  private final Delivery delivery;

  SyncDelivery(RunContext ctx, Delivery delivery) {
    this.ctx = ctx;
    this.delivery = delivery;
  }

  /** The lease scope of a run's batches. */
  static String scope(String runId) {
    return "sync-run:" + runId;
  }

  SyncEngine.Delivered deliver(
      String runId, List<BatchRef> batches, String holder, Runnable heartbeat) {
    RunStore.Run run = ctx.run(runId);
    SyncStore.Sync sync = ctx.sync(run.sync());
    int size = run.batchSize();
    Delivery.Ledger ledger =
        new Delivery.Ledger() {
          @Override
          public Set<Integer> delivered() {
            return ctx.ledger.deliveredBatches(runId);
          }

          @Override
          public void record(BatchRef ref, List<DeliveryRow> rows, List<RowOutcome> rejected) {
            ctx.ledger.batchDelivered(
                runId,
                ref.number(),
                ref.idempotencyKey(),
                rows.size(),
                rejected.stream()
                    .map(o -> new RowErrors.RowError(runId, o.key(), o.reason(), null))
                    .toList());
          }
        };
    Delivery.Plan plan =
        new Delivery.Plan(
            scope(runId),
            sync.key(),
            runId,
            batches,
            n -> ctx.tables.deliveryRows(runId, (long) n * size, (long) (n + 1) * size),
            ledger);
    Delivery.Result r = delivery.deliver(plan, ctx.destination(sync), holder, heartbeat);
    ctx.advanceState(runId);
    return new SyncEngine.Delivered(r.batches(), r.accepted(), r.rejected());
  }
}
