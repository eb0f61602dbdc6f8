package io.customerstudio.query.audience;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.customerstudio.query.Problems;
import io.customerstudio.query.audience.Condition.Window;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reads and writes the JSON of spec sections 2 and 3. Reading is strict (unknown fields, types and
 * shapes are problems with the path of the node) and bounded (depth and size), so hostile input is
 * refused before anything else sees it. Writing gives the canonical form: reading it back gives an
 * equal tree.
 */
public final class AudienceJson {

  public static final int MAX_DEPTH = 32;
  public static final int MAX_NODES = 2000;

  private static final ObjectMapper MAPPER = new ObjectMapper();
  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

  private final Problems problems;
  private int nodes;

  private AudienceJson(Problems problems) {
    this.problems = problems;
  }

  /** Reads a definition; problems go to {@code problems}, and null comes back for broken parts. */
  public static AudienceDefinition readDefinition(JsonNode json, String path, Problems problems) {
    AudienceJson reader = new AudienceJson(problems);
    if (json == null || !json.isObject()) {
      problems.add(path, "expected an object {\"parent\": ..., \"filter\": ...}");
      return null;
    }
    reader.finite(json, path);
    reader.onlyFields(json, path, Set.of("parent", "filter"));
    String parent = reader.text(json, "parent", path, true);
    Condition filter =
        json.hasNonNull("filter")
            ? reader.condition(json.get("filter"), path + ".filter", 1)
            : null;
    return new AudienceDefinition(parent, filter);
  }

  /** Reads one condition (a template body, a trait's where). */
  public static Condition readCondition(JsonNode json, String path, Problems problems) {
    AudienceJson reader = new AudienceJson(problems);
    reader.finite(json, path);
    return reader.condition(json, path, 1);
  }

  /**
   * A number beyond a double's range ({@code 1e400}) reads as infinity, which no value in the
   * warehouse can be compared with: a problem at its path, before anything computes with it.
   */
  private void finite(JsonNode json, String path) {
    if (json == null) {
      return;
    }
    if (json.isFloatingPointNumber() && !Double.isFinite(json.doubleValue())) {
      problems.add(path, "a number out of range");
    } else if (json.isObject()) {
      json.fields().forEachRemaining(e -> finite(e.getValue(), path + "." + e.getKey()));
    } else if (json.isArray()) {
      for (int i = 0; i < json.size(); i++) {
        finite(json.get(i), path + "[" + i + "]");
      }
    }
  }

  public static JsonNode parse(String json) {
    try {
      return MAPPER.readTree(json);
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalArgumentException("not valid JSON: " + e.getOriginalMessage(), e);
    }
  }

  private Condition condition(JsonNode json, String path, int depth) {
    if (++nodes > MAX_NODES) {
      if (nodes == MAX_NODES + 1) {
        problems.add(path, "the definition has more than " + MAX_NODES + " conditions");
      }
      return null;
    }
    if (depth > MAX_DEPTH) {
      problems.add(path, "conditions are nested more than " + MAX_DEPTH + " deep");
      return null;
    }
    if (json == null || !json.isObject()) {
      problems.add(path, "expected a condition object with a \"type\"");
      return null;
    }
    String type = text(json, "type", path, true);
    if (type == null) {
      return null;
    }
    return switch (type) {
      case "and", "or" -> {
        onlyFields(json, path, Set.of("type", "conditions"));
        List<Condition> children = new ArrayList<>();
        JsonNode list = json.get("conditions");
        if (list == null || !list.isArray()) {
          problems.add(path + ".conditions", "expected an array of conditions");
        } else {
          for (int i = 0; i < list.size(); i++) {
            children.add(condition(list.get(i), path + ".conditions[" + i + "]", depth + 1));
          }
        }
        yield type.equals("and")
            ? new Condition.And(path, children)
            : new Condition.Or(path, children);
      }
      case "not" -> {
        onlyFields(json, path, Set.of("type", "condition"));
        yield new Condition.Not(
            path, condition(json.get("condition"), path + ".condition", depth + 1));
      }
      case "property" -> {
        onlyFields(json, path, Set.of("type", "column", "op", "value"));
        yield new Condition.Property(
            path, text(json, "column", path, true), op(json, path), json.get("value"));
      }
      case "trait" -> {
        onlyFields(json, path, Set.of("type", "trait", "op", "value"));
        yield new Condition.Trait(
            path, text(json, "trait", path, true), op(json, path), json.get("value"));
      }
      case "relation" -> {
        onlyFields(json, path, Set.of("type", "relationship", "where", "aggregate"));
        Condition where =
            json.hasNonNull("where")
                ? condition(json.get("where"), path + ".where", depth + 1)
                : null;
        Condition.Aggregate aggregate =
            json.hasNonNull("aggregate")
                ? aggregate(json.get("aggregate"), path + ".aggregate")
                : null;
        yield new Condition.Relation(
            path, text(json, "relationship", path, true), where, aggregate);
      }
      case "event" -> {
        onlyFields(json, path, Set.of("type", "event", "eventType", "where", "window", "count"));
        Condition where =
            json.hasNonNull("where")
                ? condition(json.get("where"), path + ".where", depth + 1)
                : null;
        Window window =
            json.hasNonNull("window") ? window(json.get("window"), path + ".window") : null;
        Condition.Count count =
            json.hasNonNull("count") ? count(json.get("count"), path + ".count") : null;
        yield new Condition.Event(
            path,
            text(json, "event", path, true),
            text(json, "eventType", path, false),
            where,
            window,
            count);
      }
      case "audience" -> {
        onlyFields(json, path, Set.of("type", "audience", "op"));
        String op = text(json, "op", path, true);
        if (op != null && !op.equals("member") && !op.equals("not_member")) {
          problems.add(path + ".op", "expected \"member\" or \"not_member\", got \"" + op + "\"");
        }
        yield new Condition.AudienceRef(
            path, text(json, "audience", path, true), !"not_member".equals(op));
      }
      case "template" -> {
        onlyFields(json, path, Set.of("type", "template", "params"));
        Map<String, JsonNode> params = new LinkedHashMap<>();
        JsonNode p = json.get("params");
        if (p != null && !p.isNull()) {
          if (!p.isObject()) {
            problems.add(path + ".params", "expected an object of parameter values");
          } else {
            p.fields().forEachRemaining(e -> params.put(e.getKey(), e.getValue()));
          }
        }
        yield new Condition.Template(path, text(json, "template", path, true), params);
      }
      default -> {
        problems.add(
            path + ".type",
            Problems.unknown(
                "condition type",
                type,
                null,
                List.of(
                    "and",
                    "or",
                    "not",
                    "property",
                    "trait",
                    "relation",
                    "event",
                    "audience",
                    "template")));
        yield null;
      }
    };
  }

  private Condition.Aggregate aggregate(JsonNode json, String path) {
    if (!json.isObject()) {
      problems.add(path, "expected {\"function\", \"column\", \"op\", \"value\"}");
      return null;
    }
    onlyFields(json, path, Set.of("function", "column", "op", "value"));
    String fn = text(json, "function", path, true);
    AggFunction function = fn == null ? null : AggFunction.ofJson(fn);
    if (fn != null && (function == null || !function.inConditions())) {
      problems.add(
          path + ".function",
          Problems.unknown(
              "aggregate function",
              fn,
              null,
              List.of("count", "count_distinct", "sum", "avg", "min", "max")));
    }
    return new Condition.Aggregate(
        path, function, text(json, "column", path, false), op(json, path), json.get("value"));
  }

  private Condition.Count count(JsonNode json, String path) {
    if (!json.isObject()) {
      problems.add(path, "expected {\"op\", \"value\"}");
      return null;
    }
    onlyFields(json, path, Set.of("op", "value"));
    return new Condition.Count(path, op(json, path), json.get("value"));
  }

  private Window window(JsonNode json, String path) {
    if (!json.isObject() || json.size() != 1) {
      problems.add(
          path, "expected exactly one of withinLast, notWithinLast, between, before, after");
      return null;
    }
    String kind = json.fieldNames().next();
    JsonNode v = json.get(kind);
    String at = path + "." + kind;
    return switch (kind) {
      case "withinLast", "notWithinLast" -> {
        long[] amount = new long[1];
        TimeUnit unit = duration(v, at, amount);
        if (unit == null) {
          yield null;
        }
        yield kind.equals("withinLast")
            ? new Window.WithinLast(amount[0], unit)
            : new Window.NotWithinLast(amount[0], unit);
      }
      case "between" -> {
        if (!v.isArray() || v.size() != 2) {
          problems.add(at, "expected [from, to] (from inclusive, to exclusive)");
          yield null;
        }
        Instant from = instant(v.get(0), at + "[0]", problems);
        Instant to = instant(v.get(1), at + "[1]", problems);
        if (from != null && to != null && !from.isBefore(to)) {
          problems.add(at, "from must be before to");
        }
        yield new Window.Between(from, to);
      }
      case "before" -> new Window.Before(instant(v, at, problems));
      case "after" -> new Window.After(instant(v, at, problems));
      default -> {
        problems.add(
            at,
            Problems.unknown(
                "window",
                kind,
                null,
                List.of("withinLast", "notWithinLast", "between", "before", "after")));
        yield null;
      }
    };
  }

  /** Reads {"amount": N, "unit": U} (a window or a within_last value); null after a problem. */
  public static TimeUnit duration(JsonNode v, String path, long[] amount, Problems problems) {
    if (v == null || !v.isObject()) {
      problems.add(path, "expected {\"amount\": N, \"unit\": \"day\"}");
      return null;
    }
    JsonNode a = v.get("amount");
    JsonNode u = v.get("unit");
    Iterator<String> names = v.fieldNames();
    while (names.hasNext()) {
      String n = names.next();
      if (!n.equals("amount") && !n.equals("unit")) {
        problems.add(path + "." + n, "unknown field; expected amount and unit");
      }
    }
    if (a == null
        || !a.canConvertToLong()
        || !a.isIntegralNumber()
        || a.asLong() < 0
        || a.asLong() > 100_000) {
      problems.add(path + ".amount", "expected a whole number from 0 to 100000");
      return null;
    }
    TimeUnit unit = u != null && u.isTextual() ? TimeUnit.ofJson(u.asText()) : null;
    if (unit == null) {
      problems.add(path + ".unit", "expected one of minute, hour, day, week, month, year");
      return null;
    }
    amount[0] = a.asLong();
    return unit;
  }

  private TimeUnit duration(JsonNode v, String path, long[] amount) {
    return duration(v, path, amount, problems);
  }

  /**
   * An instant from ISO-8601: with an offset, a local date-time (UTC) or a date (its start, UTC).
   */
  public static Instant instant(JsonNode v, String path, Problems problems) {
    if (v == null || !v.isTextual()) {
      problems.add(path, "expected an ISO-8601 time such as \"2026-01-01T00:00:00Z\"");
      return null;
    }
    String s = v.asText();
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
      problems.add(path, "\"" + s + "\" is not an ISO-8601 time such as \"2026-01-01T00:00:00Z\"");
      return null;
    }
  }

  private Op op(JsonNode json, String path) {
    String name = text(json, "op", path, true);
    if (name == null) {
      return null;
    }
    Op op = Op.ofJson(name);
    if (op == null) {
      problems.add(path + ".op", Problems.unknown("operator", name, null, Op.names()));
    }
    return op;
  }

  private String text(JsonNode json, String field, String path, boolean required) {
    JsonNode v = json.get(field);
    if (v == null || v.isNull()) {
      if (required) {
        problems.add(path + "." + field, "is required");
      }
      return null;
    }
    if (!v.isTextual() || v.asText().isBlank()) {
      problems.add(path + "." + field, "expected a non-empty string");
      return null;
    }
    return v.asText();
  }

  private void onlyFields(JsonNode json, String path, Set<String> allowed) {
    Iterator<String> names = json.fieldNames();
    while (names.hasNext()) {
      String n = names.next();
      if (!allowed.contains(n)) {
        problems.add(
            path + "." + n,
            "unknown field for this condition; allowed: " + allowed.stream().sorted().toList());
      }
    }
  }

  // ---- writing ----

  public static ObjectNode write(AudienceDefinition d) {
    ObjectNode o = NODES.objectNode();
    o.put("parent", d.parent());
    if (d.filter() != null) {
      o.set("filter", write(d.filter()));
    }
    return o;
  }

  public static ObjectNode write(Condition c) {
    return c.accept(WRITER);
  }

  private static final Condition.Visitor<ObjectNode> WRITER =
      new Condition.Visitor<>() {
        @Override
        public ObjectNode and(Condition.And c) {
          return group("and", c.conditions());
        }

        @Override
        public ObjectNode or(Condition.Or c) {
          return group("or", c.conditions());
        }

        private ObjectNode group(String type, List<Condition> conditions) {
          ObjectNode o = typed(type);
          ArrayNode list = o.putArray("conditions");
          conditions.forEach(x -> list.add(write(x)));
          return o;
        }

        @Override
        public ObjectNode not(Condition.Not c) {
          ObjectNode o = typed("not");
          o.set("condition", write(c.condition()));
          return o;
        }

        @Override
        public ObjectNode property(Condition.Property c) {
          ObjectNode o = typed("property");
          o.put("column", c.column());
          o.put("op", c.op().json());
          putIfPresent(o, "value", c.value());
          return o;
        }

        @Override
        public ObjectNode trait(Condition.Trait c) {
          ObjectNode o = typed("trait");
          o.put("trait", c.trait());
          o.put("op", c.op().json());
          putIfPresent(o, "value", c.value());
          return o;
        }

        @Override
        public ObjectNode relation(Condition.Relation c) {
          ObjectNode o = typed("relation");
          o.put("relationship", c.relationship());
          if (c.where() != null) {
            o.set("where", write(c.where()));
          }
          if (c.aggregate() != null) {
            ObjectNode a = o.putObject("aggregate");
            a.put("function", c.aggregate().function().json());
            if (c.aggregate().column() != null) {
              a.put("column", c.aggregate().column());
            }
            a.put("op", c.aggregate().op().json());
            putIfPresent(a, "value", c.aggregate().value());
          }
          return o;
        }

        @Override
        public ObjectNode event(Condition.Event c) {
          ObjectNode o = typed("event");
          o.put("event", c.event());
          if (c.eventType() != null) {
            o.put("eventType", c.eventType());
          }
          if (c.where() != null) {
            o.set("where", write(c.where()));
          }
          if (c.window() != null) {
            o.set("window", c.window().accept(WINDOW_WRITER));
          }
          if (c.count() != null) {
            ObjectNode n = o.putObject("count");
            n.put("op", c.count().op().json());
            putIfPresent(n, "value", c.count().value());
          }
          return o;
        }

        @Override
        public ObjectNode audience(Condition.AudienceRef c) {
          ObjectNode o = typed("audience");
          o.put("audience", c.audience());
          o.put("op", c.member() ? "member" : "not_member");
          return o;
        }

        @Override
        public ObjectNode template(Condition.Template c) {
          ObjectNode o = typed("template");
          o.put("template", c.template());
          if (!c.params().isEmpty()) {
            ObjectNode p = o.putObject("params");
            c.params().forEach(p::set);
          }
          return o;
        }
      };

  private static ObjectNode typed(String type) {
    ObjectNode o = NODES.objectNode();
    o.put("type", type);
    return o;
  }

  private static void putIfPresent(ObjectNode o, String field, JsonNode value) {
    if (value != null) {
      o.set(field, value);
    }
  }

  private static final Condition.WindowVisitor<ObjectNode> WINDOW_WRITER =
      new Condition.WindowVisitor<>() {
        @Override
        public ObjectNode withinLast(Window.WithinLast w) {
          return single("withinLast", duration(w.amount(), w.unit()));
        }

        @Override
        public ObjectNode notWithinLast(Window.NotWithinLast w) {
          return single("notWithinLast", duration(w.amount(), w.unit()));
        }

        @Override
        public ObjectNode between(Window.Between w) {
          ObjectNode o = NODES.objectNode();
          o.putArray("between").add(w.from().toString()).add(w.to().toString());
          return o;
        }

        @Override
        public ObjectNode before(Window.Before w) {
          return single("before", NODES.textNode(w.at().toString()));
        }

        @Override
        public ObjectNode after(Window.After w) {
          return single("after", NODES.textNode(w.at().toString()));
        }

        private ObjectNode single(String name, JsonNode value) {
          ObjectNode o = NODES.objectNode();
          o.set(name, value);
          return o;
        }
      };

  private static ObjectNode duration(long amount, TimeUnit unit) {
    ObjectNode d = NODES.objectNode();
    d.put("amount", amount);
    d.put("unit", unit.json());
    return d;
  }
}
