package io.customerstudio.activities.delivery;

import io.customerstudio.activities.destinations.Connector;
import io.customerstudio.activities.destinations.DeliveryException;
import io.github.resilience4j.ratelimiter.RateLimiter;
import io.github.resilience4j.ratelimiter.RateLimiterConfig;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;

/**
 * One destination as every delivery in this worker shares it: its connector (clients and pools),
 * its rate limiter, a pause that a {@code Retry-After} puts on every request (not only the one that
 * got it, so four parallel batches do not storm a throttled endpoint), and its outage clock: how
 * long it has been failing, against its budget. Thread-safe.
 */
public final class DestinationRuntime implements AutoCloseable {

  private final String key;
  private final String fingerprint;
  private final Connector connector;
  private final RateLimiter limiter;
  private final Duration outageBudget;
  private final Clock clock;

  private Instant pausedUntil = Instant.MIN;
  private Instant failingSince;
  private String lastError;

  DestinationRuntime(
      String key, String fingerprint, Connector connector, Duration outageBudget, Clock clock) {
    this.key = key;
    this.fingerprint = fingerprint;
    this.connector = connector;
    this.outageBudget = outageBudget;
    this.clock = clock;
    double rps = connector.requestsPerSecond();
    this.limiter =
        Double.isInfinite(rps)
            ? null
            : RateLimiter.of(
                "destination " + key,
                RateLimiterConfig.custom()
                    .limitForPeriod(rps >= 1 ? (int) Math.round(rps) : 1)
                    .limitRefreshPeriod(
                        rps >= 1
                            ? Duration.ofSeconds(1)
                            : Duration.ofMillis(Math.round(1000 / rps)))
                    // a waiting request re-checks its fence every few seconds
                    .timeoutDuration(Duration.ofSeconds(2))
                    .build());
  }

  public String key() {
    return key;
  }

  String fingerprint() {
    return fingerprint;
  }

  public Connector connector() {
    return connector;
  }

  public Duration outageBudget() {
    return outageBudget;
  }

  /** How long requests must still wait for a pause a {@code Retry-After} asked for. */
  synchronized Duration pauseLeft() {
    Duration left = Duration.between(clock.instant(), pausedUntil);
    return left.isNegative() ? Duration.ZERO : left;
  }

  /** Takes a permit of the rate limit, waiting at most a short while; false when none came. */
  boolean permit() {
    return limiter == null || limiter.acquirePermission();
  }

  /** A request failed: the outage clock starts (if it is not running) and a pause is noted. */
  synchronized void failed(DeliveryException e) {
    Instant now = clock.instant();
    if (failingSince == null) {
      failingSince = now;
    }
    lastError = e.getMessage();
    e.retryAfter()
        .ifPresent(
            after -> {
              Instant until = now.plus(after);
              if (until.isAfter(pausedUntil)) {
                pausedUntil = until;
              }
            });
  }

  /** A batch went through: the destination is up again. */
  synchronized void succeeded() {
    failingSince = null;
    lastError = null;
  }

  /** How long the destination has been failing, or zero when it is up. */
  synchronized Duration failingFor() {
    return failingSince == null ? Duration.ZERO : Duration.between(failingSince, clock.instant());
  }

  synchronized String lastError() {
    return lastError;
  }

  @Override
  public void close() {
    connector.close();
  }
}
