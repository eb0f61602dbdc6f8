package io.customerstudio.workflows.sync;

import static org.assertj.core.api.Assertions.assertThat;

import io.customerstudio.activities.delivery.BatchRef;
import io.customerstudio.activities.sync.SyncEngine;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowOptions;
import io.temporal.testing.TestWorkflowEnvironment;
import io.temporal.testing.WorkflowReplayer;
import io.temporal.worker.Worker;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The run workflow's own logic: step order, idempotency keys, slices, resumption, failures. */
class SyncRunWorkflowTest {

  TestWorkflowEnvironment env;
  RecordingSteps steps;
  WorkflowClient client;

  @BeforeEach
  void start() {
    env = TestWorkflowEnvironment.newInstance();
    Worker worker = env.newWorker("q");
    worker.registerWorkflowImplementationTypes(SyncRunWorkflowImpl.class);
    steps = new RecordingSteps();
    worker.registerActivitiesImplementations(steps);
    env.start();
    client = env.getWorkflowClient();
  }

  @AfterEach
  void stop() {
    env.close();
  }

  SyncRunWorkflow.Result run(String runId) {
    return client
        .newWorkflowStub(
            SyncRunWorkflow.class,
            WorkflowOptions.newBuilder()
                .setTaskQueue("q")
                .setWorkflowId(SyncRunWorkflow.workflowId(runId))
                .build())
        .run(new SyncRunWorkflow.Input(runId, 30));
  }

  @Test
  void aStepOfADeadWorkerIsRetriedAfterTheHeartbeatTimeoutNotTheStepsTwoHours() {
    steps.silentMaterializes.set(1);
    long start = System.nanoTime();
    SyncRunWorkflow.Result r =
        client
            .newWorkflowStub(
                SyncRunWorkflow.class,
                WorkflowOptions.newBuilder()
                    .setTaskQueue("q")
                    .setWorkflowId(SyncRunWorkflow.workflowId("dead"))
                    .build())
            .run(new SyncRunWorkflow.Input("dead", 2));

    assertThat(r.status()).isEqualTo("succeeded");
    assertThat(steps.calls.stream().filter(c -> c.equals("materialize dead"))).hasSize(2);
    // noticed after the 2 s heartbeat timeout (plus the retry's backoff), long before the silent
    // attempt would have answered
    assertThat(java.time.Duration.ofNanos(System.nanoTime() - start))
        .isLessThan(java.time.Duration.ofSeconds(12));
  }

  @Test
  void aFreshRunPlansMaterializesDiffsDeliversInSlicesAndCommits() throws Exception {
    SyncRunWorkflow.Result r = run("r1");

    assertThat(r.status()).isEqualTo("succeeded");
    assertThat(r.delivered()).isEqualTo(1200);
    assertThat(withoutMembership())
        .containsExactly(
            "begin r1 sync-run-r1",
            "materialize r1",
            "govern r1",
            "diff r1",
            "deliver r1 50",
            "deliver r1 50",
            "deliver r1 20",
            "commit r1");
    // every batch once, keyed <runId>-<batch>: the same key on any retry or replay
    assertThat(steps.delivered)
        .extracting(BatchRef::idempotencyKey)
        .containsExactlyElementsOf(IntStream.range(0, 120).mapToObj(n -> "r1-" + n).toList());
    // the enter/exit log is written alongside delivery, and always before the commit
    assertThat(steps.calls.indexOf("membership r1"))
        .isPositive()
        .isLessThan(steps.calls.indexOf("commit r1"));
    keep("sync-run", "r1");
  }

  @Test
  void aReplayOfADiffedRunGoesStraightToDelivery() throws Exception {
    steps.progress = new SyncEngine.Progress(true, "s", true, true, true, 7);
    SyncRunWorkflow.Result r = run("r2");
    assertThat(r.status()).isEqualTo("succeeded");
    assertThat(withoutMembership())
        .containsExactly("begin r2 sync-run-r2", "deliver r2 7", "commit r2");
    assertThat(steps.calls).contains("membership r2");
    keep("sync-run-resumed", "r2");
  }

  @Test
  void aRunCancelledBeforeItStartedDoesNothing() {
    steps.progress = new SyncEngine.Progress(false, "s", false, false, false, 0);
    assertThat(run("r3").status()).isEqualTo("cancelled");
    assertThat(steps.calls).containsExactly("begin r3 sync-run-r3");
  }

  @Test
  void aFailingStepEndsTheRunFailedWithItsReason() {
    steps.failDeliveryWith = "destination crm-hook no longer exists";
    SyncRunWorkflow.Result r = run("r4");
    assertThat(r.status()).isEqualTo("failed");
    assertThat(steps.calls)
        .last()
        .isEqualTo("end r4 failed deliver: destination crm-hook no longer exists");
  }

  @Test
  void replaysTheCheckedInHistories() throws Exception {
    for (String name : new String[] {"sync-run", "sync-run-resumed"}) {
      WorkflowReplayer.replayWorkflowExecution(checkedIn(name), SyncRunWorkflowImpl.class);
    }
  }

  private java.util.List<String> withoutMembership() {
    return steps.calls.stream().filter(c -> !c.startsWith("membership")).toList();
  }

  /** Keeps this run's history under target/histories and replays it against today's code. */
  private void keep(String name, String runId) throws Exception {
    String history = client.fetchHistory(SyncRunWorkflow.workflowId(runId)).toJson(true);
    Path out = Path.of("target/histories/" + name + ".json");
    Files.createDirectories(out.getParent());
    Files.writeString(out, history);
    WorkflowReplayer.replayWorkflowExecution(history, SyncRunWorkflowImpl.class);
  }

  static String checkedIn(String name) throws Exception {
    try (var in = SyncRunWorkflowTest.class.getResourceAsStream("/histories/" + name + ".json")) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }
}
