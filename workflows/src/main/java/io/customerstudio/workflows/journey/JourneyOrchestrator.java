package io.customerstudio.workflows.journey;

import io.customerstudio.infra.store.JourneyStore;
import io.temporal.client.BatchRequest;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowOptions;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Starts and wakes journeys' workflows. {@link #nudge} reaches a journey's workflow whether or not
 * it runs (signal-with-start), so a publish, a resume or a restart needs nothing else. Events wake
 * every running journey, coalesced: however many events arrive, each journey gets at most one nudge
 * per {@link #COALESCE_MILLIS}, so a burst of requests never floods a workflow's history.
 */
public class JourneyOrchestrator implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(JourneyOrchestrator.class);

  /** At most one event nudge per journey this often. */
  static final long COALESCE_MILLIS = 200;

  private final WorkflowClient client;
  private final String taskQueue;
  private final JourneyStore journeys;
  private final AtomicBoolean eventsPending = new AtomicBoolean();
  private final Set<String> pending = ConcurrentHashMap.newKeySet();
  private final ScheduledExecutorService ticker;

  public JourneyOrchestrator(WorkflowClient client, String taskQueue, JourneyStore journeys) {
    this.client = client;
    this.taskQueue = taskQueue;
    this.journeys = journeys;
    this.ticker =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "journey-nudges");
              t.setDaemon(true);
              return t;
            });
    ticker.scheduleWithFixedDelay(
        this::flush, COALESCE_MILLIS, COALESCE_MILLIS, TimeUnit.MILLISECONDS);
  }

  /**
   * Wakes the journey's workflow now, starting it if it does not run. Call after anything that
   * changes what the journey should do (publish, pause, resume, stop).
   */
  public void nudge(String journey) {
    JourneyWorkflow wf =
        client.newWorkflowStub(
            JourneyWorkflow.class,
            WorkflowOptions.newBuilder()
                .setWorkflowId(JourneyWorkflow.workflowId(journey))
                .setTaskQueue(taskQueue)
                .build());
    BatchRequest request = client.newSignalWithStartRequest();
    request.add(wf::run, journey);
    request.add(wf::nudge);
    client.signalWithStart(request);
  }

  /** Events were appended: every running journey looks at them within {@link #COALESCE_MILLIS}. */
  public void eventsArrived() {
    eventsPending.set(true);
  }

  /** Wakes this journey soon (coalesced with other calls). */
  public void nudgeSoon(String journey) {
    pending.add(journey);
  }

  private void flush() {
    try {
      if (eventsPending.getAndSet(false)) {
        pending.addAll(journeys.running());
      }
      List<String> keys = List.copyOf(pending);
      for (String key : keys) {
        pending.remove(key);
        try {
          nudge(key);
        } catch (RuntimeException e) {
          log.atWarn()
              .addKeyValue("journey", key)
              .log("nudging journey {} failed: {}", key, e.getMessage());
        }
      }
    } catch (RuntimeException e) {
      log.atWarn().log("journey nudges failed: {}", e.getMessage());
    }
  }

  /**
   * After a start: every live or paused journey gets its workflow (on the in-process server none
   * survived; on a cluster the signal reaches the one that runs). Everything they need is in the
   * app store, so they continue where they were.
   */
  public void recover() {
    List<String> keys = journeys.running();
    keys.forEach(this::nudge);
    if (!keys.isEmpty()) {
      log.atInfo().addKeyValue("journeys", keys.size()).log("{} journeys resumed", keys.size());
    }
  }

  @Override
  public void close() {
    ticker.shutdownNow();
  }
}
