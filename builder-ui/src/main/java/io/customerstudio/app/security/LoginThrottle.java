package io.customerstudio.app.security;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import com.github.benmanes.caffeine.cache.Ticker;
import java.time.Duration;
import java.util.Optional;

/**
 * Counts failed logins per username and per client address, and locks either out once it has failed
 * too often: {@code failuresPerUser} (or {@code failuresPerAddress}) failures lock for {@code
 * lockout}; every further failure after a lock ends doubles the next lock, up to {@code
 * maxLockout}. A count is forgotten after {@code window} without failures, counted from the end of
 * the last lock. A locked login is refused before its password is checked, so guessing costs no
 * bcrypt. A success clears the user's count, not the address's (one good account must not reset an
 * address that guesses others).
 *
 * <p>Counts live in memory, per app instance, in bounded maps (the oldest entries go first when an
 * attacker sprays names). Thread-safe: each count changes in one atomic map operation.
 */
final class LoginThrottle {

  private record Failures(int count, long lastNanos, long lockedUntilNanos) {}

  private final LoginLimits limits;
  private final Ticker ticker;
  private final Cache<String, Failures> users;
  private final Cache<String, Failures> addresses;

  LoginThrottle(LoginLimits limits, Ticker ticker) {
    this.limits = limits;
    this.ticker = ticker;
    this.users = counts();
    this.addresses = counts();
  }

  /** How long this login must wait, when the user or the address is locked out. */
  Optional<Duration> locked(String username, String address) {
    long now = ticker.read();
    long wait = Math.max(remaining(users, username, now), remaining(addresses, address, now));
    return wait > 0 ? Optional.of(Duration.ofNanos(wait)) : Optional.empty();
  }

  /** A wrong password (or an unknown or disabled user) from this address. */
  void failed(String username, String address) {
    long now = ticker.read();
    if (username != null) {
      users.asMap().compute(username, (k, f) -> next(f, now, limits.failuresPerUser()));
    }
    if (address != null) {
      addresses.asMap().compute(address, (k, f) -> next(f, now, limits.failuresPerAddress()));
    }
  }

  /** A good login: the user starts from nothing again. */
  void succeeded(String username) {
    users.invalidate(username);
  }

  private Failures next(Failures f, long now, int limit) {
    boolean quiet = f == null || now - quietSince(f) > limits.window().toNanos();
    int count = quiet ? 1 : f.count() + 1;
    long lockedUntil = quiet ? 0 : f.lockedUntilNanos();
    if (count >= limit) {
      int doublings = Math.min(count - limit, 30);
      long lock = Math.min(limits.lockout().toNanos() << doublings, limits.maxLockout().toNanos());
      lockedUntil = now + (lock < 0 ? limits.maxLockout().toNanos() : lock);
    }
    return new Failures(count, now, lockedUntil);
  }

  /** A count is forgotten after a window without failures, counted from the end of its lock. */
  private static long quietSince(Failures f) {
    return Math.max(f.lastNanos(), f.lockedUntilNanos());
  }

  private static long remaining(Cache<String, Failures> counts, String key, long now) {
    if (key == null) {
      return 0;
    }
    Failures f = counts.getIfPresent(key);
    return f == null ? 0 : f.lockedUntilNanos() - now;
  }

  /** Entries live until their count would be forgotten anyway: a window past their lock. */
  private Cache<String, Failures> counts() {
    long window = limits.window().toNanos();
    return Caffeine.newBuilder()
        .ticker(ticker)
        .maximumSize(100_000)
        .expireAfter(
            new Expiry<String, Failures>() {
              @Override
              public long expireAfterCreate(String key, Failures f, long now) {
                return Math.max(0, quietSince(f) - now) + window;
              }

              @Override
              public long expireAfterUpdate(String key, Failures f, long now, long current) {
                return Math.max(0, quietSince(f) - now) + window;
              }

              @Override
              public long expireAfterRead(String key, Failures f, long now, long current) {
                return current;
              }
            })
        .build();
  }
}
