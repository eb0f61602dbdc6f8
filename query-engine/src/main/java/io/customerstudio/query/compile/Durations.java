package io.customerstudio.query.compile;

import com.fasterxml.jackson.databind.JsonNode;
import io.customerstudio.query.Problems;
import io.customerstudio.query.audience.TimeUnit;
import java.util.Iterator;

/** Reads {"amount": N, "unit": U} values of within_last and not_within_last. */
final class Durations {

  private Durations() {}

  static TimeUnit read(JsonNode v, String path, long[] amount, Problems problems) {
    if (v == null || !v.isObject()) {
      problems.add(path, "expected {\"amount\": N, \"unit\": \"day\"}");
      return null;
    }
    Iterator<String> names = v.fieldNames();
    while (names.hasNext()) {
      String n = names.next();
      if (!n.equals("amount") && !n.equals("unit")) {
        problems.add(path + "." + n, "unknown field; expected amount and unit");
      }
    }
    JsonNode a = v.get("amount");
    if (a == null
        || !a.isIntegralNumber()
        || !a.canConvertToLong()
        || a.asLong() < 0
        || a.asLong() > 100_000) {
      problems.add(path + ".amount", "expected a whole number from 0 to 100000");
      return null;
    }
    JsonNode u = v.get("unit");
    TimeUnit unit = u != null && u.isTextual() ? TimeUnit.ofJson(u.asText()) : null;
    if (unit == null) {
      problems.add(path + ".unit", "expected one of minute, hour, day, week, month, year");
      return null;
    }
    amount[0] = a.asLong();
    return unit;
  }
}
