package io.customerstudio.app.base.ui;

import java.time.Instant;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.regex.Pattern;

/**
 * How times read in every view: UTC, to the second or the minute, never with the microseconds the
 * store and the warehouse keep.
 */
public final class Times {

  private static final DateTimeFormatter SECOND =
      DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss");
  private static final DateTimeFormatter MINUTE = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm");

  /** An ISO-8601 date-time as the engine hands warehouse values over ("2026-10-31T12:34:56.5Z"). */
  private static final Pattern ISO_DATE_TIME =
      Pattern.compile(
          "\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}(:\\d{2}(\\.\\d+)?)?(Z|[+-]\\d{2}:\\d{2})?");

  private Times() {}

  public static String second(Instant t) {
    return t == null ? "" : SECOND.format(t.atOffset(ZoneOffset.UTC));
  }

  public static String second(OffsetDateTime t) {
    return t == null ? "" : SECOND.format(t.withOffsetSameInstant(ZoneOffset.UTC));
  }

  public static String minute(OffsetDateTime t) {
    return t == null ? "" : MINUTE.format(t.withOffsetSameInstant(ZoneOffset.UTC));
  }

  /**
   * A warehouse value as text: date-times (ISO strings) to the second in UTC, anything else as it
   * is; null as empty.
   */
  public static String value(Object v) {
    if (v == null) {
      return "";
    }
    String s = String.valueOf(v);
    if (!(v instanceof CharSequence) || !ISO_DATE_TIME.matcher(s).matches()) {
      return s;
    }
    try {
      return s.endsWith("Z") || s.matches(".*[+-]\\d{2}:\\d{2}$")
          ? second(OffsetDateTime.parse(s))
          : SECOND.format(LocalDateTime.parse(s));
    } catch (DateTimeParseException notATime) {
      return s;
    }
  }
}
