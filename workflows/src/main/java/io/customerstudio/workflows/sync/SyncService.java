package io.customerstudio.workflows.sync;

import io.customerstudio.activities.sync.Schedule;
import io.customerstudio.infra.store.RunStatus;
import io.customerstudio.infra.store.RunStore;
import io.customerstudio.infra.store.SyncStore;
import io.temporal.client.BatchRequest;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowNotFoundException;
import io.temporal.client.WorkflowOptions;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Starts, signals and cancels sync workflows. Runs are queued in the app store first (which
 * coalesces triggers into a run already waiting), then handed to the sync's scheduler by
 * signal-with-start, so a trigger reaches a scheduler whether or not one is running.
 */
public class SyncService {

  private static final Logger log = LoggerFactory.getLogger(SyncService.class);

  /** Why a run cannot be replayed or cancelled; the API answers 409 with the message. */
  public static class Refused extends RuntimeException {
    public Refused(String message) {
      super(message);
    }
  }

  private final WorkflowClient client;
  private final String taskQueue;
  private final SyncStore syncs;
  private final RunStore runs;
  private final int heartbeatSeconds;

  public SyncService(
      WorkflowClient client,
      String taskQueue,
      SyncStore syncs,
      RunStore runs,
      int heartbeatSeconds) {
    this.client = client;
    this.taskQueue = taskQueue;
    this.syncs = syncs;
    this.runs = runs;
    this.heartbeatSeconds = heartbeatSeconds;
  }

  /**
   * Queues a run (or joins the one waiting) and hands it to the scheduler.
   *
   * @return empty when there is no such sync
   */
  public Optional<RunStore.Enqueued> trigger(String syncKey, String trigger) {
    return trigger(syncKey, trigger, null);
  }

  /**
   * As {@link #trigger(String, String)}, for a person ({@code requestedBy}, a username): the run
   * records who asked, so it delivers only the rows of her subsets.
   */
  public Optional<RunStore.Enqueued> trigger(String syncKey, String trigger, String requestedBy) {
    SyncStore.Sync sync = syncs.find(syncKey).orElse(null);
    if (sync == null) {
      return Optional.empty();
    }
    if (!sync.enabled()) {
      throw new Refused("sync " + syncKey + " is disabled; enable it to run it");
    }
    RunStore.Enqueued e = runs.enqueue(syncKey, trigger, requestedBy).orElseThrow();
    signalWithStart(sync, s -> s.trigger(e.runId()));
    return Optional.of(e);
  }

  /**
   * Resumes a failed or interrupted run where it stopped. Only the sync's newest run can be
   * replayed: a later run has already diffed against what this one delivered.
   */
  public void replay(String runId) {
    RunStore.Run run = runs.find(runId).orElseThrow(() -> new Refused("no run " + runId));
    if (!run.status().replayable()) {
      throw new Refused(
          "run "
              + runId
              + " is "
              + run.status().wire()
              + "; only failed or interrupted runs replay");
    }
    if (run.purged()) {
      throw new Refused(
          "run "
              + runId
              + " ended longer ago than the run retention (STUDIO_SYNC_RUN_RETENTION) and its"
              + " working tables are gone; start a new run instead");
    }
    RunStore.Run latest = runs.latestStarted(run.sync()).orElse(run);
    if (!latest.runId().equals(runId)) {
      throw new Refused(
          "run "
              + latest.runId()
              + " started after this one and superseded it; start a new run instead");
    }
    SyncStore.Sync sync =
        syncs.find(run.sync()).orElseThrow(() -> new Refused("sync " + run.sync() + " is gone"));
    if (!sync.enabled()) {
      throw new Refused("sync " + sync.key() + " is disabled; enable it to replay its runs");
    }
    if (!runs.requeue(runId)) {
      throw new Refused("run " + runId + " changed meanwhile; reload it");
    }
    signalWithStart(sync, s -> s.trigger(runId));
  }

  /** Cancels a queued run at once, or asks a working one to stop after its current batch. */
  public void cancel(String runId) {
    RunStore.Run run = runs.find(runId).orElseThrow(() -> new Refused("no run " + runId));
    if (runs.cancelQueued(runId)) {
      return;
    }
    if (!run.status().inFlight()) {
      throw new Refused("run " + runId + " has already ended (" + run.status().wire() + ")");
    }
    try {
      client.newUntypedWorkflowStub(SyncRunWorkflow.workflowId(runId)).cancel();
    } catch (WorkflowNotFoundException e) {
      runs.finish(runId, RunStatus.CANCELLED, "cancelled; its workflow was gone");
    }
  }

  /**
   * After a create, an edit or a restart: the scheduler follows the sync's schedule and enabled
   * flag. Only a changed schedule (or enabling the sync) re-anchors an interval; the store and the
   * running scheduler each tell it from the schedule they have.
   */
  public void apply(SyncStore.Sync sync) {
    if (!sync.enabled()) {
      signalIfRunning(sync.key(), s -> s.pause());
      runs.list(sync.key(), 5).stream()
          .filter(r -> r.status() == RunStatus.QUEUED)
          .forEach(r -> runs.cancelQueued(r.runId()));
      return;
    }
    signalWithStart(sync, s -> s.reschedule(schedule(sync)));
    signalWithStart(sync, SyncSchedulerWorkflow::resume);
  }

  /**
   * Sends a signal to the sync's scheduler, starting it first if it is not running. A stub starts
   * one execution, so each call takes a fresh one.
   */
  private void signalWithStart(
      SyncStore.Sync sync, java.util.function.Consumer<SyncSchedulerWorkflow> signal) {
    SyncSchedulerWorkflow scheduler = scheduler(sync);
    BatchRequest request = client.newSignalWithStartRequest();
    request.add(scheduler::run, initial(sync));
    request.add(() -> signal.accept(scheduler));
    client.signalWithStart(request);
  }

  /** Before a delete: the scheduler stops; a run going on is cancelled. */
  public void remove(String syncKey) {
    signalIfRunning(syncKey, SyncSchedulerWorkflow::stop);
    for (RunStore.Run r : runs.list(syncKey, 5)) {
      if (r.status().inFlight()) {
        try {
          cancel(r.runId());
        } catch (Refused e) {
          // ended meanwhile
        }
      }
    }
  }

  /**
   * After a restart. On the in-process server nothing survived: runs that were in flight become
   * interrupted (replayable) and every enabled sync gets its scheduler back, started from the
   * schedule's anchor and last tick in the app store, so its next tick is the one the schedule owes
   * (a tick that fell due while the app was down runs once, at once), not one counted from this
   * start. On a cluster the schedulers are still there: signal-with-start reaches them with the
   * schedule they already follow, which changes nothing.
   */
  public void recover(boolean serverWasRestarted) {
    if (serverWasRestarted) {
      int n = runs.interruptInFlight("the app stopped while this run was in flight; replay it");
      if (n > 0) {
        log.atWarn().addKeyValue("runs", n).log("{} runs were in flight at the last stop", n);
      }
    }
    List<SyncStore.Sync> enabled = syncs.enabled();
    enabled.forEach(this::apply);
    if (serverWasRestarted) {
      // a run queued but not started when the app stopped still runs: its scheduler gets it again
      for (SyncStore.Sync sync : enabled) {
        runs.list(sync.key(), 5).stream()
            .filter(r -> r.status() == RunStatus.QUEUED)
            .forEach(r -> signalWithStart(sync, s -> s.trigger(r.runId())));
      }
    }
    log.atInfo()
        .addKeyValue("syncs", enabled.size())
        .log("schedulers ready for {} syncs", enabled.size());
  }

  /** The scheduler's view, when it runs. */
  public Optional<SyncSchedulerWorkflow.Status> status(String syncKey) {
    try {
      return Optional.of(
          client
              .newWorkflowStub(
                  SyncSchedulerWorkflow.class, SyncSchedulerWorkflow.workflowId(syncKey))
              .status());
    } catch (WorkflowNotFoundException | io.temporal.client.WorkflowQueryException e) {
      return Optional.empty();
    }
  }

  private void signalIfRunning(
      String syncKey, java.util.function.Consumer<SyncSchedulerWorkflow> signal) {
    try {
      signal.accept(
          client.newWorkflowStub(
              SyncSchedulerWorkflow.class, SyncSchedulerWorkflow.workflowId(syncKey)));
    } catch (WorkflowNotFoundException e) {
      // nothing to tell
    }
  }

  private SyncSchedulerWorkflow.State initial(SyncStore.Sync sync) {
    return new SyncSchedulerWorkflow.State(
        sync.key(),
        schedule(sync),
        !sync.enabled(),
        millis(sync.scheduleAnchor()),
        List.of(),
        heartbeatSeconds,
        millis(sync.lastTickAt()));
  }

  private static Long millis(java.time.OffsetDateTime at) {
    return at == null ? null : at.toInstant().toEpochMilli();
  }

  private SyncSchedulerWorkflow scheduler(SyncStore.Sync sync) {
    return client.newWorkflowStub(
        SyncSchedulerWorkflow.class,
        WorkflowOptions.newBuilder()
            .setWorkflowId(SyncSchedulerWorkflow.workflowId(sync.key()))
            .setTaskQueue(taskQueue)
            .build());
  }

  public static Schedule schedule(SyncStore.Sync sync) {
    return Schedule.of(sync.schedule());
  }
}
