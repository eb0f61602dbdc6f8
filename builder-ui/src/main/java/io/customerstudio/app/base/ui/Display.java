package io.customerstudio.app.base.ui;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Warehouse values as a person reads them: times to the second, JSON objects (an event's
 * properties) as "key: value" pairs rather than raw JSON, nothing for null.
 */
public final class Display {

  private Display() {}

  public static String text(Object v) {
    if (v instanceof JsonNode j) {
      return json(j);
    }
    return Times.value(v);
  }

  /** "plan: pro · source: email" for an object, "a, b" for an array, the text of a scalar. */
  static String json(JsonNode j) {
    if (j == null || j.isNull() || j.isMissingNode()) {
      return "";
    }
    if (j.isObject()) {
      return String.join(" · ", objectPairs(j));
    }
    if (j.isArray()) {
      List<String> items = new ArrayList<>();
      j.forEach(x -> items.add(x.isContainerNode() ? x.toString() : json(x)));
      return String.join(", ", items);
    }
    return j.isTextual() ? Times.value(j.asText()) : j.asText();
  }

  /**
   * One field as "key: value" pairs: an object's own keys for a JSON object (an event's properties
   * column reads "plan: pro", not "properties: {...}"), else "key: value".
   */
  public static List<String> pairs(String key, Object v) {
    if (v instanceof JsonNode j && j.isObject()) {
      return objectPairs(j);
    }
    return List.of(key + ": " + text(v));
  }

  /** An object's fields as "key: value"; nested objects and arrays stay compact JSON. */
  private static List<String> objectPairs(JsonNode object) {
    List<String> out = new ArrayList<>();
    for (Map.Entry<String, JsonNode> e : object.properties()) {
      JsonNode value = e.getValue();
      out.add(e.getKey() + ": " + (value.isContainerNode() ? value.toString() : json(value)));
    }
    return out;
  }
}
