package io.customerstudio.workflows.sync;

import static org.assertj.core.api.Assertions.assertThat;

import io.customerstudio.activities.sync.ScheduleActivitiesImpl;
import io.customerstudio.infra.store.RunStatus;
import io.customerstudio.infra.store.RunStore;
import io.customerstudio.infra.store.SyncMode;
import io.customerstudio.infra.store.SyncStore;
import io.customerstudio.query.testing.TestPostgres;
import io.temporal.activity.ActivityInterface;
import io.temporal.activity.ActivityMethod;
import io.temporal.activity.ActivityOptions;
import io.temporal.api.enums.v1.WorkflowExecutionStatus;
import io.temporal.client.WorkflowClient;
import io.temporal.testing.TestWorkflowEnvironment;
import io.temporal.worker.Worker;
import io.temporal.workflow.Workflow;
import java.sql.Connection;
import java.sql.SQLTransientConnectionException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.jooq.SQLDialect;
import org.jooq.exception.DataAccessException;
import org.jooq.impl.DSL;
import org.jooq.impl.DataSourceConnectionProvider;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Schedulers against the real app store (embedded PostgreSQL, migrated) and the real {@link
 * SyncService}, over skipped time: restarts more frequent than the interval, a tick missed while
 * the app was down, and an app store that is down for ten minutes. A restart is what the in-process
 * server's restart leaves: the scheduler gone, then {@link SyncService#recover}.
 */
@Timeout(180)
class SyncSchedulerRestartTest {

  /** Ends a run in the store, as a real run does; the scheduler's subject is only the queueing. */
  @ActivityInterface(namePrefix = "TestRun")
  public interface RunEnds {
    @ActivityMethod
    void succeeded(String runId);
  }

  static final class StoreRunEnds implements RunEnds {
    private final RunStore runs;

    StoreRunEnds(RunStore runs) {
      this.runs = runs;
    }

    @Override
    public void succeeded(String runId) {
      runs.finish(runId, RunStatus.SUCCEEDED, null);
    }
  }

  /** A run of ten seconds of workflow time that ends its row as succeeded. */
  public static class TenSecondRun implements SyncRunWorkflow {
    private final RunEnds ends =
        Workflow.newActivityStub(
            RunEnds.class,
            ActivityOptions.newBuilder().setStartToCloseTimeout(Duration.ofSeconds(10)).build());

    @Override
    public Result run(Input input) {
      Workflow.sleep(Duration.ofSeconds(10));
      ends.succeeded(input.runId());
      return new Result(input.runId(), "succeeded", 0, 0);
    }
  }

  /** The app store's connections, refused while {@link #down} (each refusal counted). */
  static final class Outage extends DataSourceConnectionProvider {
    volatile boolean down;
    final AtomicInteger refused = new AtomicInteger();

    Outage(DataSource dataSource) {
      super(dataSource);
    }

    @Override
    public Connection acquire() {
      if (down) {
        refused.incrementAndGet();
        throw new DataAccessException(
            "Error getting connection from data source",
            new SQLTransientConnectionException("the app store is down (simulated)"));
      }
      return super.acquire();
    }
  }

  /** The store's clock is the test server's, so queued times are workflow times. */
  static Clock clockOf(TestWorkflowEnvironment env) {
    return new Clock() {
      @Override
      public ZoneId getZone() {
        return ZoneOffset.UTC;
      }

      @Override
      public Clock withZone(ZoneId zone) {
        return this;
      }

      @Override
      public Instant instant() {
        return Instant.ofEpochMilli(env.currentTimeMillis());
      }
    };
  }

  /** Timers fire on time; a tick's run is queued within real milliseconds of it. */
  static final Duration SLACK = Duration.ofSeconds(5);

  TestWorkflowEnvironment env;
  WorkflowClient client;
  Outage store;
  SyncStore syncs;
  RunStore runs;
  SyncService service;

  @BeforeEach
  void start() {
    DataSource db = TestPostgres.newDatabase("sched");
    Flyway.configure().dataSource(db).locations("classpath:db/migration").load().migrate();
    env = TestWorkflowEnvironment.newInstance();
    store = new Outage(db);
    var dsl = DSL.using(store, SQLDialect.POSTGRES);
    Clock clock = clockOf(env);
    syncs = new SyncStore(dsl, clock);
    runs = new RunStore(dsl, clock);
    Worker worker = env.newWorker("q");
    worker.registerWorkflowImplementationTypes(SyncSchedulerWorkflowImpl.class, TenSecondRun.class);
    worker.registerActivitiesImplementations(
        new ScheduleActivitiesImpl(syncs, runs), new StoreRunEnds(runs));
    env.start();
    client = env.getWorkflowClient();
    service = new SyncService(client, "q", syncs, runs, 30);
  }

  @AfterEach
  void stop() {
    env.close();
  }

  SyncStore.Sync create(String key, String scheduleJson) {
    syncs.create(
        key,
        new SyncStore.Draft(
            key, "vip", "crm", SyncMode.UPSERT, "[]", "{}", scheduleJson, true, false),
        "sealed",
        "admin");
    SyncStore.Sync sync = syncs.find(key).orElseThrow();
    service.apply(sync);
    return sync;
  }

  /** What a restart of the app on the in-process server does to the sync's scheduler. */
  void restart(String key) {
    client.newUntypedWorkflowStub(SyncSchedulerWorkflow.workflowId(key)).terminate("app stopped");
    service.recover(true);
  }

  /** When the runs that ticks queued were queued, in order. */
  List<Instant> ticks(String key) {
    return runs.list(key, 100).stream()
        .filter(r -> r.trigger().equals(ScheduleActivitiesImpl.TRIGGER))
        .map(r -> r.queuedAt().toInstant())
        .sorted()
        .toList();
  }

  Instant now() {
    return Instant.ofEpochMilli(env.currentTimeMillis());
  }

  @Test
  void anIntervalKeepsItsTicksWhenTheAppRestartsMoreOftenThanItRuns() {
    // measured before: an every-2-minutes sync restarted every 80 s ran 0 times in 7 minutes
    Instant anchor =
        create("every-2m", "{\"type\":\"interval\",\"every\":\"PT2M\"}")
            .scheduleAnchor()
            .toInstant();
    env.sleep(Duration.ofSeconds(30)); // restarts at 30, 110, 190, 270, 350 s: off the tick times
    for (int i = 0; i < 5; i++) {
      restart("every-2m");
      env.sleep(Duration.ofSeconds(80));
    }
    // 7 minutes after the anchor: ticks at 2, 4 and 6 minutes, each once
    assertThat(Duration.between(anchor, now())).isGreaterThanOrEqualTo(Duration.ofMinutes(7));
    List<Instant> ticks = ticks("every-2m");
    assertThat(ticks).hasSize(3);
    for (int i = 0; i < 3; i++) {
      Instant due = anchor.plus(Duration.ofMinutes(2L * (i + 1)));
      assertThat(ticks.get(i)).isBetween(due, due.plus(SLACK));
    }
    assertThat(runs.list("every-2m", 100))
        .extracting(RunStore.Run::status)
        .containsOnly(RunStatus.SUCCEEDED);
    assertThat(Instant.ofEpochMilli(service.status("every-2m").orElseThrow().nextTickMillis()))
        .isEqualTo(anchor.plus(Duration.ofMinutes(8)));
    // the tick is kept in the store, for the next start
    assertThat(syncs.find("every-2m").orElseThrow().lastTickAt().toInstant())
        .isBetween(ticks.get(2), ticks.get(2).plus(SLACK));
  }

  @Test
  void anIntervalTickMissedWhileTheAppWasDownRunsOnceAfterTheStart() {
    Instant anchor =
        create("down-10m", "{\"type\":\"interval\",\"every\":\"PT2M\"}")
            .scheduleAnchor()
            .toInstant();
    env.sleep(Duration.ofMinutes(2).plusSeconds(30));
    assertThat(ticks("down-10m")).hasSize(1);
    // the app stops: no scheduler for ten minutes, five ticks (4, 6, 8, 10, 12 min) fall due
    client
        .newUntypedWorkflowStub(SyncSchedulerWorkflow.workflowId("down-10m"))
        .terminate("app stopped");
    env.sleep(Duration.ofMinutes(10));
    Instant started = now();
    service.recover(true);
    env.sleep(Duration.ofSeconds(30));
    List<Instant> ticks = ticks("down-10m");
    assertThat(ticks).hasSize(2);
    assertThat(ticks.get(1)).isBetween(started, started.plus(SLACK));
    // and then the schedule goes on where it stood: 14 minutes after the anchor
    env.sleep(Duration.ofMinutes(1).plusSeconds(30));
    ticks = ticks("down-10m");
    assertThat(ticks).hasSize(3);
    Instant due = anchor.plus(Duration.ofMinutes(14));
    assertThat(ticks.get(2)).isBetween(due, due.plus(SLACK));
  }

  @Test
  void aCronTickMissedWhileTheAppWasDownRunsOnceAfterTheStart() {
    create("hourly", "{\"type\":\"cron\",\"expression\":\"0 * * * *\",\"timezone\":\"UTC\"}");
    Instant firstHour = now().truncatedTo(ChronoUnit.HOURS).plus(Duration.ofHours(1));
    env.sleep(Duration.between(now(), firstHour.plus(Duration.ofMinutes(10))));
    assertThat(ticks("hourly")).hasSize(1);
    client
        .newUntypedWorkflowStub(SyncSchedulerWorkflow.workflowId("hourly"))
        .terminate("app stopped");
    env.sleep(Duration.ofHours(3)); // the ticks of three hours fall due meanwhile
    Instant started = now();
    service.recover(true);
    env.sleep(Duration.ofMinutes(10));
    assertThat(ticks("hourly"))
        .hasSize(2)
        .last()
        .satisfies(t -> assertThat(t).isBetween(started, started.plus(SLACK)));
    Instant nextHour = firstHour.plus(Duration.ofHours(4));
    env.sleep(Duration.between(now(), nextHour.plus(Duration.ofMinutes(1))));
    assertThat(ticks("hourly"))
        .hasSize(3)
        .last()
        .satisfies(t -> assertThat(t).isBetween(nextHour, nextHour.plus(SLACK)));
  }

  @Test
  void anAppStoreDownForTenMinutesDelaysATickAndTheSchedulerGoesOn() throws Exception {
    Instant anchor =
        create("outage", "{\"type\":\"interval\",\"every\":\"PT2M\"}").scheduleAnchor().toInstant();
    env.sleep(Duration.ofMinutes(1).plusSeconds(50));
    store.down = true;
    // the tick at 2 minutes fails all along; the store is back at 12:05, so the retry (at most a
    // minute later) falls between two ticks of the grid
    env.sleep(Duration.ofMinutes(10).plusSeconds(15));
    assertThat(store.refused.get()).as("attempts refused by the store").isGreaterThan(5);
    assertThat(
            client
                .newUntypedWorkflowStub(SyncSchedulerWorkflow.workflowId("outage"))
                .describe()
                .getStatus())
        .isEqualTo(WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_RUNNING);
    store.down = false;
    Instant back = now();
    assertThat(ticks("outage")).isEmpty();
    env.sleep(Duration.ofMinutes(1).plusSeconds(5)); // retries are at most a minute apart
    List<Instant> ticks = ticks("outage");
    assertThat(ticks).hasSize(1); // the ticks that fell due meanwhile are that one run
    // and it is the 2-minute tick's own call, retried all along: no tick was given up meanwhile
    assertThat(
            client.fetchHistory(SyncSchedulerWorkflow.workflowId("outage")).getEvents().stream()
                .filter(e -> e.hasActivityTaskScheduledEventAttributes())
                .map(e -> e.getActivityTaskScheduledEventAttributes().getActivityType().getName()))
        .containsExactly("ScheduleTick");
    assertThat(ticks.get(0)).isBetween(back, back.plus(Duration.ofMinutes(1)).plus(SLACK));
    assertThat(
            client
                .newUntypedWorkflowStub(SyncSchedulerWorkflow.workflowId("outage"))
                .describe()
                .getStatus())
        .isEqualTo(WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_RUNNING);
    // the schedule goes on on its grid: the next tick after the run was queued
    long periods = Duration.between(anchor, ticks.get(0)).toMinutes() / 2 + 1;
    Instant next = anchor.plus(Duration.ofMinutes(2 * periods));
    env.sleep(Duration.between(now(), next.plus(Duration.ofSeconds(30))));
    assertThat(ticks("outage"))
        .hasSize(2)
        .last()
        .satisfies(t -> assertThat(t).isBetween(next, next.plus(SLACK)));
    assertThat(runs.list("outage", 100))
        .extracting(RunStore.Run::status)
        .containsOnly(RunStatus.SUCCEEDED);
  }
}
