package io.customerstudio.infra.store;

import java.util.Locale;

/** Where a sync run is. The wire and stored name is the lower-case constant name. */
public enum RunStatus {
  QUEUED,
  QUERYING,
  DIFFING,
  DELIVERING,
  SUCCEEDED,
  SUCCEEDED_WITH_ERRORS,
  FAILED,
  INTERRUPTED,
  CANCELLED;

  public String wire() {
    return name().toLowerCase(Locale.ROOT);
  }

  public static RunStatus of(String wire) {
    return valueOf(wire.toUpperCase(Locale.ROOT));
  }

  /** Queued or working: not yet ended. */
  public boolean inFlight() {
    return ordinal() <= DELIVERING.ordinal();
  }

  /** A run that stopped part way and may be replayed. */
  public boolean replayable() {
    return this == FAILED || this == INTERRUPTED;
  }
}
