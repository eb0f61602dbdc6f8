package io.customerstudio.activities.sync;

import io.customerstudio.activities.delivery.BatchRef;
import io.temporal.activity.ActivityInterface;
import io.temporal.activity.ActivityMethod;
import java.util.List;

/**
 * The side effects of sync runs and schedulers. Each takes ids and returns counts: rows stay in the
 * warehouse. Each is safe to retry; see {@link SyncEngine}.
 */
@ActivityInterface(namePrefix = "Sync")
public interface SyncActivities {

  /** Failure type of a step that cannot go on (a deleted audience, a mapping gone): not retried. */
  String CONFIGURATION = "SyncConfiguration";

  /**
   * Failure type of a delivery to a destination that refused a batch or outlasted its outage
   * budget: not retried; the run fails, replayable.
   */
  String DESTINATION = "DestinationFailure";

  /** Queues a run of the sync (or joins the one already queued); null when the sync is gone. */
  @ActivityMethod
  String enqueue(String sync, String trigger);

  @ActivityMethod
  SyncEngine.Progress begin(String runId, String workflowId);

  @ActivityMethod
  long materialize(String runId);

  /**
   * Decides who of the members may be sent and logs who may not; returns the count per reason.
   * Repeating it replaces an earlier attempt's records.
   */
  @ActivityMethod
  java.util.Map<String, Long> govern(String runId);

  @ActivityMethod
  SyncEngine.DiffResult diff(String runId);

  /** Delivers the batches not yet delivered, heartbeating the last one done. */
  @ActivityMethod
  SyncEngine.Delivered deliver(String runId, List<BatchRef> batches);

  /** Logs who entered and left the audience with this run (and snapshots it, if asked). */
  @ActivityMethod
  void membership(String runId);

  /** Returns the final status's wire name. */
  @ActivityMethod
  String commit(String runId);

  @ActivityMethod
  void end(String runId, String status, String error);
}
