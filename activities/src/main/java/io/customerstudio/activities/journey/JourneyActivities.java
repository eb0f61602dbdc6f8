package io.customerstudio.activities.journey;

import io.temporal.activity.ActivityInterface;
import io.temporal.activity.ActivityMethod;

/** The journey workflow's one step: move everyone who is due, in batches, from the app store. */
@ActivityInterface
public interface JourneyActivities {

  /**
   * What a step did: whether the journey is over (stopped, or gone), whether work is left that the
   * step's time budget did not cover (call again at once), and when the next person is due (epoch
   * millis, 0 when nobody is waiting on a timer).
   */
  record Tick(boolean finished, boolean more, long nextDueMillis) {}

  /**
   * Applies new events, runs due audience and condition checks, and moves every person who is due
   * at {@code nowMillis} (the workflow's clock; the step adds the time it has spent) through as
   * many nodes as they can go, for at most a few seconds.
   *
   * <p>Idempotent: each batch of moves is one app-store transaction that also advances the
   * journey's event cursor, and a send is fixed in a batch (with its idempotency key) before it is
   * delivered, so a retried step continues where the last attempt stopped and never sends a person
   * twice for one send node and entry.
   */
  @ActivityMethod(name = "JourneyAdvance")
  Tick advance(String journey, long nowMillis);
}
