package io.customerstudio.workflows.sync;

import io.temporal.workflow.WorkflowInterface;
import io.temporal.workflow.WorkflowMethod;

/**
 * One run of a sync, by run id: plan, materialize, diff, deliver in batches, commit. The workflow
 * id is {@code sync-run-<runId>}; a replay is a new execution under the same id that resumes from
 * the recorded batches.
 */
@WorkflowInterface
public interface SyncRunWorkflow {

  /** The run to do, and how long a delivering worker may go without a heartbeat. */
  record Input(String runId, int heartbeatSeconds) {}

  /** How it ended: a final status's wire name and the counts of this attempt. */
  record Result(String runId, String status, long delivered, long rejected) {}

  @WorkflowMethod(name = "SyncRun")
  Result run(Input input);

  static String workflowId(String runId) {
    return "sync-run-" + runId;
  }
}
