package io.customerstudio.query.engine;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.math.BigDecimal;
import java.time.temporal.TemporalAccessor;
import java.util.LinkedHashMap;
import java.util.Map;
import org.jooq.JSON;
import org.jooq.JSONB;
import org.jooq.Record;

/** Warehouse values as plain JSON-friendly Java values (times as ISO-8601 strings). */
final class Values {

  private static final ObjectMapper JSON_MAPPER = new ObjectMapper();

  private Values() {}

  static Object plain(Object v) {
    if (v == null || v instanceof String || v instanceof Boolean || v instanceof Long) {
      return v;
    }
    if (v instanceof Integer || v instanceof Short || v instanceof Byte) {
      return ((Number) v).longValue();
    }
    if (v instanceof BigDecimal d) {
      return d.stripTrailingZeros().scale() <= 0
              && d.abs().compareTo(BigDecimal.valueOf(Long.MAX_VALUE)) < 0
          ? (Object) d.longValueExact()
          : d;
    }
    if (v instanceof Number) {
      return v;
    }
    if (v instanceof TemporalAccessor t) {
      return t.toString();
    }
    if (v instanceof JSONB j) {
      return parse(j.data());
    }
    if (v instanceof JSON j) {
      return parse(j.data());
    }
    if (v.getClass().getName().equals("org.postgresql.util.PGobject")
        || v.getClass().getName().equals("org.duckdb.JsonNode")) {
      return parse(v.toString());
    }
    return v.toString();
  }

  private static Object parse(String json) {
    try {
      return JSON_MAPPER.readTree(json);
    } catch (Exception e) {
      return json;
    }
  }

  static Map<String, Object> row(Record r) {
    Map<String, Object> m = new LinkedHashMap<>();
    for (int i = 0; i < r.size(); i++) {
      m.put(r.field(i).getName(), plain(r.get(i)));
    }
    return m;
  }
}
