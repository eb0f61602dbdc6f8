package io.customerstudio.infra.temporal;

import io.customerstudio.infra.config.StartupCheckException;
import io.customerstudio.infra.config.StudioProperties;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.temporal.api.workflowservice.v1.DescribeNamespaceRequest;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowClientOptions;
import io.temporal.serviceclient.WorkflowServiceStubs;
import io.temporal.serviceclient.WorkflowServiceStubsOptions;
import io.temporal.testserver.TestServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The connection to Temporal: a cluster at {@code STUDIO_TEMPORAL_TARGET}, or an in-process server
 * on a free loopback port. The app talks gRPC to either, so every code path is the same. The
 * in-process server keeps nothing across restarts (see docs/architecture.md).
 */
public final class TemporalConnection implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(TemporalConnection.class);
  private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(10);

  private final TestServer.PortBoundTestServer inProcess;
  private final WorkflowServiceStubs stubs;
  private final WorkflowClient client;
  private final String namespace;
  private final String taskQueue;
  private final String description;

  private TemporalConnection(
      TestServer.PortBoundTestServer inProcess,
      WorkflowServiceStubs stubs,
      String namespace,
      String taskQueue,
      String description) {
    this.inProcess = inProcess;
    this.stubs = stubs;
    this.namespace = namespace;
    this.taskQueue = taskQueue;
    this.description = description;
    this.client =
        WorkflowClient.newInstance(
            stubs, WorkflowClientOptions.newBuilder().setNamespace(namespace).build());
  }

  public static TemporalConnection connect(StudioProperties.Temporal config) {
    if (config.configured()) {
      WorkflowServiceStubs stubs;
      try {
        stubs =
            WorkflowServiceStubs.newConnectedServiceStubs(
                WorkflowServiceStubsOptions.newBuilder().setTarget(config.target()).build(),
                CONNECT_TIMEOUT);
      } catch (RuntimeException e) {
        throw new StartupCheckException(
            "STUDIO_TEMPORAL_TARGET",
            "cannot reach Temporal at " + config.target() + " (" + e.getMessage() + ")",
            e);
      }
      checkNamespace(stubs, config.namespace());
      String description =
          "Temporal cluster at " + config.target() + ", namespace " + config.namespace();
      log.atInfo()
          .addKeyValue("setting", "STUDIO_TEMPORAL_TARGET")
          .addKeyValue("mode", "cluster")
          .addKeyValue("taskQueue", config.taskQueue())
          .log("Temporal: {}, task queue {}", description, config.taskQueue());
      return new TemporalConnection(
          null, stubs, config.namespace(), config.taskQueue(), description);
    }
    int port = freeLoopbackPort();
    // true locks time skipping: the app's timers (sync schedules, journey waits) run on the
    // wall clock. With false the test server jumps to the next timer whenever nothing runs.
    TestServer.PortBoundTestServer server = TestServer.createPortBoundServer(port, true);
    WorkflowServiceStubs stubs =
        WorkflowServiceStubs.newConnectedServiceStubs(
            WorkflowServiceStubsOptions.newBuilder().setTarget("127.0.0.1:" + port).build(),
            CONNECT_TIMEOUT);
    String description = "in-process Temporal server at 127.0.0.1:" + port;
    log.atInfo()
        .addKeyValue("setting", "STUDIO_TEMPORAL_TARGET")
        .addKeyValue("mode", "in-process")
        .addKeyValue("taskQueue", config.taskQueue())
        .log(
            "Temporal: {} (STUDIO_TEMPORAL_TARGET unset; state is not kept across restarts),"
                + " task queue {}",
            description,
            config.taskQueue());
    return new TemporalConnection(
        server, stubs, config.namespace(), config.taskQueue(), description);
  }

  private static void checkNamespace(WorkflowServiceStubs stubs, String namespace) {
    try {
      stubs
          .blockingStub()
          .withDeadlineAfter(CONNECT_TIMEOUT.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS)
          .describeNamespace(DescribeNamespaceRequest.newBuilder().setNamespace(namespace).build());
    } catch (StatusRuntimeException e) {
      if (e.getStatus().getCode() == Status.Code.NOT_FOUND) {
        throw new StartupCheckException(
            "STUDIO_TEMPORAL_NAMESPACE",
            "namespace '"
                + namespace
                + "' does not exist on the Temporal cluster; create it"
                + " (temporal operator namespace create "
                + namespace
                + ") or pick another",
            e);
      }
      throw new StartupCheckException(
          "STUDIO_TEMPORAL_TARGET",
          "Temporal refused DescribeNamespace (" + e.getStatus() + ")",
          e);
    }
  }

  private static int freeLoopbackPort() {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public WorkflowServiceStubs stubs() {
    return stubs;
  }

  public WorkflowClient client() {
    return client;
  }

  public String namespace() {
    return namespace;
  }

  public String taskQueue() {
    return taskQueue;
  }

  public boolean inProcess() {
    return inProcess != null;
  }

  public String description() {
    return description;
  }

  @Override
  public void close() {
    stubs.shutdown();
    stubs.awaitTermination(5, java.util.concurrent.TimeUnit.SECONDS);
    if (inProcess != null) {
      inProcess.close();
    }
  }
}
