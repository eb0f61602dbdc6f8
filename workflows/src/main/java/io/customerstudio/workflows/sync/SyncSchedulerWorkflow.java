package io.customerstudio.workflows.sync;

import io.customerstudio.activities.sync.Schedule;
import io.temporal.workflow.QueryMethod;
import io.temporal.workflow.SignalMethod;
import io.temporal.workflow.WorkflowInterface;
import io.temporal.workflow.WorkflowMethod;
import java.util.List;

/**
 * One long-running workflow per sync ({@code sync-scheduler-<key>}): durable timers fire its
 * schedule, signals trigger, pause, resume, reschedule and stop it. Its next tick follows from the
 * schedule, its anchor and the last tick, never from when it was (re)started; a reschedule to the
 * same schedule changes nothing. A failing app store delays a tick, never ends the scheduler. Runs
 * are child workflows, one at a time: runs queued meanwhile wait in order, and the store coalesces
 * triggers into the run already queued. It continues as new every {@link
 * SyncSchedulerWorkflowImpl#RUNS_PER_HISTORY} runs or when Temporal suggests it.
 */
@WorkflowInterface
public interface SyncSchedulerWorkflow {

  /**
   * Everything it carries across continue-as-new, and what a (re)start takes from the app store:
   * {@code anchorMillis} is when the schedule was set (an interval ticks at anchor + k * every),
   * {@code lastTickMillis} when a tick last queued a run. A tick that fell due after both and has
   * not run (the app was down) runs once at the start. Null anchor: now; null last tick: none.
   */
  record State(
      String sync,
      Schedule schedule,
      boolean paused,
      Long anchorMillis,
      List<String> pending,
      int heartbeatSeconds,
      Long lastTickMillis) {}

  /** What a query shows: the run going on, those waiting, the next tick. */
  record Status(String running, List<String> pending, Long nextTickMillis, boolean paused) {}

  @WorkflowMethod(name = "SyncScheduler")
  void run(State state);

  /** Runs this queued run after any running one. */
  @SignalMethod
  void trigger(String runId);

  @SignalMethod
  void pause();

  @SignalMethod
  void resume();

  @SignalMethod
  void reschedule(Schedule schedule);

  /** Ends the scheduler after the run going on, if any. */
  @SignalMethod
  void stop();

  @QueryMethod
  Status status();

  static String workflowId(String sync) {
    return "sync-scheduler-" + sync;
  }
}
