package io.customerstudio.infra.temporal;

import io.grpc.health.v1.HealthCheckResponse;
import org.springframework.boot.actuate.health.AbstractHealthIndicator;
import org.springframework.boot.actuate.health.Health;

/** Up when the frontend answers the gRPC health check and the in-app worker is polling. */
public final class TemporalHealthIndicator extends AbstractHealthIndicator {

  private final TemporalConnection connection;
  private final TemporalWorker worker;

  public TemporalHealthIndicator(TemporalConnection connection, TemporalWorker worker) {
    super("Temporal health check failed");
    this.connection = connection;
    this.worker = worker;
  }

  @Override
  protected void doHealthCheck(Health.Builder builder) {
    HealthCheckResponse response = connection.stubs().healthCheck();
    boolean serving = response.getStatus() == HealthCheckResponse.ServingStatus.SERVING;
    (serving && worker.isRunning() ? builder.up() : builder.down())
        .withDetail("server", connection.description())
        .withDetail("namespace", connection.namespace())
        .withDetail("taskQueue", connection.taskQueue())
        .withDetail("frontend", response.getStatus().name())
        .withDetail("worker", worker.isRunning() ? "polling" : "stopped");
  }
}
