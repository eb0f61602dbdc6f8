package io.customerstudio.activities.sync;

import io.temporal.activity.ActivityInterface;
import io.temporal.activity.ActivityMethod;

/** The side effects of a sync's scheduler: a tick queues a run and is recorded as served. */
@ActivityInterface(namePrefix = "Schedule")
public interface ScheduleActivities {

  /**
   * Queues a run of the sync for a schedule tick (or joins the run already queued) and records the
   * tick in the app store, so that a restarted scheduler counts its next tick from it.
   *
   * <p>Idempotent: a retry joins the run the first attempt queued (it cannot have started, the
   * scheduler hands it to a run only after this returns) and records the tick again.
   *
   * @return the run's id; null when the sync is gone
   */
  @ActivityMethod
  String tick(String sync);
}
