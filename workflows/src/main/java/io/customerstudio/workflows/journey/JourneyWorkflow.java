package io.customerstudio.workflows.journey;

import io.temporal.workflow.SignalMethod;
import io.temporal.workflow.WorkflowInterface;
import io.temporal.workflow.WorkflowMethod;

/**
 * One long-running workflow per journey ({@code journey-<key>}), whatever the number of people in
 * it: it calls the advance step, sleeps until the next person is due (at most a minute), and wakes
 * early on a nudge (new events, publish, pause, resume, stop). People move in batches in the app
 * store, never as workflows; the workflow carries only the journey's key. It continues as new
 * before its history grows large, and ends when the journey is stopped.
 */
@WorkflowInterface
public interface JourneyWorkflow {

  @WorkflowMethod(name = "Journey")
  void run(String journey);

  /** Something changed: advance now instead of at the next due time. */
  @SignalMethod
  void nudge();

  static String workflowId(String journey) {
    return "journey-" + journey;
  }
}
