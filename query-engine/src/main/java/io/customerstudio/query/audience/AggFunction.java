package io.customerstudio.query.audience;

import java.util.Locale;

/** Aggregate functions of relation conditions (section 3) and aggregation traits (section 4). */
public enum AggFunction {
  COUNT,
  COUNT_DISTINCT,
  SUM,
  AVG,
  MIN,
  MAX,
  FIRST,
  LAST,
  MOST_FREQUENT;

  /** Functions usable in a relation condition; the others exist only in traits. */
  public boolean inConditions() {
    return ordinal() <= MAX.ordinal();
  }

  /** count and count_distinct are 0 over no rows; the others are NULL. */
  public boolean zeroOnEmpty() {
    return this == COUNT || this == COUNT_DISTINCT;
  }

  public boolean needsColumn() {
    return this != COUNT;
  }

  public String json() {
    return name().toLowerCase(Locale.ROOT);
  }

  public static AggFunction ofJson(String name) {
    for (AggFunction f : values()) {
      if (f.json().equals(name)) {
        return f;
      }
    }
    return null;
  }
}
