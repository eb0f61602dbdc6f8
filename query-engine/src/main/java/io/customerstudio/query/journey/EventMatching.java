package io.customerstudio.query.journey;

import com.fasterxml.jackson.databind.JsonNode;
import io.customerstudio.query.Problems;
import io.customerstudio.query.audience.AudienceJson;
import io.customerstudio.query.audience.Op;
import io.customerstudio.query.audience.TimeUnit;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.Locale;

/**
 * One predicate on one event property, in memory: the audience spec's operators and NULL rule
 * (which the SQL compiler applies in the warehouse) for the properties of events, which never reach
 * the warehouse. A NULL (missing or JSON null) property satisfies exactly the operators for which
 * {@link Op#holdsOnNull()} is true; otherwise each negative operator is the exact complement of its
 * positive one. Values the operator cannot compare (a word against a number) do not satisfy it.
 */
final class EventMatching {

  private EventMatching() {}

  static boolean holds(Op op, JsonNode actual, JsonNode expected, Instant now) {
    if (actual == null || actual.isNull() || actual.isMissingNode()) {
      return op.holdsOnNull();
    }
    return switch (op) {
      case IS_NULL -> false;
      case IS_NOT_NULL -> true;
      case EQ -> equal(actual, expected);
      case NEQ -> !equal(actual, expected);
      case IN -> in(actual, expected);
      case NOT_IN -> !in(actual, expected);
      case GT -> compare(actual, expected) > 0 && comparable(actual, expected);
      case GTE -> compare(actual, expected) >= 0 && comparable(actual, expected);
      case LT -> compare(actual, expected) < 0 && comparable(actual, expected);
      case LTE -> compare(actual, expected) <= 0 && comparable(actual, expected);
      case BETWEEN ->
          expected != null
              && expected.isArray()
              && expected.size() == 2
              && comparable(actual, expected.get(0))
              && comparable(actual, expected.get(1))
              && compare(actual, expected.get(0)) >= 0
              && compare(actual, expected.get(1)) <= 0;
      case CONTAINS -> text(actual).contains(lower(expected));
      case NOT_CONTAINS -> !text(actual).contains(lower(expected));
      case STARTS_WITH -> text(actual).startsWith(lower(expected));
      case ENDS_WITH -> text(actual).endsWith(lower(expected));
      case IS_TRUE -> actual.isBoolean() && actual.booleanValue();
      case IS_FALSE -> actual.isBoolean() && !actual.booleanValue();
      case WITHIN_LAST -> withinLast(actual, expected, now);
      case NOT_WITHIN_LAST -> !withinLast(actual, expected, now);
      case BEFORE -> isBefore(actual, expected);
      case AFTER -> isBefore(expected, actual);
    };
  }

  private static boolean equal(JsonNode a, JsonNode b) {
    if (b == null || !a.isValueNode() || !b.isValueNode()) {
      return false;
    }
    BigDecimal x = number(a);
    BigDecimal y = number(b);
    if (b.isNumber() && x != null) {
      return x.compareTo(y) == 0;
    }
    if (a.isBoolean() || b.isBoolean()) {
      return a.isBoolean() && b.isBoolean() && a.booleanValue() == b.booleanValue();
    }
    if (a.isTextual() && b.isTextual()) {
      Instant s = instant(a.asText());
      Instant t = instant(b.asText());
      return s != null && t != null ? s.equals(t) : a.asText().equals(b.asText());
    }
    return false;
  }

  private static boolean in(JsonNode a, JsonNode list) {
    if (list == null || !list.isArray()) {
      return false;
    }
    for (JsonNode e : list) {
      if (equal(a, e)) {
        return true;
      }
    }
    return false;
  }

  /** Whether a and b are both numbers or both ISO-8601 times. */
  private static boolean comparable(JsonNode a, JsonNode b) {
    if (b == null || !a.isValueNode() || !b.isValueNode()) {
      return false;
    }
    if (b.isNumber()) {
      return number(a) != null;
    }
    return a.isTextual()
        && b.isTextual()
        && instant(a.asText()) != null
        && instant(b.asText()) != null;
  }

  /** Only meaningful when {@link #comparable}; 0 otherwise. */
  private static int compare(JsonNode a, JsonNode b) {
    if (!comparable(a, b)) {
      return 0;
    }
    if (b.isNumber()) {
      return number(a).compareTo(number(b));
    }
    return instant(a.asText()).compareTo(instant(b.asText()));
  }

  private static boolean withinLast(JsonNode actual, JsonNode expected, Instant now) {
    Instant at = actual.isTextual() ? instant(actual.asText()) : null;
    long[] amount = new long[1];
    TimeUnit unit = AudienceJson.duration(expected, "$", amount, new Problems());
    if (at == null || unit == null) {
      return false;
    }
    return !at.isBefore(unit.before(now, amount[0])) && !at.isAfter(now);
  }

  private static boolean isBefore(JsonNode a, JsonNode b) {
    Instant x = a != null && a.isTextual() ? instant(a.asText()) : null;
    Instant y = b != null && b.isTextual() ? instant(b.asText()) : null;
    return x != null && y != null && x.isBefore(y);
  }

  /** A number node, or a string that is a number (events often carry "35.5"); else null. */
  private static BigDecimal number(JsonNode v) {
    if (v == null) {
      return null;
    }
    if (v.isNumber()) {
      return v.isFloatingPointNumber() && !Double.isFinite(v.doubleValue())
          ? null
          : v.decimalValue();
    }
    if (v.isTextual()) {
      try {
        return new BigDecimal(v.asText().strip());
      } catch (NumberFormatException e) {
        return null;
      }
    }
    return null;
  }

  private static String text(JsonNode v) {
    return v.isValueNode()
        ? v.asText().toLowerCase(Locale.ROOT)
        : v.toString().toLowerCase(Locale.ROOT);
  }

  private static String lower(JsonNode v) {
    return v == null ? "" : v.asText().toLowerCase(Locale.ROOT);
  }

  /**
   * An instant from ISO-8601 (with an offset, a local date-time taken as UTC, or a date's start, as
   * the audience spec reads times); null when the text is not one.
   */
  static Instant instant(String s) {
    try {
      return OffsetDateTime.parse(s).toInstant();
    } catch (DateTimeParseException e) {
      // try the other accepted forms
    }
    try {
      return LocalDateTime.parse(s).toInstant(ZoneOffset.UTC);
    } catch (DateTimeParseException e) {
      // try a date
    }
    try {
      return LocalDate.parse(s).atStartOfDay().toInstant(ZoneOffset.UTC);
    } catch (DateTimeParseException e) {
      return null;
    }
  }
}
