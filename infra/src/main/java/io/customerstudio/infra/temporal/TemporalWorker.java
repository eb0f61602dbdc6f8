package io.customerstudio.infra.temporal;

import io.temporal.worker.Worker;
import io.temporal.worker.WorkerFactory;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;

/**
 * The worker inside the app: polls the configured task queue once the context is up, and drains
 * in-flight tasks on shutdown. More app instances on the same queue scale work out.
 */
public final class TemporalWorker implements SmartLifecycle {

  private static final Logger log = LoggerFactory.getLogger(TemporalWorker.class);

  private final TemporalConnection connection;
  private final List<WorkerRegistrar> registrars;
  private WorkerFactory factory;
  private volatile boolean running;

  public TemporalWorker(TemporalConnection connection, List<WorkerRegistrar> registrars) {
    this.connection = connection;
    this.registrars = registrars;
  }

  @Override
  public synchronized void start() {
    factory = WorkerFactory.newInstance(connection.client());
    Worker worker = factory.newWorker(connection.taskQueue());
    registrars.forEach(r -> r.register(worker));
    factory.start();
    running = true;
    log.atInfo()
        .addKeyValue("taskQueue", connection.taskQueue())
        .addKeyValue("registrars", registrars.size())
        .log("Temporal worker polling task queue {}", connection.taskQueue());
  }

  @Override
  public synchronized void stop() {
    if (factory != null) {
      factory.shutdown();
      factory.awaitTermination(10, TimeUnit.SECONDS);
    }
    running = false;
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
