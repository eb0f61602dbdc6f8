package io.customerstudio.app.journeys.ui;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What changed between two journey documents, as sentences a marketer reads: nodes added and
 * removed (by id), and for a node or a journey-wide setting that changed, each changed field with
 * its value before and after ({@code wait-1d: duration P1D → P2D}).
 */
final class JourneyDiff {

  private JourneyDiff() {}

  static List<String> between(JsonNode before, JsonNode after) {
    List<String> out = new ArrayList<>();
    if (before == null) {
      out.add("First version: " + after.path("nodes").size() + " nodes");
      return out;
    }
    for (String field :
        List.of("name", "parent", "entry", "reentry", "exitCriteria", "settings", "start")) {
      fields(field, before.get(field), after.get(field), out);
    }
    Map<String, JsonNode> was = byId(before);
    Map<String, JsonNode> now = byId(after);
    for (String id : now.keySet()) {
      if (!was.containsKey(id)) {
        out.add("Added " + now.get(id).path("type").asText() + " node " + id);
      }
    }
    for (String id : was.keySet()) {
      if (!now.containsKey(id)) {
        out.add("Removed " + was.get(id).path("type").asText() + " node " + id);
      }
    }
    for (String id : now.keySet()) {
      if (was.containsKey(id) && !was.get(id).equals(now.get(id))) {
        fields(id, was.get(id), now.get(id), out);
      }
    }
    if (out.isEmpty()) {
      out.add("No changes");
    }
    return out;
  }

  private static Map<String, JsonNode> byId(JsonNode doc) {
    Map<String, JsonNode> m = new LinkedHashMap<>();
    doc.path("nodes").forEach(n -> m.put(n.path("id").asText(), n));
    return m;
  }

  /** Each leaf that differs under {@code prefix}: "prefix.field: before → after". */
  private static void fields(String prefix, JsonNode a, JsonNode b, List<String> out) {
    if (a == null && b == null || a != null && a.equals(b)) {
      return;
    }
    if (a != null && b != null && a.isObject() && b.isObject()) {
      Set<String> names = new LinkedHashSet<>();
      a.fieldNames().forEachRemaining(names::add);
      b.fieldNames().forEachRemaining(names::add);
      for (String n : names) {
        fields(prefix + "." + n, a.get(n), b.get(n), out);
      }
      return;
    }
    if (a != null && b != null && a.isArray() && b.isArray() && a.size() == b.size()) {
      Iterator<JsonNode> x = a.elements();
      Iterator<JsonNode> y = b.elements();
      int i = 0;
      while (x.hasNext()) {
        fields(prefix + "[" + i++ + "]", x.next(), y.next(), out);
      }
      return;
    }
    out.add(prefix + ": " + text(a) + " → " + text(b));
  }

  private static String text(JsonNode n) {
    if (n == null) {
      return "(none)";
    }
    String t = n.isTextual() ? n.asText() : n.toString();
    return t.length() > 120 ? t.substring(0, 117) + "…" : t;
  }
}
