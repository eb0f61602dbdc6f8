package io.customerstudio.workflows.journey;

import io.customerstudio.activities.journey.JourneyActivities;
import io.customerstudio.workflows.common.ActivityStubs;
import io.temporal.workflow.Workflow;
import java.time.Duration;

/** See {@link JourneyWorkflow}. */
public class JourneyWorkflowImpl implements JourneyWorkflow {

  /** Continue as new past this many history events (Temporal warns at 10,240). */
  static final int HISTORY_LIMIT = 2_000;

  /** The longest sleep: a missed nudge (a lost signal) delays moves by at most this. */
  static final Duration LONGEST_SLEEP = Duration.ofMinutes(1);

  private final JourneyActivities steps =
      Workflow.newActivityStub(JourneyActivities.class, ActivityStubs.JOURNEY);

  private boolean nudged;

  @Override
  public void run(String journey) {
    while (true) {
      nudged = false;
      JourneyActivities.Tick tick = steps.advance(journey, Workflow.currentTimeMillis());
      if (tick.finished()) {
        return;
      }
      if (!tick.more()) {
        long now = Workflow.currentTimeMillis();
        long sleep =
            tick.nextDueMillis() <= 0
                ? LONGEST_SLEEP.toMillis()
                : Math.min(LONGEST_SLEEP.toMillis(), tick.nextDueMillis() - now);
        if (sleep > 0) {
          Workflow.await(Duration.ofMillis(sleep), () -> nudged);
        }
      }
      if (Workflow.getInfo().getHistoryLength() > HISTORY_LIMIT
          || Workflow.getInfo().isContinueAsNewSuggested()) {
        Workflow.continueAsNew(journey);
      }
    }
  }

  @Override
  public void nudge() {
    nudged = true;
  }
}
