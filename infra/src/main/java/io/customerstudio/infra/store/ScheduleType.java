package io.customerstudio.infra.store;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * When a sync runs by itself: {@code manual} (never), {@code interval}, {@code cron} or {@code
 * realtime} (on a trigger). The wire and stored name is the lower-case constant name; it is part of
 * the stored schedule JSON and of the scheduler workflow's input.
 */
public enum ScheduleType {
  MANUAL,
  INTERVAL,
  CRON,
  REALTIME;

  /** The wire names, in declaration order: {@code [manual, interval, cron, realtime]}. */
  public static final List<String> WIRE = Arrays.stream(values()).map(ScheduleType::wire).toList();

  @JsonValue
  public String wire() {
    return name().toLowerCase(Locale.ROOT);
  }

  /**
   * The type of a wire name.
   *
   * @throws IllegalArgumentException when {@code wire} names no schedule type
   */
  @JsonCreator
  public static ScheduleType of(String wire) {
    for (ScheduleType t : values()) {
      if (t.wire().equals(wire)) {
        return t;
      }
    }
    throw new IllegalArgumentException("no schedule type \"" + wire + "\"; one of " + WIRE);
  }
}
