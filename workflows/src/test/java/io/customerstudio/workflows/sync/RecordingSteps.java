package io.customerstudio.workflows.sync;

import io.customerstudio.activities.delivery.BatchRef;
import io.customerstudio.activities.sync.ScheduleActivities;
import io.customerstudio.activities.sync.SyncActivities;
import io.customerstudio.activities.sync.SyncEngine;
import io.temporal.failure.ApplicationFailure;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Activities that record what the workflows ask of them, for tests of the workflows' own logic
 * (ordering, ids, slicing, resumption, failure handling). The scheduler's ticks against the real
 * app store are tested in {@link SyncSchedulerRestartTest}. The real activities are tested end to
 * end in builder-ui against PostgreSQL and a local HTTP sink.
 */
class RecordingSteps implements SyncActivities, ScheduleActivities {

  final List<String> calls = Collections.synchronizedList(new ArrayList<>());
  final List<BatchRef> delivered = Collections.synchronizedList(new ArrayList<>());
  final AtomicInteger runs = new AtomicInteger();
  volatile SyncEngine.Progress progress =
      new SyncEngine.Progress(true, "s", false, false, false, 0);
  volatile int batches = 120;
  volatile String failDeliveryWith;
  final AtomicInteger failTicks = new AtomicInteger();

  @Override
  public String enqueue(String sync, String trigger) {
    calls.add("enqueue " + sync + " " + trigger);
    return "run" + runs.incrementAndGet();
  }

  @Override
  public String tick(String sync) {
    calls.add("tick " + sync);
    if (failTicks.getAndDecrement() > 0) {
      throw ApplicationFailure.newNonRetryableFailure("a tick that cannot be queued", "Test");
    }
    return "run" + runs.incrementAndGet();
  }

  @Override
  public java.util.Map<String, Long> govern(String runId) {
    calls.add("govern " + runId);
    return java.util.Map.of("holdout", 0L);
  }

  @Override
  public SyncEngine.Progress begin(String runId, String workflowId) {
    calls.add("begin " + runId + " " + workflowId);
    return progress;
  }

  /** Materialize attempts that go silent, as on a worker that died mid-step. */
  final AtomicInteger silentMaterializes = new AtomicInteger();

  @Override
  public long materialize(String runId) {
    calls.add("materialize " + runId);
    if (silentMaterializes.getAndDecrement() > 0) {
      try {
        Thread.sleep(15_000); // no heartbeat, no answer: what Temporal sees of a dead worker
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    return 1000;
  }

  @Override
  public SyncEngine.DiffResult diff(String runId) {
    calls.add("diff " + runId);
    return new SyncEngine.DiffResult(batches * 10L, 0, 0, batches, 10);
  }

  @Override
  public SyncEngine.Delivered deliver(String runId, List<BatchRef> refs) {
    calls.add("deliver " + runId + " " + refs.size());
    if (failDeliveryWith != null) {
      throw ApplicationFailure.newNonRetryableFailure(failDeliveryWith, "SyncConfiguration");
    }
    delivered.addAll(refs);
    return new SyncEngine.Delivered(refs.size(), refs.size() * 10L, 0);
  }

  @Override
  public void membership(String runId) {
    calls.add("membership " + runId);
  }

  @Override
  public String commit(String runId) {
    calls.add("commit " + runId);
    return "succeeded";
  }

  @Override
  public void end(String runId, String status, String error) {
    calls.add("end " + runId + " " + status + " " + error);
  }
}
