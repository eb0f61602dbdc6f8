package io.customerstudio.app.errors;

/**
 * A service refused a request that is well formed but clashes with the current state (a key taken,
 * a run that can no longer be replayed). The message says why and what to do; the API answers 409.
 */
public class ConflictException extends RuntimeException {

  public ConflictException(String message) {
    super(message);
  }
}
