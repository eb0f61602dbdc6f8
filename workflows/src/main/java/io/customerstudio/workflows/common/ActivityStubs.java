package io.customerstudio.workflows.common;

import io.temporal.activity.ActivityOptions;
import io.temporal.common.RetryOptions;
import java.time.Duration;

/** Activity options in one place, so timeouts and retries are chosen once, not per workflow. */
public final class ActivityStubs {

  private ActivityStubs() {}

  /** Short, read-only calls: a few seconds each, retried with backoff for a minute. */
  public static final ActivityOptions QUICK =
      ActivityOptions.newBuilder()
          .setStartToCloseTimeout(Duration.ofSeconds(15))
          .setScheduleToCloseTimeout(Duration.ofMinutes(1))
          .setRetryOptions(
              RetryOptions.newBuilder()
                  .setInitialInterval(Duration.ofMillis(500))
                  .setBackoffCoefficient(2.0)
                  .setMaximumInterval(Duration.ofSeconds(10))
                  .build())
          .build();

  /**
   * Calls a long-running workflow cannot do without, such as a scheduler's tick: each attempt is
   * short, and attempts go on with backoff (at most a minute apart) for as long as the app store is
   * down. No overall deadline, so an outage delays the call and never fails the workflow.
   */
  public static final ActivityOptions UNTIL_DONE =
      ActivityOptions.newBuilder()
          .setStartToCloseTimeout(Duration.ofSeconds(15))
          .setRetryOptions(
              RetryOptions.newBuilder()
                  .setInitialInterval(Duration.ofSeconds(1))
                  .setBackoffCoefficient(2.0)
                  .setMaximumInterval(Duration.ofMinutes(1))
                  .setMaximumAttempts(0) // unlimited
                  .build())
          .build();

  /**
   * A journey's advance step: each call works a few seconds and heartbeats; attempts go on with
   * backoff for as long as the app store or the warehouse is down, so an outage delays people and
   * never ends the journey.
   */
  public static final ActivityOptions JOURNEY =
      ActivityOptions.newBuilder()
          .setStartToCloseTimeout(Duration.ofMinutes(10))
          .setHeartbeatTimeout(Duration.ofSeconds(30))
          .setRetryOptions(
              RetryOptions.newBuilder()
                  .setInitialInterval(Duration.ofSeconds(1))
                  .setBackoffCoefficient(2.0)
                  .setMaximumInterval(Duration.ofMinutes(1))
                  .setMaximumAttempts(0) // unlimited
                  .build())
          .build();
}
