package io.customerstudio.workflows.sync;

import io.customerstudio.activities.sync.Schedule;
import io.customerstudio.activities.sync.ScheduleActivities;
import io.customerstudio.activities.sync.SyncActivities;
import io.customerstudio.workflows.common.ActivityStubs;
import io.temporal.api.enums.v1.ParentClosePolicy;
import io.temporal.failure.ActivityFailure;
import io.temporal.workflow.ChildWorkflowOptions;
import io.temporal.workflow.Workflow;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;

/**
 * See {@link SyncSchedulerWorkflow}. Deterministic: time is workflow time, ids come by signal.
 *
 * <p>Versions ({@link Workflow#getVersion}): before {@value #SCHEDULE_FROM_STORE} 1, a start or a
 * reschedule anchored the interval at that moment and a tick queued its run through {@code
 * SyncActivities.enqueue}; histories from then replay on that path.
 */
public class SyncSchedulerWorkflowImpl implements SyncSchedulerWorkflow {

  static final int RUNS_PER_HISTORY = 100;

  /**
   * Version 1: ticks follow the anchor and last tick the scheduler was started with (a missed one
   * runs once at the start), only a changed schedule or a resume re-anchors, and a tick is queued
   * and recorded by {@link ScheduleActivities#tick}.
   */
  static final String SCHEDULE_FROM_STORE = "schedule-from-store";

  private static final Logger log = Workflow.getLogger(SyncSchedulerWorkflowImpl.class);

  /** Before {@link #SCHEDULE_FROM_STORE}: replays of older histories queue ticks through this. */
  private final SyncActivities steps =
      Workflow.newActivityStub(SyncActivities.class, ActivityStubs.UNTIL_DONE);

  private final ScheduleActivities ticks =
      Workflow.newActivityStub(ScheduleActivities.class, ActivityStubs.UNTIL_DONE);

  private final List<String> pending = new ArrayList<>();
  private Schedule schedule;
  private boolean paused;
  private boolean stopped;
  private boolean rescheduled;
  private boolean resumed;
  private String running;
  private Instant nextTick;
  private boolean started;
  private Boolean pausedBySignal;

  /** The schedule the anchor was set for: a reschedule to the same one keeps the anchor. */
  private Schedule anchored;

  private Instant anchor;
  private Instant lastTick;

  @Override
  public void run(State state) {
    // signals that came with the start (signal-with-start, or sent before the first task) are
    // handled before this method runs: what they set is newer than the state, so it stands
    if (schedule == null) {
      schedule = state.schedule();
    }
    paused = pausedBySignal != null ? pausedBySignal : state.paused();
    started = true;
    if (state.pending() != null) {
      state.pending().forEach(this::trigger);
    }
    boolean fromStore =
        Workflow.getVersion(SCHEDULE_FROM_STORE, Workflow.DEFAULT_VERSION, 1)
            != Workflow.DEFAULT_VERSION;
    anchored = state.schedule();
    anchor = state.anchorMillis() != null ? Instant.ofEpochMilli(state.anchorMillis()) : now();
    lastTick = state.lastTickMillis() != null ? Instant.ofEpochMilli(state.lastTickMillis()) : null;
    nextTick = fromStore ? owedTick() : schedule.next(now(), anchor).orElse(null);
    int runs = 0;
    while (!stopped) {
      if (rescheduled) {
        rescheduled = false;
        if (fromStore) {
          // the same schedule applied again (every app start does) keeps its anchor
          if (resumed || !schedule.equals(anchored)) {
            anchor = now();
            anchored = schedule;
          }
          resumed = false;
          nextTick = paused ? null : owedTick();
        } else {
          anchor = now();
          nextTick = paused ? null : schedule.next(now(), anchor).orElse(null);
        }
      }
      if (!paused && nextTick != null && !now().isBefore(nextTick)) {
        try {
          String runId =
              fromStore ? ticks.tick(state.sync()) : steps.enqueue(state.sync(), "schedule");
          if (runId == null) {
            return; // the sync is gone
          }
          lastTick = now();
          trigger(runId);
        } catch (ActivityFailure e) {
          // an unavailable store is retried until it is back; only a failure no retry can fix
          // gets here, and it must not end the scheduler: this tick is dropped, the next tries
          log.error("sync {}: a tick could not queue its run: {}", state.sync(), e.getMessage());
        }
        // ticks missed while a run went on (or the store was down) are one tick, not a backlog
        nextTick = schedule.next(now(), anchor).orElse(null);
      }
      if (!paused && !pending.isEmpty()) {
        running = pending.remove(0);
        runChild(running, state.heartbeatSeconds());
        running = null;
        runs++;
        if (runs >= RUNS_PER_HISTORY || Workflow.getInfo().isContinueAsNewSuggested()) {
          break;
        }
        continue;
      }
      if (paused || nextTick == null) {
        Workflow.await(this::woken);
      } else {
        Workflow.await(Duration.between(now(), nextTick), this::woken);
      }
    }
    if (!stopped) {
      // before SCHEDULE_FROM_STORE the next execution counted from its own start: "now" keeps that
      Instant served = fromStore ? lastTick : now();
      Workflow.continueAsNew(
          new State(
              state.sync(),
              schedule,
              paused,
              anchor.toEpochMilli(),
              List.copyOf(pending),
              state.heartbeatSeconds(),
              served == null ? null : served.toEpochMilli()));
    }
  }

  /**
   * The first tick after both the anchor and the last tick. It may be past (the app was down when
   * it fell due): then it runs at once, and only once, since the tick after it counts from now.
   */
  private Instant owedTick() {
    Instant from = lastTick != null && lastTick.isAfter(anchor) ? lastTick : anchor;
    return schedule.next(from, anchor).orElse(null);
  }

  private boolean woken() {
    return stopped || rescheduled || (!paused && !pending.isEmpty());
  }

  private void runChild(String runId, int heartbeatSeconds) {
    SyncRunWorkflow child =
        Workflow.newChildWorkflowStub(
            SyncRunWorkflow.class,
            ChildWorkflowOptions.newBuilder()
                .setWorkflowId(SyncRunWorkflow.workflowId(runId))
                .setParentClosePolicy(ParentClosePolicy.PARENT_CLOSE_POLICY_ABANDON)
                .build());
    try {
      child.run(new SyncRunWorkflow.Input(runId, heartbeatSeconds));
    } catch (io.temporal.failure.ChildWorkflowFailure e) {
      // the run recorded its own outcome; the scheduler goes on with the next one
      log.warn("run {} ended abnormally: {}", runId, e.getMessage());
    }
  }

  private Instant now() {
    return Instant.ofEpochMilli(Workflow.currentTimeMillis());
  }

  @Override
  public void trigger(String runId) {
    if (!pending.contains(runId) && !runId.equals(running)) {
      pending.add(runId);
    }
  }

  @Override
  public void pause() {
    if (!started) {
      pausedBySignal = true;
    } else if (!paused) {
      paused = true;
      rescheduled = true;
    }
  }

  @Override
  public void resume() {
    if (!started) {
      pausedBySignal = false;
    } else if (paused) {
      paused = false;
      resumed = true;
      rescheduled = true;
    }
  }

  @Override
  public void reschedule(Schedule schedule) {
    this.schedule = schedule;
    rescheduled = true;
  }

  @Override
  public void stop() {
    stopped = true;
  }

  @Override
  public Status status() {
    return new Status(
        running, List.copyOf(pending), nextTick == null ? null : nextTick.toEpochMilli(), paused);
  }
}
