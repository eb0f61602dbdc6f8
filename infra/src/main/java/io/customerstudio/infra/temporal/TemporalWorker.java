package io.customerstudio.infra.temporal;

import io.temporal.worker.Worker;
import io.temporal.worker.WorkerFactory;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;

/**
 * The workers inside the app: one polls workflow tasks, one activity tasks, on the configured task
 * queue once the context is up; both drain in-flight tasks on shutdown. More app instances on the
 * same queue scale work out. Activities (the work that talks to warehouses and destinations) can be
 * restarted alone, which is what {@link #crash()} drills.
 */
public final class TemporalWorker implements SmartLifecycle {

  private static final Logger log = LoggerFactory.getLogger(TemporalWorker.class);

  private final TemporalConnection connection;
  private final List<WorkerRegistrar> registrars;
  private WorkerFactory workflows;
  private WorkerFactory activities;
  private volatile boolean running;

  public TemporalWorker(TemporalConnection connection, List<WorkerRegistrar> registrars) {
    this.connection = connection;
    this.registrars = registrars;
  }

  @Override
  public synchronized void start() {
    if (workflows == null) {
      workflows = factory(WorkerRegistrar.Kind.WORKFLOWS);
    }
    activities = factory(WorkerRegistrar.Kind.ACTIVITIES);
    running = true;
    log.atInfo()
        .addKeyValue("taskQueue", connection.taskQueue())
        .addKeyValue("registrars", registrars.size())
        .log("Temporal workers polling task queue {}", connection.taskQueue());
  }

  private WorkerFactory factory(WorkerRegistrar.Kind kind) {
    WorkerFactory factory = WorkerFactory.newInstance(connection.client());
    Worker worker = factory.newWorker(connection.taskQueue());
    registrars.stream().filter(r -> r.kind() == kind).forEach(r -> r.register(worker));
    factory.start();
    return factory;
  }

  @Override
  public synchronized void stop() {
    for (WorkerFactory f : new WorkerFactory[] {activities, workflows}) {
      if (f != null) {
        f.shutdown();
        f.awaitTermination(10, TimeUnit.SECONDS);
      }
    }
    activities = null;
    workflows = null;
    running = false;
  }

  /**
   * Kills the activity worker at once, interrupting running activities, as a dead process would;
   * {@link #start()} brings up a fresh one. For fault drills: Temporal hands the dead worker's
   * activities to the next one after their heartbeat timeout.
   */
  public synchronized void crash() {
    if (activities != null) {
      activities.shutdownNow();
      activities.awaitTermination(10, TimeUnit.SECONDS);
      activities = null;
    }
  }

  @Override
  public boolean isRunning() {
    return running;
  }

  /** Stops before the connection closes and after the web server stops taking requests. */
  @Override
  public int getPhase() {
    return Integer.MAX_VALUE - 2048;
  }
}
