package io.customerstudio.app.conditions.ui;

import com.fasterxml.jackson.databind.JsonNode;
import io.customerstudio.query.audience.Op;
import java.util.ArrayList;
import java.util.List;

/**
 * A condition tree as indented sentences ("country is one of DE, FR"), one line per condition: what
 * the version history diffs, so a change reads as a changed sentence, not as changed JSON.
 */
public final class ConditionText {

  private ConditionText() {}

  public static List<String> lines(JsonNode condition) {
    List<String> out = new ArrayList<>();
    if (condition == null || condition.isNull()) {
      out.add("everyone");
    } else {
      write(condition, "", out);
    }
    return out;
  }

  /**
   * The condition as one sentence, where a list of lines does not fit (a row of the explain
   * funnel): "any of: country is DE; (all of: ...)", "has orders where: amount is greater than
   * 100".
   */
  public static String sentence(JsonNode c) {
    if (c == null || c.isNull()) {
      return "everyone";
    }
    String type = Nodes.type(c);
    if ("and".equals(type) || "or".equals(type)) {
      List<String> parts = new ArrayList<>();
      for (JsonNode child : c.path("conditions")) {
        String t = Nodes.type(child);
        boolean group = "and".equals(t) || "or".equals(t);
        parts.add(group ? "(" + sentence(child) + ")" : sentence(child));
      }
      return (type.equals("and") ? "all of: " : "any of: ") + String.join("; ", parts);
    }
    if ("not".equals(type)) {
      return "not (" + sentence(c.get("condition")) + ")";
    }
    String first = lines(c).get(0);
    if (("relation".equals(type) || "event".equals(type)) && c.has("where")) {
      return first + " " + sentence(c.get("where"));
    }
    return first;
  }

  private static void write(JsonNode c, String indent, List<String> out) {
    String type = Nodes.type(c);
    if (type == null) {
      out.add(indent + c);
      return;
    }
    switch (type) {
      case "and", "or" -> {
        out.add(indent + (type.equals("and") ? "all of:" : "any of:"));
        for (JsonNode child : c.path("conditions")) {
          write(child, indent + "  ", out);
        }
      }
      case "not" -> {
        out.add(indent + "not:");
        write(c.get("condition"), indent + "  ", out);
      }
      case "property", "trait" ->
          out.add(
              indent
                  + comparison(c.path(type.equals("property") ? "column" : "trait").asText(), c));
      case "relation" -> {
        StringBuilder s = new StringBuilder("has " + c.path("relationship").asText());
        JsonNode a = c.get("aggregate");
        if (a != null) {
          s.append(" with ")
              .append(a.path("function").asText().replace('_', ' '))
              .append(a.has("column") ? " of " + a.path("column").asText() : "")
              .append(" ")
              .append(op(a))
              .append(value(a.get("value")));
        }
        out.add(indent + s + (c.has("where") ? " where:" : ""));
        if (c.has("where")) {
          write(c.get("where"), indent + "  ", out);
        }
      }
      case "event" -> {
        StringBuilder s = new StringBuilder("performed ").append(c.path("event").asText());
        if (c.has("eventType")) {
          s.append(" of type ").append(c.path("eventType").asText());
        }
        JsonNode count = c.get("count");
        if (count != null) {
          if ("eq".equals(Nodes.text(count, "op")) && count.path("value").asInt(-1) == 0) {
            s.insert(0, "never ");
          } else {
            s.append(" ").append(op(count)).append(value(count.get("value"))).append(" times");
          }
        }
        JsonNode w = c.get("window");
        if (w != null && w.size() == 1) {
          String k = w.fieldNames().next();
          s.append(" ").append(EventRow.WINDOW_LABELS.getOrDefault(k, k)).append(value(w.get(k)));
        }
        out.add(indent + s + (c.has("where") ? " where:" : ""));
        if (c.has("where")) {
          write(c.get("where"), indent + "  ", out);
        }
      }
      case "audience" ->
          out.add(
              indent
                  + ("not_member".equals(Nodes.text(c, "op"))
                      ? "is not a member of "
                      : "is a member of ")
                  + c.path("audience").asText());
      case "template" ->
          out.add(indent + "template " + c.path("template").asText() + " with " + c.path("params"));
      default -> out.add(indent + c);
    }
  }

  private static String comparison(String subject, JsonNode c) {
    return subject + " " + op(c) + value(c.get("value"));
  }

  private static String op(JsonNode c) {
    Op o = Op.ofJson(Nodes.text(c, "op"));
    return o == null ? String.valueOf(Nodes.text(c, "op")) : Comparison.LABELS.get(o);
  }

  private static String value(JsonNode v) {
    if (v == null || v.isNull()) {
      return "";
    }
    if (Nodes.isParam(v)) {
      return " {" + v.get("param").asText() + "}";
    }
    if (v.isArray()) {
      List<String> parts = new ArrayList<>();
      v.forEach(x -> parts.add(x.isTextual() ? x.asText() : x.toString()));
      return " " + String.join(", ", parts);
    }
    if (v.isObject() && v.has("amount")) {
      return " " + v.path("amount").asText() + " " + v.path("unit").asText() + "s";
    }
    return " " + (v.isTextual() ? v.asText() : v.toString());
  }
}
