package io.customerstudio.activities.destinations;

import java.time.Duration;
import java.util.Optional;

/**
 * The destination did not take a batch at all. Nothing of it counts as delivered; the batch is sent
 * again under the same idempotency key.
 *
 * <p>A <em>transient</em> failure (unreachable, timed out, 408, 429, 5xx, a dropped connection) is
 * retried by the delivery core with backoff, honouring {@link #retryAfter()}, for as long as the
 * destination's outage budget lasts. A <em>permanent</em> one (refused credentials, a missing
 * table) fails the attempt at once: retrying cannot fix it.
 */
public class DeliveryException extends RuntimeException {

  private final boolean retryable;
  private final Duration retryAfter;

  private DeliveryException(
      String message, Throwable cause, boolean retryable, Duration retryAfter) {
    super(message, cause);
    this.retryable = retryable;
    this.retryAfter = retryAfter;
  }

  /** A failure worth retrying; {@code retryAfter} is how long the destination asked us to wait. */
  public static DeliveryException transientFailure(
      String message, Duration retryAfter, Throwable cause) {
    return new DeliveryException(message, cause, true, retryAfter);
  }

  public static DeliveryException transientFailure(String message, Throwable cause) {
    return transientFailure(message, null, cause);
  }

  /** A failure that retrying cannot fix. */
  public static DeliveryException permanent(String message, Throwable cause) {
    return new DeliveryException(message, cause, false, null);
  }

  public boolean retryable() {
    return retryable;
  }

  public Optional<Duration> retryAfter() {
    return Optional.ofNullable(retryAfter);
  }
}
