package io.customerstudio.activities.sync;

import io.customerstudio.infra.store.RunStatus;
import io.customerstudio.infra.store.RunStore;
import io.customerstudio.infra.store.SyncStore;

/**
 * The diff step: compares the run table with the sync's delivered state and cuts the diff into the
 * destination's batches, numbered once, so batch {@code n} is the same rows on every attempt.
 */
final class Differ {

  private final RunContext ctx;
  private final Governor governor;

  Differ(RunContext ctx, Governor governor) {
    this.ctx = ctx;
    this.governor = governor;
  }

  SyncEngine.DiffResult diff(String runId) {
    RunStore.Run run = ctx.run(runId);
    SyncStore.Sync sync = ctx.sync(run.sync());
    if (run.excluded() == null || !ctx.tables.exists(RunTables.governTable(runId))) {
      // a run that began before the govern step existed, or whose govern step a crash undid
      governor.govern(runId);
    }
    ctx.runs.phase(runId, RunStatus.DIFFING);
    String definition = ctx.definition(sync, run.audienceVersion());
    RunTables.DiffCounts c =
        ctx.tables.diff(
            runId, sync.key(), sync.mode(), ctx.keyIsMember(sync, definition), SyncSpec.of(sync));
    int batchSize = ctx.destination(sync).connector().batchSize();
    int batches = (int) ((c.total() + batchSize - 1) / batchSize);
    ctx.runs.diffed(runId, c.added(), c.changed(), c.removed(), batches, batchSize);
    ctx.runs.phase(runId, RunStatus.DELIVERING);
    return new SyncEngine.DiffResult(c.added(), c.changed(), c.removed(), batches, batchSize);
  }
}
