package io.customerstudio.activities.sync;

import io.customerstudio.activities.delivery.BatchRef;
import io.customerstudio.activities.delivery.DeliveryAborted;
import io.customerstudio.activities.delivery.DestinationFailed;
import io.customerstudio.infra.store.RunStatus;
import io.customerstudio.infra.store.RunStore;
import io.customerstudio.query.ValidationException;
import io.temporal.activity.Activity;
import io.temporal.activity.ActivityExecutionContext;
import io.temporal.activity.ActivityInfo;
import io.temporal.client.ActivityCompletionException;
import io.temporal.failure.ApplicationFailure;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * The Temporal face of {@link SyncEngine}. Every step heartbeats from a ticker while it works (a
 * long statement in the warehouse, a batch waiting on retries), so a dead worker is noticed within
 * the heartbeat timeout in every step, not only delivery. Failures that a retry cannot fix (a
 * deleted audience, a mapping the schema no longer has, a destination that refused a batch or
 * outlasted its outage budget) are non-retryable, so the run fails at once with the reason.
 */
public class SyncActivitiesImpl implements SyncActivities {

  private final SyncEngine engine;
  private final RunStore runs;

  public SyncActivitiesImpl(SyncEngine engine, RunStore runs) {
    this.engine = engine;
    this.runs = runs;
  }

  @Override
  public String enqueue(String sync, String trigger) {
    return runs.enqueue(sync, trigger).map(RunStore.Enqueued::runId).orElse(null);
  }

  @Override
  public SyncEngine.Progress begin(String runId, String workflowId) {
    return step(() -> engine.begin(runId, workflowId));
  }

  @Override
  public long materialize(String runId) {
    return step(() -> engine.materialize(runId));
  }

  @Override
  public java.util.Map<String, Long> govern(String runId) {
    return step(() -> engine.govern(runId));
  }

  @Override
  public SyncEngine.DiffResult diff(String runId) {
    return step(() -> engine.diff(runId));
  }

  @Override
  public SyncEngine.Delivered deliver(String runId, List<BatchRef> batches) {
    ActivityExecutionContext context = Activity.getExecutionContext();
    ActivityInfo info = context.getInfo();
    String holder = info.getWorkflowId() + "/" + info.getActivityId() + "#" + info.getAttempt();
    try {
      // the delivery core heartbeats while batches go out; the step's ticker covers the rest
      // (looking the run up, advancing the state after the slice)
      return step(() -> engine.deliver(runId, batches, holder, () -> context.heartbeat(null)));
    } catch (DeliveryAborted e) {
      // cancelled, or the attempt is over for Temporal: report it as such
      if (e.getCause() instanceof ActivityCompletionException c) {
        throw c;
      }
      throw e;
    }
  }

  @Override
  public void membership(String runId) {
    step(
        () -> {
          engine.recordMembership(runId);
          return null;
        });
  }

  @Override
  public String commit(String runId) {
    return step(() -> engine.commit(runId)).wire();
  }

  @Override
  public void end(String runId, String status, String error) {
    step(
        () -> {
          engine.end(runId, RunStatus.of(status), error);
          return null;
        });
  }

  /** Runs a step while a ticker heartbeats, so a silent (dead) worker is noticed quickly. */
  private static <T> T step(Supplier<T> work) {
    ActivityExecutionContext context = Activity.getExecutionContext();
    Duration timeout = context.getInfo().getHeartbeatTimeout();
    if (timeout == null || timeout.isZero()) {
      return fatalOnBadInput(work);
    }
    long every = Math.max(200, timeout.toMillis() / 4);
    ScheduledExecutorService ticker =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "heartbeat " + context.getInfo().getActivityType());
              t.setDaemon(true);
              return t;
            });
    ticker.scheduleWithFixedDelay(
        () -> {
          try {
            context.heartbeat(null);
          } catch (RuntimeException e) {
            ticker.shutdown(); // the attempt is over; the step's result will be discarded
          }
        },
        0,
        every,
        TimeUnit.MILLISECONDS);
    try {
      return fatalOnBadInput(work);
    } finally {
      ticker.shutdownNow();
    }
  }

  private static <T> T fatalOnBadInput(Supplier<T> step) {
    try {
      return step.get();
    } catch (SyncException | ValidationException e) {
      throw ApplicationFailure.newNonRetryableFailure(e.getMessage(), CONFIGURATION);
    } catch (DestinationFailed e) {
      throw ApplicationFailure.newNonRetryableFailure(e.getMessage(), DESTINATION);
    }
  }
}
