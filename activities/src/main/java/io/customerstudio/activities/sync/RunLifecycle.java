package io.customerstudio.activities.sync;

import io.customerstudio.infra.store.AudienceStore;
import io.customerstudio.infra.store.RunStatus;
import io.customerstudio.infra.store.RunStore;
import io.customerstudio.infra.store.SyncStore;
import java.time.Duration;
import java.time.OffsetDateTime;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where a run starts and ends: {@link #begin} (an attempt starts, the audience version is pinned,
 * steps already done are reported), {@link #commit} (the destination's finishing step, the final
 * status), {@link #end} (a run that did not succeed) and the retention of ended runs' working
 * tables and batch records. Whatever ends a run, the delivered state first catches up with its
 * batch ledger, so nothing delivered is sent again.
 */
final class RunLifecycle {

  private static final Logger log = LoggerFactory.getLogger(RunLifecycle.class);

  private final RunContext ctx;
  private final Duration errorRetention;
  private final Duration runRetention;

  private final ExclusionLog exclusions;

  RunLifecycle(
      RunContext ctx, ExclusionLog exclusions, Duration errorRetention, Duration runRetention) {
    this.ctx = ctx;
    this.exclusions = exclusions;
    this.errorRetention = errorRetention;
    this.runRetention = runRetention;
  }

  SyncEngine.Progress begin(String runId, String workflowId) {
    RunStore.Run run = ctx.run(runId);
    SyncStore.Sync sync = ctx.sync(run.sync());
    AudienceStore.Audience audience = ctx.audience(sync);
    boolean fresh = run.attempts() == 0;
    if (!ctx.runs.start(runId, workflowId, audience.version())) {
      return new SyncEngine.Progress(false, run.sync(), false, false, false, 0);
    }
    if (fresh) {
      // older runs that stopped part way can no longer be replayed: this run supersedes them, once
      // the state holds what they delivered
      for (RunStore.Run older : ctx.runs.list(sync.key(), 20)) {
        if (!older.runId().equals(runId) && older.replayable()) {
          ctx.advanceState(older.runId());
          ctx.tables.dropRun(older.runId());
        }
      }
    }
    run = ctx.run(runId);
    boolean materialized = run.members() != null && ctx.tables.exists(RunTables.runTable(runId));
    boolean governed =
        materialized && run.excluded() != null && ctx.tables.exists(RunTables.governTable(runId));
    // a run diffed before governance existed has no g_ table: its batches stand as numbered
    boolean diffed =
        materialized && run.batches() != null && ctx.tables.exists(RunTables.diffTable(runId));
    ctx.runs.phase(
        runId,
        diffed ? RunStatus.DELIVERING : materialized ? RunStatus.DIFFING : RunStatus.QUERYING);
    return new SyncEngine.Progress(
        true, sync.key(), materialized, governed, diffed, diffed ? run.batches() : 0);
  }

  /**
   * Ends a run whose batches are all delivered: the state catches up, the destination's finishing
   * step runs (a file export writes its file), the final status is set; then the working tables go.
   */
  RunStatus commit(String runId) {
    RunStore.Run run = ctx.run(runId);
    SyncStore.Sync sync = ctx.sync(run.sync());
    ctx.runs.step(runId, "committing");
    ctx.advanceState(runId);
    long changed = nz(run.added()) + nz(run.removed());
    if (changed > 10_000) {
      ctx.state.analyze();
    }
    ctx.destination(sync).connector().finish(sync.key(), runId);
    run = ctx.run(runId);
    RunStatus status = run.rejected() > 0 ? RunStatus.SUCCEEDED_WITH_ERRORS : RunStatus.SUCCEEDED;
    ctx.runs.finish(runId, status, null);
    ctx.tables.dropRun(runId);
    purge();
    return status;
  }

  private static long nz(Long n) {
    return n == null ? 0 : n;
  }

  /**
   * Ends a run that did not succeed. The state takes what it delivered; a cancelled run's tables
   * go, a failed one keeps them for a replay.
   */
  void end(String runId, RunStatus status, String error) {
    ctx.advanceState(runId);
    ctx.runs.finish(runId, status, error);
    if (status == RunStatus.CANCELLED) {
      ctx.tables.dropRun(runId);
    }
  }

  /**
   * The retentions: rejected rows older than the row-error retention; runs ended longer ago than
   * the run retention lose their working tables and batch records (their totals stay; they can no
   * longer be replayed).
   */
  int purge() {
    OffsetDateTime now = OffsetDateTime.now(ctx.clock);
    ctx.rowErrors.purgeErrors(now.minus(errorRetention));
    int purged = 0;
    for (RunStore.Expired e : ctx.runs.expired(now.minus(runRetention), 100)) {
      ctx.advanceState(e.runId());
      ctx.tables.dropRun(e.runId());
      exclusions.purge(e.runId());
      ctx.runs.purged(e.runId());
      purged++;
    }
    if (purged > 0) {
      log.atInfo()
          .addKeyValue("runs", purged)
          .log("purged the working tables of {} ended runs", purged);
    }
    return purged;
  }
}
