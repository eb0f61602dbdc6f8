package io.customerstudio.workflows.sync;

import io.customerstudio.activities.delivery.BatchRef;
import io.customerstudio.activities.sync.SyncActivities;
import io.customerstudio.activities.sync.SyncEngine;
import io.temporal.activity.ActivityCancellationType;
import io.temporal.activity.ActivityOptions;
import io.temporal.common.RetryOptions;
import io.temporal.failure.ActivityFailure;
import io.temporal.failure.ApplicationFailure;
import io.temporal.failure.CanceledFailure;
import io.temporal.failure.TimeoutFailure;
import io.temporal.workflow.Async;
import io.temporal.workflow.Promise;
import io.temporal.workflow.Workflow;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Carries ids and counts only. Batch idempotency keys ({@code <runId>-<batch>}) are made here, so
 * every attempt of a batch, in any worker, sends the same key. Delivery goes in slices of {@link
 * #SLICE} batches per activity call, which keeps the history short (a million rows at 500 a batch
 * is 40 calls) while heartbeats inside each call carry the batch checkpoint.
 */
public class SyncRunWorkflowImpl implements SyncRunWorkflow {

  static final int SLICE = 50;

  private static final RetryOptions RETRY =
      RetryOptions.newBuilder()
          .setInitialInterval(Duration.ofSeconds(1))
          .setBackoffCoefficient(2.0)
          .setMaximumInterval(Duration.ofMinutes(1))
          .setMaximumAttempts(5)
          .setDoNotRetry(SyncActivities.CONFIGURATION, SyncActivities.DESTINATION)
          .build();

  @Override
  public Result run(Input input) {
    String runId = input.runId();
    // every step heartbeats while it works, so a killed worker's step moves to another worker
    // after the heartbeat timeout, not after the two hours a whole step may take
    SyncActivities steps =
        Workflow.newActivityStub(
            SyncActivities.class,
            ActivityOptions.newBuilder()
                .setStartToCloseTimeout(Duration.ofHours(2))
                .setHeartbeatTimeout(Duration.ofSeconds(input.heartbeatSeconds()))
                .setRetryOptions(RETRY)
                .build());
    SyncActivities deliver =
        Workflow.newActivityStub(
            SyncActivities.class,
            ActivityOptions.newBuilder()
                .setStartToCloseTimeout(Duration.ofHours(2))
                .setHeartbeatTimeout(Duration.ofSeconds(input.heartbeatSeconds()))
                .setCancellationType(ActivityCancellationType.WAIT_CANCELLATION_COMPLETED)
                .setRetryOptions(RETRY)
                .build());
    try {
      SyncEngine.Progress progress = steps.begin(runId, Workflow.getInfo().getWorkflowId());
      if (!progress.go()) {
        return new Result(runId, "cancelled", 0, 0);
      }
      if (!progress.materialized()) {
        steps.materialize(runId);
      }
      // governance is its own step now; runs that began before it had their diff step govern
      int governStep = Workflow.getVersion("govern-step", Workflow.DEFAULT_VERSION, 1);
      if (governStep >= 1 && !progress.diffed() && !progress.governed()) {
        steps.govern(runId);
      }
      int batches = progress.diffed() ? progress.batches() : steps.diff(runId).batches();
      // the enter/exit log needs only the members: it is written while batches go out
      Promise<Void> membership = Async.procedure(steps::membership, runId);
      long delivered = 0;
      long rejected = 0;
      for (int from = 0; from < batches; from += SLICE) {
        List<BatchRef> slice = new ArrayList<>();
        for (int n = from; n < Math.min(batches, from + SLICE); n++) {
          slice.add(new BatchRef(n, runId + "-" + n));
        }
        SyncEngine.Delivered d = deliver.deliver(runId, slice);
        delivered += d.accepted();
        rejected += d.rejected();
      }
      membership.get();
      String status = steps.commit(runId);
      return new Result(runId, status, delivered, rejected);
    } catch (CanceledFailure e) {
      Workflow.newDetachedCancellationScope(
              () -> steps.end(runId, "cancelled", "cancelled while running"))
          .run();
      return new Result(runId, "cancelled", 0, 0);
    } catch (ActivityFailure e) {
      if (e.getCause() instanceof CanceledFailure) {
        Workflow.newDetachedCancellationScope(
                () -> steps.end(runId, "cancelled", "cancelled while delivering"))
            .run();
        return new Result(runId, "cancelled", 0, 0);
      }
      String why = reason(e);
      Workflow.newDetachedCancellationScope(() -> steps.end(runId, "failed", why)).run();
      return new Result(runId, "failed", 0, 0);
    }
  }

  /** The innermost message: what the step said, not the wrapping. */
  static String reason(ActivityFailure e) {
    Throwable c = e.getCause();
    String step = e.getActivityType().replaceFirst("^Sync", "").toLowerCase();
    if (c instanceof ApplicationFailure a) {
      return step + ": " + a.getOriginalMessage();
    }
    if (c instanceof TimeoutFailure t) {
      return step + ": timed out (" + t.getTimeoutType() + ")";
    }
    return step + ": " + (c == null ? e.getMessage() : c.getMessage());
  }
}
