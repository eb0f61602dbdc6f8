package io.customerstudio.workflows.probe;

import io.temporal.workflow.WorkflowInterface;
import io.temporal.workflow.WorkflowMethod;

/**
 * A round trip through Temporal: the server schedules a workflow task and an activity task on the
 * app's task queue, a worker runs both, and the result comes back. Proves the whole orchestration
 * path works, which a gRPC health check alone does not.
 */
@WorkflowInterface
public interface ProbeWorkflow {

  record ProbeResult(
      String warehouseProduct,
      String warehouseVersion,
      long workflowStartedMillis,
      long warehouseTimeMillis,
      String worker) {}

  @WorkflowMethod
  ProbeResult probe();
}
