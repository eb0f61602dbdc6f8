package io.customerstudio.activities.journey;

import java.time.Instant;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.ZonedDateTime;

/** Local times of day in a person's zone, daylight-saving changes included (java.time rules). */
final class LocalTimes {

  private LocalTimes() {}

  /**
   * The first instant after {@code after} at which the local time in {@code zone} is {@code time}.
   * A time skipped by a spring-forward gap is the first instant after the gap.
   */
  static Instant next(Instant after, LocalTime time, ZoneId zone) {
    ZonedDateTime local = after.atZone(zone);
    ZonedDateTime candidate = ZonedDateTime.of(local.toLocalDate(), time, zone);
    if (!candidate.toInstant().isAfter(after)) {
      candidate = ZonedDateTime.of(local.toLocalDate().plusDays(1), time, zone);
    }
    return candidate.toInstant();
  }

  /**
   * When the quiet window [from, to) that {@code now} is in ends, in {@code zone}; null when {@code
   * now} is outside it. A window whose {@code from} is after {@code to} wraps midnight.
   */
  static Instant quietEnd(Instant now, LocalTime from, LocalTime to, ZoneId zone) {
    LocalTime t = now.atZone(zone).toLocalTime();
    boolean inside =
        from.isBefore(to)
            ? !t.isBefore(from) && t.isBefore(to)
            : !t.isBefore(from) || t.isBefore(to);
    if (!inside || from.equals(to)) {
      return null;
    }
    return next(now, to, zone);
  }
}
