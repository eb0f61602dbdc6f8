package io.customerstudio.workflows.probe;

import io.customerstudio.activities.probe.ProbeActivities;
import io.customerstudio.workflows.common.ActivityStubs;
import io.temporal.workflow.Workflow;

public class ProbeWorkflowImpl implements ProbeWorkflow {

  private final ProbeActivities activities =
      Workflow.newActivityStub(ProbeActivities.class, ActivityStubs.QUICK);

  @Override
  public ProbeResult probe() {
    long started = Workflow.currentTimeMillis();
    ProbeActivities.WarehouseInfo info = activities.describeWarehouse();
    return new ProbeResult(
        info.product(), info.version(), started, info.serverTimeMillis(), info.worker());
  }
}
