package io.customerstudio.activities.destinations;

/** What the destination did with one row: accepted, or rejected with its reason. */
public record RowOutcome(String key, boolean accepted, String reason) {

  public static RowOutcome accepted(String key) {
    return new RowOutcome(key, true, null);
  }

  public static RowOutcome rejected(String key, String reason) {
    return new RowOutcome(key, false, reason);
  }
}
