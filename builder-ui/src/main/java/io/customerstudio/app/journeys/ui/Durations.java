package io.customerstudio.app.journeys.ui;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Locale;

/**
 * ISO-8601 durations as a person reads and types them: an amount and a unit ("2 days"), the largest
 * whole unit that fits, so {@code P1DT2H} reads "26 hours" and {@code P2W} "2 weeks".
 */
final class Durations {

  /** A unit a person picks: its name and how long it is. */
  enum Unit {
    SECONDS(Duration.ofSeconds(1), "second"),
    MINUTES(Duration.ofMinutes(1), "minute"),
    HOURS(Duration.ofHours(1), "hour"),
    DAYS(Duration.ofDays(1), "day"),
    WEEKS(Duration.ofDays(7), "week");

    final Duration length;
    final String singular;

    Unit(Duration length, String singular) {
      this.length = length;
      this.singular = singular;
    }

    String label() {
      return singular + "s";
    }

    /** The ISO-8601 text of {@code amount} of this unit. */
    String iso(long amount) {
      return switch (this) {
        case SECONDS -> "PT" + amount + "S";
        case MINUTES -> "PT" + amount + "M";
        case HOURS -> "PT" + amount + "H";
        case DAYS -> "P" + amount + "D";
        case WEEKS -> "P" + amount + "W";
      };
    }
  }

  /** An amount of a unit. */
  record Amount(long amount, Unit unit) {}

  private Durations() {}

  /** The text as an amount of the largest whole unit, or null when it is not a duration. */
  static Amount parse(String iso) {
    if (iso == null || iso.isBlank()) {
      return null;
    }
    String text = iso.trim().toUpperCase(Locale.ROOT);
    Duration d;
    try {
      if (text.matches("P\\d+W")) {
        d = Duration.ofDays(7L * Long.parseLong(text.substring(1, text.length() - 1)));
      } else {
        d = Duration.parse(text);
      }
    } catch (DateTimeParseException | ArithmeticException | NumberFormatException e) {
      return null;
    }
    if (d.isNegative() || d.isZero() || d.getNano() != 0) {
      return null;
    }
    List<Unit> units = List.of(Unit.values());
    for (int i = units.size() - 1; i >= 0; i--) {
      Unit u = units.get(i);
      if (d.getSeconds() % u.length.getSeconds() == 0) {
        return new Amount(d.getSeconds() / u.length.getSeconds(), u);
      }
    }
    return null;
  }

  /** "1 day", "36 hours"; the text itself when it is not a duration; "?" when blank. */
  static String human(String iso) {
    if (iso == null || iso.isBlank()) {
      return "?";
    }
    Amount a = parse(iso);
    if (a == null) {
      return iso;
    }
    return a.amount() + " " + (a.amount() == 1 ? a.unit().singular : a.unit().label());
  }
}
