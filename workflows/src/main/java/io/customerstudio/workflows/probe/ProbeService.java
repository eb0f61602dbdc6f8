package io.customerstudio.workflows.probe;

import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowOptions;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** Runs {@link ProbeWorkflow} and measures the round trip; callers see a timeout as a failure. */
public class ProbeService {

  /** The outcome of one probe: the round-trip time, or why it failed. */
  public record Probe(
      boolean ok, long roundTripMillis, ProbeWorkflow.ProbeResult result, String error) {}

  private final WorkflowClient client;
  private final String taskQueue;

  public ProbeService(WorkflowClient client, String taskQueue) {
    this.client = client;
    this.taskQueue = taskQueue;
  }

  public Probe run(Duration timeout) {
    ProbeWorkflow stub =
        client.newWorkflowStub(
            ProbeWorkflow.class,
            WorkflowOptions.newBuilder()
                .setTaskQueue(taskQueue)
                .setWorkflowId("probe/" + UUID.randomUUID())
                .setWorkflowExecutionTimeout(timeout)
                .build());
    long started = System.nanoTime();
    try {
      CompletableFuture<ProbeWorkflow.ProbeResult> future = WorkflowClient.execute(stub::probe);
      ProbeWorkflow.ProbeResult result = future.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
      return new Probe(true, (System.nanoTime() - started) / 1_000_000, result, null);
    } catch (TimeoutException e) {
      return new Probe(false, timeout.toMillis(), null, "no worker answered within " + timeout);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return new Probe(false, 0, null, "interrupted");
    } catch (ExecutionException | RuntimeException e) {
      Throwable cause = e instanceof ExecutionException ? e.getCause() : e;
      return new Probe(false, (System.nanoTime() - started) / 1_000_000, null, cause.getMessage());
    }
  }
}
