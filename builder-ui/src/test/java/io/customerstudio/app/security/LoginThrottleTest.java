package io.customerstudio.app.security;

import static org.assertj.core.api.Assertions.assertThat;

import com.github.benmanes.caffeine.cache.Ticker;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The login limits on a clock the test moves: counts, locks, doubling, reset and forgetting. */
class LoginThrottleTest {

  static final LoginLimits DEFAULTS =
      new LoginLimits(
          5,
          20,
          Duration.ofMinutes(15),
          Duration.ofSeconds(30),
          Duration.ofMinutes(15),
          Duration.ofMinutes(5));

  final AtomicLong nanos = new AtomicLong(1_000_000_000L);
  final Ticker ticker = nanos::get;
  final LoginThrottle throttle = new LoginThrottle(DEFAULTS, ticker);

  void advance(Duration d) {
    nanos.addAndGet(d.toNanos());
  }

  @Test
  void fiveFailuresLockTheUserForThirtySeconds() {
    for (int i = 0; i < 4; i++) {
      throttle.failed("ann", "10.0.0.1");
      assertThat(throttle.locked("ann", "10.0.0.1")).isEmpty();
    }
    throttle.failed("ann", "10.0.0.1");
    assertThat(throttle.locked("ann", "10.0.0.2")).hasValue(Duration.ofSeconds(30));
    assertThat(throttle.locked("bob", "10.0.0.1")).as("other users from that address").isEmpty();
    advance(Duration.ofSeconds(29));
    assertThat(throttle.locked("ann", null)).hasValue(Duration.ofSeconds(1));
    advance(Duration.ofSeconds(1));
    assertThat(throttle.locked("ann", null)).isEmpty();
  }

  @Test
  void eachFailureAfterALockDoublesTheNextUpToTheMaximum() {
    for (int i = 0; i < 5; i++) {
      throttle.failed("ann", null);
    }
    long[] expected = {60, 120, 240, 480, 900, 900};
    for (long seconds : expected) {
      advance(throttle.locked("ann", null).orElseThrow());
      throttle.failed("ann", null);
      assertThat(throttle.locked("ann", null)).hasValue(Duration.ofSeconds(seconds));
    }
  }

  @Test
  void aGoodLoginResetsTheUserButNotTheAddress() {
    for (int i = 0; i < 4; i++) {
      throttle.failed("ann", "10.0.0.1");
    }
    throttle.succeeded("ann");
    for (int i = 0; i < 4; i++) {
      throttle.failed("ann", "10.0.0.1");
    }
    assertThat(throttle.locked("ann", null)).isEmpty();
    for (int i = 0; i < 12; i++) {
      throttle.failed("user" + i, "10.0.0.1");
    }
    assertThat(throttle.locked("someone", "10.0.0.1")).hasValue(Duration.ofSeconds(30));
    assertThat(throttle.locked("someone", "10.0.0.9")).isEmpty();
  }

  @Test
  void twentyFailuresFromOneAddressLockItWhateverTheNames() {
    for (int i = 0; i < 19; i++) {
      throttle.failed("guess" + i, "10.0.0.1");
    }
    assertThat(throttle.locked("admin", "10.0.0.1")).isEmpty();
    throttle.failed("guess19", "10.0.0.1");
    assertThat(throttle.locked("admin", "10.0.0.1")).hasValue(Duration.ofSeconds(30));
    assertThat(throttle.locked("admin", "10.0.0.2")).isEmpty();
  }

  @Test
  void failuresAWindowApartAreForgotten() {
    for (int i = 0; i < 10; i++) {
      throttle.failed("ann", null);
      advance(Duration.ofMinutes(16));
    }
    assertThat(throttle.locked("ann", null)).isEmpty();
    // after a lock, the quiet window starts when the lock ends: no fresh five tries right away
    for (int i = 0; i < 5; i++) {
      throttle.failed("ann", null);
    }
    advance(Duration.ofSeconds(30));
    throttle.failed("ann", null);
    assertThat(throttle.locked("ann", null)).hasValue(Duration.ofSeconds(60));
    advance(Duration.ofSeconds(60).plus(Duration.ofMinutes(15)).plusSeconds(1));
    throttle.failed("ann", null);
    assertThat(throttle.locked("ann", null)).isEmpty();
  }
}
