package io.customerstudio.app.conditions.ui;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;

/**
 * The builder edits the definition's JSON in place: a row changes only the fields a person touched,
 * so any valid definition loads and saves back byte for byte.
 */
final class Nodes {

  static final JsonNodeFactory F = JsonNodeFactory.instance;

  private Nodes() {}

  static ObjectNode condition(String type) {
    ObjectNode n = F.objectNode();
    n.put("type", type);
    if (type.equals("and") || type.equals("or")) {
      n.putArray("conditions");
    }
    return n;
  }

  static String text(JsonNode n, String field) {
    JsonNode v = n == null ? null : n.get(field);
    return v == null || v.isNull() ? null : v.asText();
  }

  static String type(JsonNode n) {
    return text(n, "type");
  }

  static ArrayNode children(ObjectNode group) {
    JsonNode c = group.get("conditions");
    if (c instanceof ArrayNode a) {
      return a;
    }
    return group.putArray("conditions");
  }

  static boolean isParam(JsonNode v) {
    return v != null && v.isObject() && v.size() == 1 && v.has("param");
  }

  /** A number as the JSON a person would write: 1000, not 1000.0. */
  static JsonNode number(Double d) {
    if (d == null) {
      return F.nullNode();
    }
    BigDecimal b = BigDecimal.valueOf(d).stripTrailingZeros();
    if (b.scale() <= 0 && b.abs().compareTo(BigDecimal.valueOf(Long.MAX_VALUE)) < 0) {
      return F.numberNode(b.longValueExact());
    }
    return F.numberNode(b);
  }

  static JsonNode instant(LocalDateTime t) {
    return t == null ? F.nullNode() : F.textNode(t.toInstant(ZoneOffset.UTC).toString());
  }

  /** A stored time shown in a picker (UTC); null when the text is no time. */
  static LocalDateTime localTime(JsonNode v) {
    if (v == null || !v.isTextual()) {
      return null;
    }
    String s = v.asText();
    try {
      return LocalDateTime.ofInstant(Instant.parse(s), ZoneOffset.UTC);
    } catch (RuntimeException e) {
      // fall through to the other accepted spellings
    }
    try {
      return OffsetDateTime.parse(s).withOffsetSameInstant(ZoneOffset.UTC).toLocalDateTime();
    } catch (RuntimeException e) {
      // fall through
    }
    try {
      return LocalDate.parse(s).atStartOfDay();
    } catch (RuntimeException e) {
      return null;
    }
  }

  static Double decimal(JsonNode v) {
    return v != null && v.isNumber() ? v.doubleValue() : null;
  }
}
