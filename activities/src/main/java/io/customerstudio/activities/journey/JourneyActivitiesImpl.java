package io.customerstudio.activities.journey;

import io.temporal.activity.Activity;
import io.temporal.activity.ActivityExecutionContext;
import java.time.Instant;

/** See {@link JourneyActivities}; the work is {@link JourneyEngine}'s. */
public class JourneyActivitiesImpl implements JourneyActivities {

  private final JourneyEngine engine;

  public JourneyActivitiesImpl(JourneyEngine engine) {
    this.engine = engine;
  }

  @Override
  public Tick advance(String journey, long nowMillis) {
    ActivityExecutionContext ctx = Activity.getExecutionContext();
    var info = ctx.getInfo();
    String holder =
        info.getWorkflowId()
            + "/"
            + info.getActivityId()
            + "/"
            + info.getAttempt()
            + "/"
            + info.getRunId();
    return engine.advance(
        journey, Instant.ofEpochMilli(nowMillis), holder, () -> ctx.heartbeat(null));
  }
}
