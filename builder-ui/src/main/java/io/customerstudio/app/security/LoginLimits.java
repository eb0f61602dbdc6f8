package io.customerstudio.app.security;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Limits on failed logins ({@code studio.login.*}, see {@link LoginThrottle}), and how long good
 * HTTP Basic credentials are remembered so repeated requests skip bcrypt ({@code credentialCache};
 * zero turns the cache off).
 */
@ConfigurationProperties("studio.login")
public record LoginLimits(
    @DefaultValue("5") int failuresPerUser,
    @DefaultValue("20") int failuresPerAddress,
    @DefaultValue("PT15M") Duration window,
    @DefaultValue("PT30S") Duration lockout,
    @DefaultValue("PT15M") Duration maxLockout,
    @DefaultValue("PT5M") Duration credentialCache) {

  public LoginLimits {
    if (failuresPerUser < 1 || failuresPerAddress < 1) {
      throw new IllegalArgumentException(
          "STUDIO_LOGIN_FAILURES_PER_USER and STUDIO_LOGIN_FAILURES_PER_ADDRESS must be at least 1");
    }
    if (lockout.isNegative()
        || lockout.isZero()
        || maxLockout.compareTo(lockout) < 0
        || window.isNegative()
        || credentialCache.isNegative()) {
      throw new IllegalArgumentException(
          "STUDIO_LOGIN_LOCKOUT must be positive and at most STUDIO_LOGIN_MAX_LOCKOUT;"
              + " STUDIO_LOGIN_WINDOW and STUDIO_LOGIN_CREDENTIAL_CACHE must not be negative");
    }
  }
}
