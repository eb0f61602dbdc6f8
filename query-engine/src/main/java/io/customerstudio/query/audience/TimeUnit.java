package io.customerstudio.query.audience;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.Locale;

/** Units of relative windows. Calendar units (month, year) are measured in UTC. */
public enum TimeUnit {
  MINUTE(ChronoUnit.MINUTES),
  HOUR(ChronoUnit.HOURS),
  DAY(ChronoUnit.DAYS),
  WEEK(ChronoUnit.WEEKS),
  MONTH(ChronoUnit.MONTHS),
  YEAR(ChronoUnit.YEARS);

  private final ChronoUnit unit;

  TimeUnit(ChronoUnit unit) {
    this.unit = unit;
  }

  /** {@code asOf} minus {@code amount} units. */
  public Instant before(Instant asOf, long amount) {
    return asOf.atOffset(ZoneOffset.UTC).minus(amount, unit).toInstant();
  }

  public String json() {
    return name().toLowerCase(Locale.ROOT);
  }

  public static TimeUnit ofJson(String name) {
    for (TimeUnit u : values()) {
      if (u.json().equals(name)) {
        return u;
      }
    }
    return null;
  }
}
