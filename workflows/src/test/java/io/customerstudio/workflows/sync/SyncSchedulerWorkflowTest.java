package io.customerstudio.workflows.sync;

import static org.assertj.core.api.Assertions.assertThat;

import io.customerstudio.activities.sync.Schedule;
import io.customerstudio.infra.store.ScheduleType;
import io.temporal.api.enums.v1.EventType;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowOptions;
import io.temporal.testing.TestWorkflowEnvironment;
import io.temporal.testing.WorkflowReplayer;
import io.temporal.worker.Worker;
import io.temporal.workflow.Workflow;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The scheduler over days of skipped time: interval and cron ticks, triggers coalesced while a run
 * goes on, never two runs at once, pause and resume, reschedule, continue-as-new.
 */
@org.junit.jupiter.api.Timeout(120)
class SyncSchedulerWorkflowTest {

  /** A run that takes an hour of workflow time and records when it ran and how many overlapped. */
  public static class HourLongRun implements SyncRunWorkflow {
    static final List<String> started = Collections.synchronizedList(new ArrayList<>());
    static final AtomicInteger active = new AtomicInteger();
    static final AtomicInteger maxActive = new AtomicInteger();

    @Override
    public Result run(Input input) {
      if (!Workflow.isReplaying()) {
        maxActive.accumulateAndGet(active.incrementAndGet(), Math::max);
        Instant now = Instant.ofEpochMilli(Workflow.currentTimeMillis());
        started.add(input.runId() + "@" + now.truncatedTo(java.time.temporal.ChronoUnit.SECONDS));
      }
      Workflow.sleep(Duration.ofHours(1));
      if (!Workflow.isReplaying()) {
        active.decrementAndGet();
      }
      return new Result(input.runId(), "succeeded", 0, 0);
    }
  }

  /**
   * Between reading the test clock and the workflow's start some real milliseconds pass (and t0 is
   * truncated to the second), so times are checked to within this.
   */
  static final Duration SLACK = Duration.ofSeconds(5);

  TestWorkflowEnvironment env;
  RecordingSteps steps;
  WorkflowClient client;
  Instant t0;

  @BeforeEach
  void start() {
    env = TestWorkflowEnvironment.newInstance();
    Worker worker = env.newWorker("q");
    worker.registerWorkflowImplementationTypes(SyncSchedulerWorkflowImpl.class, HourLongRun.class);
    steps = new RecordingSteps();
    worker.registerActivitiesImplementations(steps);
    env.start();
    client = env.getWorkflowClient();
    HourLongRun.started.clear();
    HourLongRun.maxActive.set(0);
    HourLongRun.active.set(0);
    t0 =
        Instant.ofEpochMilli(env.currentTimeMillis())
            .truncatedTo(java.time.temporal.ChronoUnit.SECONDS);
  }

  @AfterEach
  void stop() {
    env.close();
  }

  io.temporal.api.common.v1.WorkflowExecution execution;

  SyncSchedulerWorkflow stub(String sync) {
    return client.newWorkflowStub(
        SyncSchedulerWorkflow.class,
        WorkflowOptions.newBuilder()
            .setTaskQueue("q")
            .setWorkflowId(SyncSchedulerWorkflow.workflowId(sync))
            .build());
  }

  SyncSchedulerWorkflow scheduler(String sync, Schedule schedule) {
    SyncSchedulerWorkflow s = stub(sync);
    execution =
        WorkflowClient.start(
            s::run,
            new SyncSchedulerWorkflow.State(sync, schedule, false, null, List.of(), 30, null));
    return s;
  }

  @Test
  void anIntervalFiresEveryPeriodOverDays() throws Exception {
    SyncSchedulerWorkflow s =
        scheduler("every-6h", new Schedule(ScheduleType.INTERVAL, "PT6H", null, null));
    env.sleep(Duration.ofDays(3).plusMinutes(30));
    assertThat(HourLongRun.started).hasSize(12);
    assertThat(Instant.parse(HourLongRun.started.get(0).split("@")[1]))
        .isBetween(t0.plus(Duration.ofHours(6)), t0.plus(Duration.ofHours(6).plus(SLACK)));
    assertThat(HourLongRun.maxActive.get()).isEqualTo(1);
    assertThat(Instant.ofEpochMilli(s.status().nextTickMillis()))
        .isBetween(t0.plus(Duration.ofHours(78)), t0.plus(Duration.ofHours(78).plus(SLACK)));
    keep("sync-scheduler-interval", "every-6h");
  }

  @Test
  void triggersDuringARunAreCoalescedAndRunsNeverOverlap() {
    SyncSchedulerWorkflow s = scheduler("manual", Schedule.MANUAL);
    s.trigger("a");
    env.sleep(Duration.ofMinutes(10)); // "a" is running for an hour
    s.trigger("b");
    s.trigger("b");
    s.trigger("a"); // the running one: ignored
    env.sleep(Duration.ofHours(3));
    assertThat(HourLongRun.started).extracting(x -> x.split("@")[0]).containsExactly("a", "b");
    assertThat(HourLongRun.maxActive.get()).isEqualTo(1);
    assertThat(steps.calls).isEmpty(); // manual: no ticks, nothing queued by the scheduler
  }

  @Test
  void pausedItDoesNotTickAndResumedItDoes() {
    SyncSchedulerWorkflow s =
        scheduler("pausing", new Schedule(ScheduleType.INTERVAL, "PT1H", null, null));
    s.pause();
    env.sleep(Duration.ofDays(1));
    assertThat(HourLongRun.started).isEmpty();
    assertThat(s.status().paused()).isTrue();
    Instant resumed = Instant.ofEpochMilli(env.currentTimeMillis());
    s.resume();
    env.sleep(Duration.ofHours(5).plusMinutes(1));
    // from the resume on, every hour (each run takes the hour, so they follow one another)
    List<Instant> times =
        HourLongRun.started.stream().map(x -> Instant.parse(x.split("@")[1])).toList();
    assertThat(times).hasSizeGreaterThanOrEqualTo(4).allMatch(t -> t.isAfter(resumed));
    for (int i = 1; i < times.size(); i++) {
      // start times are read to the second, and a few real milliseconds pass between a run's
      // end and the next start
      assertThat(Duration.between(times.get(i - 1), times.get(i)))
          .isBetween(Duration.ofHours(1), Duration.ofHours(1).plus(SLACK));
    }
    assertThat(HourLongRun.maxActive.get()).isEqualTo(1);
  }

  /** Starts an hourly scheduler (paused or not) with {@code signal} handed over at its start. */
  SyncSchedulerWorkflow startedWith(
      String sync, boolean paused, java.util.function.Consumer<SyncSchedulerWorkflow> signal) {
    SyncSchedulerWorkflow s = stub(sync);
    io.temporal.client.BatchRequest request = client.newSignalWithStartRequest();
    request.add(
        s::run,
        new SyncSchedulerWorkflow.State(
            sync,
            new Schedule(ScheduleType.INTERVAL, "PT1H", null, null),
            paused,
            null,
            List.of(),
            30,
            null));
    request.add(() -> signal.accept(s));
    client.signalWithStart(request);
    return s;
  }

  @Test
  void signalsThatComeWithTheStartOutrankTheStartingState() {
    // signal-with-start hands the signal over before the workflow method runs: a pause sent
    // with the start must hold, and a resume must release a scheduler that starts paused
    SyncSchedulerWorkflow paused =
        startedWith("paused-at-start", false, SyncSchedulerWorkflow::pause);
    env.sleep(Duration.ofHours(5));
    assertThat(HourLongRun.started).isEmpty();
    assertThat(paused.status().paused()).isTrue();

    SyncSchedulerWorkflow resumed =
        startedWith("resumed-at-start", true, SyncSchedulerWorkflow::resume);
    env.sleep(Duration.ofHours(3).plusMinutes(1));
    assertThat(resumed.status().paused()).isFalse();
    assertThat(HourLongRun.started).hasSizeGreaterThanOrEqualTo(2);
  }

  @Test
  void aCronScheduleFiresAtItsTimesAndARescheduleTakesOver() {
    SyncSchedulerWorkflow s =
        scheduler("cron", new Schedule(ScheduleType.CRON, null, "0 6 * * *", "UTC"));
    env.sleep(Duration.ofDays(2));
    assertThat(HourLongRun.started)
        .allSatisfy(x -> assertThat(x).contains("T06:00:00Z"))
        .hasSize(2);
    s.reschedule(Schedule.MANUAL);
    env.sleep(Duration.ofDays(2));
    assertThat(HourLongRun.started).hasSize(2);
  }

  @Test
  void itContinuesAsNewAndKeepsGoing() {
    scheduler("busy", new Schedule(ScheduleType.INTERVAL, "PT1M", null, null));
    String firstRun = execution.getRunId();
    int runs = SyncSchedulerWorkflowImpl.RUNS_PER_HISTORY + 5;
    env.sleep(Duration.ofMinutes(62).multipliedBy(runs));
    assertThat(HourLongRun.started).hasSizeGreaterThanOrEqualTo(runs);
    assertThat(HourLongRun.maxActive.get()).isEqualTo(1);
    var firstHistory = client.fetchHistory(SyncSchedulerWorkflow.workflowId("busy"), firstRun);
    assertThat(firstHistory.getLastEvent().getEventType())
        .isEqualTo(EventType.EVENT_TYPE_WORKFLOW_EXECUTION_CONTINUED_AS_NEW);
    String current =
        client
            .newUntypedWorkflowStub(SyncSchedulerWorkflow.workflowId("busy"))
            .describe()
            .getExecution()
            .getRunId();
    assertThat(current).isNotEqualTo(firstRun);
  }

  @Test
  void aTickOwedAtTheStartRunsOnceAndAnUnchangedRescheduleKeepsTheAnchor() throws Exception {
    // started (as after a restart) with a 4-hour interval anchored 5 h ago that last ticked 3 h
    // ago: the tick of 1 h ago fell due while nothing ran, so it runs now, once; the next one
    // is on the anchor's grid, in 3 h
    Instant anchor = t0.minus(Duration.ofHours(5));
    SyncSchedulerWorkflow s = stub("owed");
    Schedule every4h = new Schedule(ScheduleType.INTERVAL, "PT4H", null, null);
    execution =
        WorkflowClient.start(
            s::run,
            new SyncSchedulerWorkflow.State(
                "owed",
                every4h,
                false,
                anchor.toEpochMilli(),
                List.of(),
                30,
                t0.minus(Duration.ofHours(3)).toEpochMilli()));
    env.sleep(Duration.ofMinutes(70)); // the owed run takes an hour
    assertThat(steps.calls).containsExactly("tick owed");
    assertThat(Instant.parse(HourLongRun.started.get(0).split("@")[1]))
        .isBetween(t0, t0.plus(SLACK));
    assertThat(Instant.ofEpochMilli(s.status().nextTickMillis()))
        .isEqualTo(anchor.plus(Duration.ofHours(8)));
    // the same schedule applied again (as every app start does) keeps the anchor ...
    s.reschedule(every4h);
    env.sleep(Duration.ofMinutes(1));
    assertThat(Instant.ofEpochMilli(s.status().nextTickMillis()))
        .isEqualTo(anchor.plus(Duration.ofHours(8)));
    // ... a real edit re-anchors at the edit
    Instant edited = Instant.ofEpochMilli(env.currentTimeMillis());
    s.reschedule(new Schedule(ScheduleType.INTERVAL, "PT2H", null, null));
    env.sleep(Duration.ofMinutes(1));
    assertThat(Instant.ofEpochMilli(s.status().nextTickMillis()))
        .isBetween(edited.plus(Duration.ofHours(2)), edited.plus(Duration.ofHours(2)).plus(SLACK));
    env.sleep(Duration.ofHours(2));
    assertThat(steps.calls).containsExactly("tick owed", "tick owed");
    keep("sync-scheduler-from-store", "owed");
  }

  @Test
  void aTickThatCannotBeQueuedDoesNotEndTheScheduler() {
    steps.failTicks.set(1); // a failure no retry can fix (an unavailable store is retried)
    SyncSchedulerWorkflow s =
        scheduler("failing", new Schedule(ScheduleType.INTERVAL, "PT1H", null, null));
    env.sleep(Duration.ofMinutes(61));
    assertThat(steps.calls).containsExactly("tick failing");
    assertThat(HourLongRun.started).isEmpty();
    assertThat(
            client
                .newUntypedWorkflowStub(SyncSchedulerWorkflow.workflowId("failing"))
                .describe()
                .getStatus())
        .isEqualTo(
            io.temporal.api.enums.v1.WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_RUNNING);
    env.sleep(Duration.ofHours(1));
    assertThat(steps.calls).containsExactly("tick failing", "tick failing");
    assertThat(HourLongRun.started).hasSize(1);
    assertThat(s.status().running()).isNotNull();
  }

  @Test
  void replaysTheCheckedInHistories() throws Exception {
    // recorded before the scheduler took its anchor and last tick from the store ...
    WorkflowReplayer.replayWorkflowExecution(
        SyncRunWorkflowTest.checkedIn("sync-scheduler"), SyncSchedulerWorkflowImpl.class);
    // ... and after (version 1 of schedule-from-store)
    WorkflowReplayer.replayWorkflowExecution(
        SyncRunWorkflowTest.checkedIn("sync-scheduler-from-store"),
        SyncSchedulerWorkflowImpl.class);
  }

  private void keep(String name, String sync) throws Exception {
    String history = client.fetchHistory(SyncSchedulerWorkflow.workflowId(sync)).toJson(true);
    Path out = Path.of("target/histories/" + name + ".json");
    Files.createDirectories(out.getParent());
    Files.writeString(out, history);
    WorkflowReplayer.replayWorkflowExecution(history, SyncSchedulerWorkflowImpl.class);
  }
}
