package io.customerstudio.app.security;

import java.time.Duration;
import org.springframework.security.core.AuthenticationException;

/** A login refused unchecked: its user or address failed too often; it may try after a wait. */
final class TooManyLoginFailuresException extends AuthenticationException {

  private final Duration retryAfter;

  TooManyLoginFailuresException(Duration retryAfter) {
    super("too many failed logins for this user or address");
    this.retryAfter = retryAfter;
  }

  /** Whole seconds to wait, at least one. */
  long retryAfterSeconds() {
    return Math.max(1, (retryAfter.toMillis() + 999) / 1000);
  }
}
