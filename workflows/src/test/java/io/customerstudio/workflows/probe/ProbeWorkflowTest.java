package io.customerstudio.workflows.probe;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.customerstudio.activities.probe.ProbeActivitiesImpl;
import io.customerstudio.infra.warehouse.Warehouse;
import io.customerstudio.query.testing.TestPostgres;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowOptions;
import io.temporal.testing.TestWorkflowEnvironment;
import io.temporal.testing.TestWorkflowExtension;
import io.temporal.testing.WorkflowReplayer;
import io.temporal.worker.Worker;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class ProbeWorkflowTest {

  static final Warehouse WAREHOUSE =
      Warehouse.over(TestPostgres.newDatabase("probe"), "test warehouse");

  @RegisterExtension
  static final TestWorkflowExtension temporal =
      TestWorkflowExtension.newBuilder()
          .registerWorkflowImplementationTypes(ProbeWorkflowImpl.class)
          .setActivityImplementations(new ProbeActivitiesImpl(WAREHOUSE))
          .build();

  @Test
  void roundTripReachesTheWarehouseThroughAnActivity(
      TestWorkflowEnvironment env, WorkflowClient client, Worker worker) throws Exception {
    ProbeWorkflow workflow =
        client.newWorkflowStub(
            ProbeWorkflow.class,
            WorkflowOptions.newBuilder()
                .setTaskQueue(worker.getTaskQueue())
                .setWorkflowId("probe/test")
                .build());

    ProbeWorkflow.ProbeResult result = workflow.probe();

    assertThat(result.warehouseProduct()).isEqualTo("PostgreSQL");
    assertThat(result.warehouseVersion()).startsWith("17.");
    assertThat(result.worker()).contains("@");
    // the history of this run is the one checked in for the replay test below
    String history = client.fetchHistory("probe/test").toJson(true);
    Path out = Path.of("target/histories/probe.json");
    Files.createDirectories(out.getParent());
    Files.writeString(out, history);
    WorkflowReplayer.replayWorkflowExecution(history, ProbeWorkflowImpl.class);
  }

  @Test
  void theActivityDescribesADuckDbWarehouseToo() {
    Warehouse duckDb =
        Warehouse.over(
            io.customerstudio.query.testing.TestDuckDb.newDatabase("probe"),
            org.jooq.SQLDialect.DUCKDB,
            "test warehouse");
    var info = new ProbeActivitiesImpl(duckDb).describeWarehouse();
    assertThat(info.product()).isEqualTo("DuckDB");
    assertThat(info.serverTimeMillis()).isCloseTo(System.currentTimeMillis(), within(60_000L));
  }

  @Test
  void replaysTheCheckedInHistory() throws Exception {
    String history =
        new String(
            getClass().getResourceAsStream("/histories/probe.json").readAllBytes(),
            java.nio.charset.StandardCharsets.UTF_8);
    WorkflowReplayer.replayWorkflowExecution(history, ProbeWorkflowImpl.class);
  }
}
