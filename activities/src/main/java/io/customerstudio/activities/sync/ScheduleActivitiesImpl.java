package io.customerstudio.activities.sync;

import io.customerstudio.infra.store.RunStore;
import io.customerstudio.infra.store.SyncStore;

/**
 * Ticks against the app store. The run is queued first and the tick recorded after: if the store
 * fails in between, the retry joins the queued run, and a crash leaves the tick unrecorded, so a
 * restart owes it again (once) rather than losing it.
 */
public class ScheduleActivitiesImpl implements ScheduleActivities {

  /** A schedule tick's trigger, as runs record it. */
  public static final String TRIGGER = "schedule";

  private final SyncStore syncs;
  private final RunStore runs;

  public ScheduleActivitiesImpl(SyncStore syncs, RunStore runs) {
    this.syncs = syncs;
    this.runs = runs;
  }

  @Override
  public String tick(String sync) {
    String runId = runs.enqueue(sync, TRIGGER).map(RunStore.Enqueued::runId).orElse(null);
    if (runId != null) {
      syncs.recordTick(sync);
    }
    return runId;
  }
}
