package io.customerstudio.activities.sync;

import io.customerstudio.infra.store.RunStatus;
import io.customerstudio.infra.store.RunStore;
import io.customerstudio.query.ValidationException;
import io.temporal.activity.Activity;
import io.temporal.activity.ActivityExecutionContext;
import io.temporal.failure.ApplicationFailure;
import java.util.List;
import java.util.function.Supplier;

/**
 * The Temporal face of {@link SyncEngine}: heartbeats carry the delivery checkpoint, and failures
 * that a retry cannot fix (a deleted audience, a mapping the schema no longer has) are
 * non-retryable, so the run fails at once with the reason.
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
    return fatalOnBadInput(() -> engine.begin(runId, workflowId));
  }

  @Override
  public long materialize(String runId) {
    return fatalOnBadInput(() -> engine.materialize(runId));
  }

  @Override
  public SyncEngine.DiffResult diff(String runId) {
    return fatalOnBadInput(() -> engine.diff(runId));
  }

  @Override
  public SyncEngine.Delivered deliver(String runId, List<BatchRef> batches) {
    ActivityExecutionContext context = Activity.getExecutionContext();
    context.heartbeat(null);
    return fatalOnBadInput(() -> engine.deliver(runId, batches, context::heartbeat));
  }

  @Override
  public void membership(String runId) {
    fatalOnBadInput(
        () -> {
          engine.recordMembership(runId);
          return null;
        });
  }

  @Override
  public String commit(String runId) {
    return fatalOnBadInput(() -> engine.commit(runId)).wire();
  }

  @Override
  public void end(String runId, String status, String error) {
    engine.end(runId, RunStatus.of(status), error);
  }

  private static <T> T fatalOnBadInput(Supplier<T> step) {
    try {
      return step.get();
    } catch (SyncException | ValidationException e) {
      throw ApplicationFailure.newNonRetryableFailure(e.getMessage(), "SyncConfiguration");
    }
  }
}
