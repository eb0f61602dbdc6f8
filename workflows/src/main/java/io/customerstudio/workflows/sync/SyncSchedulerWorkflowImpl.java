package io.customerstudio.workflows.sync;

import io.customerstudio.activities.sync.Schedule;
import io.customerstudio.activities.sync.SyncActivities;
import io.customerstudio.workflows.common.ActivityStubs;
import io.temporal.api.enums.v1.ParentClosePolicy;
import io.temporal.workflow.ChildWorkflowOptions;
import io.temporal.workflow.Workflow;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/** See {@link SyncSchedulerWorkflow}. Deterministic: time is workflow time, ids come by signal. */
public class SyncSchedulerWorkflowImpl implements SyncSchedulerWorkflow {

  static final int RUNS_PER_HISTORY = 100;

  private final SyncActivities steps =
      Workflow.newActivityStub(SyncActivities.class, ActivityStubs.QUICK);

  private final List<String> pending = new ArrayList<>();
  private Schedule schedule;
  private boolean paused;
  private boolean stopped;
  private boolean rescheduled;
  private String running;
  private Instant nextTick;
  private boolean started;
  private Boolean pausedBySignal;

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
    Instant anchor =
        state.anchorMillis() != null ? Instant.ofEpochMilli(state.anchorMillis()) : now();
    nextTick = schedule.next(now(), anchor).orElse(null);
    int runs = 0;
    while (!stopped) {
      if (rescheduled) {
        rescheduled = false;
        anchor = now();
        nextTick = paused ? null : schedule.next(now(), anchor).orElse(null);
      }
      if (!paused && nextTick != null && !now().isBefore(nextTick)) {
        String runId = steps.enqueue(state.sync(), "schedule");
        if (runId == null) {
          return; // the sync is gone
        }
        trigger(runId);
        // ticks missed while a run went on are one tick, not a backlog
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
      Workflow.continueAsNew(
          new State(
              state.sync(),
              schedule,
              paused,
              anchor.toEpochMilli(),
              List.copyOf(pending),
              state.heartbeatSeconds()));
    }
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
      Workflow.getLogger(SyncSchedulerWorkflowImpl.class)
          .warn("run {} ended abnormally: {}", runId, e.getMessage());
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
