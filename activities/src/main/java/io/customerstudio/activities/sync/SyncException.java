package io.customerstudio.activities.sync;

/** A run cannot go on for a reason that retrying will not fix (a deleted audience, say). */
public class SyncException extends RuntimeException {

  public SyncException(String message) {
    super(message);
  }
}
