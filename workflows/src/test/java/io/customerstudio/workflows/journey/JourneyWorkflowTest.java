package io.customerstudio.workflows.journey;

import static org.assertj.core.api.Assertions.assertThat;

import io.customerstudio.activities.journey.JourneyActivities;
import io.customerstudio.activities.journey.JourneyActivities.Tick;
import io.temporal.api.common.v1.WorkflowExecution;
import io.temporal.api.enums.v1.EventType;
import io.temporal.api.history.v1.HistoryEvent;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowOptions;
import io.temporal.common.WorkflowExecutionHistory;
import io.temporal.testing.TestWorkflowEnvironment;
import io.temporal.testing.WorkflowReplayer;
import io.temporal.worker.Worker;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The journey workflow's own logic over skipped time, with a scripted advance step: it sleeps until
 * the next person is due (at most a minute at a time), a nudge wakes it early, {@code more} calls
 * again at once, {@code finished} ends it, and it continues as new long before Temporal's history
 * limit; plus a replay of a checked-in history.
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class JourneyWorkflowTest {

  /** One call of the step: the journey and the workflow time it was given. */
  record Call(String journey, long now) {}

  /** What the step answers to its n-th call (0-based) at workflow time {@code now}. */
  interface Script {
    Tick answer(int n, long now);
  }

  /** The advance step, recording its calls and answering from a script. */
  static final class ScriptedSteps implements JourneyActivities {
    final List<Call> calls = Collections.synchronizedList(new ArrayList<>());
    final Semaphore called = new Semaphore(0);
    volatile Script script = (n, now) -> new Tick(true, false, 0);

    @Override
    public Tick advance(String journey, long nowMillis) {
      int n;
      synchronized (calls) {
        n = calls.size();
        calls.add(new Call(journey, nowMillis));
      }
      Tick t = script.answer(n, nowMillis);
      called.release();
      return t;
    }
  }

  TestWorkflowEnvironment env;
  ScriptedSteps steps;
  WorkflowClient client;

  @BeforeEach
  void start() {
    env = TestWorkflowEnvironment.newInstance();
    Worker worker = env.newWorker("q");
    worker.registerWorkflowImplementationTypes(JourneyWorkflowImpl.class);
    steps = new ScriptedSteps();
    worker.registerActivitiesImplementations(steps);
    env.start();
    client = env.getWorkflowClient();
  }

  @AfterEach
  void stop() {
    env.close();
  }

  JourneyWorkflow stub(String journey) {
    return client.newWorkflowStub(
        JourneyWorkflow.class,
        WorkflowOptions.newBuilder()
            .setTaskQueue("q")
            .setWorkflowId(JourneyWorkflow.workflowId(journey))
            .build());
  }

  /** Runs the journey's workflow to its end. */
  void run(String journey) {
    stub(journey).run(journey);
  }

  List<Call> calls() {
    synchronized (steps.calls) {
      return List.copyOf(steps.calls);
    }
  }

  @Test
  void finishedEndsTheWorkflowAfterOneStep() {
    run("gone");
    assertThat(calls()).containsExactly(new Call("gone", calls().get(0).now()));
    assertThat(timers("gone")).isZero();
  }

  @Test
  void aPersonDueInThreeDaysIsMovedAtThatWorkflowTimeWakingAtMostEveryMinute() {
    long[] due = {0};
    steps.script =
        (n, now) -> {
          if (n == 0) {
            due[0] = now + Duration.ofDays(3).toMillis();
          }
          // the step moves the person once they are due; the journey is then stopped
          return now >= due[0] ? new Tick(true, false, 0) : new Tick(false, false, due[0]);
        };
    long started = System.nanoTime();
    run("later");

    List<Call> calls = calls();
    Call last = calls.get(calls.size() - 1);
    assertThat(last.now()).isBetween(due[0], due[0] + 1_000);
    // the longest sleep is a minute (a lost nudge delays nobody longer): 3 days of them
    for (int i = 1; i < calls.size(); i++) {
      assertThat(calls.get(i).now() - calls.get(i - 1).now())
          .isLessThanOrEqualTo(JourneyWorkflowImpl.LONGEST_SLEEP.toMillis() + 1_000);
    }
    assertThat(calls.size()).isBetween(3 * 24 * 60, 3 * 24 * 60 + 2);
    assertThat(Duration.ofNanos(System.nanoTime() - started))
        .as("3 days of skipped time")
        .isLessThan(Duration.ofMinutes(2));
  }

  @Test
  void nobodyOnATimerSleepsTheLongestSleep() {
    steps.script = (n, now) -> new Tick(n == 1, false, 0);
    run("idle");
    List<Call> calls = calls();
    assertThat(calls).hasSize(2);
    assertThat(calls.get(1).now() - calls.get(0).now())
        .isBetween(
            JourneyWorkflowImpl.LONGEST_SLEEP.toMillis(),
            JourneyWorkflowImpl.LONGEST_SLEEP.toMillis() + 1_000);
  }

  @Test
  void aNudgeWakesItBeforeTheNextDue() throws Exception {
    // someone due in an hour; an event comes in after 10 s and the step must look at it then
    steps.script =
        (n, now) -> n == 0 ? new Tick(false, false, now + 3_600_000) : new Tick(true, false, 0);
    JourneyWorkflow wf = stub("nudged");
    WorkflowExecution run = WorkflowClient.start(wf::run, "nudged");
    assertThat(steps.called.tryAcquire(30, TimeUnit.SECONDS)).isTrue();
    env.sleep(Duration.ofSeconds(10));
    wf.nudge();
    client.newUntypedWorkflowStub(run.getWorkflowId()).getResult(Void.class);

    List<Call> calls = calls();
    assertThat(calls).hasSize(2);
    assertThat(calls.get(1).now() - calls.get(0).now()).isBetween(10_000L, 20_000L);
  }

  @Test
  void aNudgeDuringAStepIsNotLost() throws Exception {
    // the nudge arrives while the step runs; the step was already past the events, so the
    // workflow must not sleep after it: nudged is reset before the call, not after
    Semaphore inStep = new Semaphore(0);
    Semaphore letGo = new Semaphore(0);
    steps.script =
        (n, now) -> {
          if (n == 0) {
            inStep.release();
            try {
              letGo.tryAcquire(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
              Thread.currentThread().interrupt();
            }
            return new Tick(false, false, now + 3_600_000);
          }
          return new Tick(true, false, 0);
        };
    JourneyWorkflow wf = stub("busy");
    WorkflowExecution run = WorkflowClient.start(wf::run, "busy");
    assertThat(inStep.tryAcquire(30, TimeUnit.SECONDS)).isTrue();
    wf.nudge();
    letGo.release();
    client.newUntypedWorkflowStub(run.getWorkflowId()).getResult(Void.class);

    List<Call> calls = calls();
    assertThat(calls).hasSize(2);
    assertThat(calls.get(1).now() - calls.get(0).now())
        .as("no sleep after a step that a nudge overtook")
        .isLessThan(JourneyWorkflowImpl.LONGEST_SLEEP.toMillis());
  }

  @Test
  void moreCallsAgainAtOnceWithoutATimer() {
    steps.script =
        (n, now) -> n < 3 ? new Tick(false, true, now + 3_600_000) : new Tick(true, false, 0);
    run("busy-step");
    List<Call> calls = calls();
    assertThat(calls).hasSize(4);
    assertThat(calls.get(3).now() - calls.get(0).now()).isLessThan(1_000);
    assertThat(timers("busy-step")).isZero();
  }

  @Test
  void aDueTimeAlreadyPastCallsAgainAtOnce() {
    steps.script =
        (n, now) -> n < 2 ? new Tick(false, false, now - 5_000) : new Tick(true, false, 0);
    run("late");
    assertThat(calls()).hasSize(3);
    assertThat(timers("late")).isZero();
  }

  @Test
  void itContinuesAsNewLongBeforeTheHistoryLimit() {
    int steps = 3_000;
    this.steps.script =
        (n, now) ->
            n < steps - 1
                // alternate between more work and a short sleep, so timers are in the history too
                ? new Tick(false, n % 2 == 0, now + 1_000)
                : new Tick(true, false, 0);
    WorkflowExecution first = WorkflowClient.start(stub("long")::run, "long");
    client.newUntypedWorkflowStub(first.getWorkflowId()).getResult(Void.class);

    assertThat(calls()).hasSize(steps);
    assertThat(calls()).allMatch(c -> c.journey().equals("long"));
    // follow the chain of runs: each one's history stays under the limit
    List<Integer> lengths = new ArrayList<>();
    String runId = first.getRunId();
    while (runId != null) {
      List<HistoryEvent> events =
          client.fetchHistory(first.getWorkflowId(), runId).getHistory().getEventsList();
      lengths.add(events.size());
      HistoryEvent last = events.get(events.size() - 1);
      runId =
          last.getEventType() == EventType.EVENT_TYPE_WORKFLOW_EXECUTION_CONTINUED_AS_NEW
              ? last.getWorkflowExecutionContinuedAsNewEventAttributes().getNewExecutionRunId()
              : null;
    }
    assertThat(lengths).hasSizeGreaterThan(2);
    assertThat(lengths)
        .allMatch(n -> n < 10_000)
        .allMatch(n -> n <= JourneyWorkflowImpl.HISTORY_LIMIT + 20);
  }

  @Test
  void recordsAHistoryThatReplays() throws Exception {
    // a sleep to the next due, a nudge during the next sleep, one step with more work, the end
    steps.script =
        (n, now) ->
            switch (n) {
              case 0 -> new Tick(false, false, now + 3_000);
              case 1 -> new Tick(false, false, now + 3_600_000);
              case 2 -> new Tick(false, true, now + 3_600_000);
              default -> new Tick(true, false, 0);
            };
    JourneyWorkflow wf = stub("cart");
    WorkflowExecution run = WorkflowClient.start(wf::run, "cart");
    assertThat(steps.called.tryAcquire(2, 30, TimeUnit.SECONDS)).isTrue();
    env.sleep(Duration.ofSeconds(5));
    wf.nudge();
    client.newUntypedWorkflowStub(run.getWorkflowId()).getResult(Void.class);
    assertThat(calls()).hasSize(4);
    keep("journey-run", run);
  }

  @Test
  void replaysTheCheckedInHistory() throws Exception {
    WorkflowReplayer.replayWorkflowExecution(checkedIn("journey-run"), JourneyWorkflowImpl.class);
  }

  private long timers(String journey) {
    return client
        .fetchHistory(JourneyWorkflow.workflowId(journey))
        .getHistory()
        .getEventsList()
        .stream()
        .filter(e -> e.getEventType() == EventType.EVENT_TYPE_TIMER_STARTED)
        .count();
  }

  /** Keeps the run's history under target/histories and replays it against today's code. */
  private void keep(String name, WorkflowExecution run) throws Exception {
    WorkflowExecutionHistory history = client.fetchHistory(run.getWorkflowId(), run.getRunId());
    Path out = Path.of("target/histories/" + name + ".json");
    Files.createDirectories(out.getParent());
    Files.writeString(out, history.toJson(true));
    WorkflowReplayer.replayWorkflowExecution(history, JourneyWorkflowImpl.class);
  }

  static String checkedIn(String name) throws Exception {
    try (var in = JourneyWorkflowTest.class.getResourceAsStream("/histories/" + name + ".json")) {
      assertThat(in).as("histories/%s.json", name).isNotNull();
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }
}
