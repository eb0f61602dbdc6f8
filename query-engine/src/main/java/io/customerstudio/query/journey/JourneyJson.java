package io.customerstudio.query.journey;

import com.fasterxml.jackson.databind.JsonNode;
import io.customerstudio.query.Problems;
import io.customerstudio.query.audience.AudienceJson;
import io.customerstudio.query.audience.Condition;
import io.customerstudio.query.audience.Op;
import io.customerstudio.query.journey.JourneyDefinition.Arm;
import io.customerstudio.query.journey.JourneyDefinition.AudienceEntry;
import io.customerstudio.query.journey.JourneyDefinition.Branch;
import io.customerstudio.query.journey.JourneyDefinition.ConditionExit;
import io.customerstudio.query.journey.JourneyDefinition.Entry;
import io.customerstudio.query.journey.JourneyDefinition.EventEntry;
import io.customerstudio.query.journey.JourneyDefinition.EventExit;
import io.customerstudio.query.journey.JourneyDefinition.EventMatch;
import io.customerstudio.query.journey.JourneyDefinition.Exit;
import io.customerstudio.query.journey.JourneyDefinition.ExitCriterion;
import io.customerstudio.query.journey.JourneyDefinition.FieldMapping;
import io.customerstudio.query.journey.JourneyDefinition.FrequencyCap;
import io.customerstudio.query.journey.JourneyDefinition.Group;
import io.customerstudio.query.journey.JourneyDefinition.LocalTimeOfDay;
import io.customerstudio.query.journey.JourneyDefinition.Node;
import io.customerstudio.query.journey.JourneyDefinition.PropertyPredicate;
import io.customerstudio.query.journey.JourneyDefinition.QuietHours;
import io.customerstudio.query.journey.JourneyDefinition.Reentry;
import io.customerstudio.query.journey.JourneyDefinition.Send;
import io.customerstudio.query.journey.JourneyDefinition.Settings;
import io.customerstudio.query.journey.JourneyDefinition.SplitNode;
import io.customerstudio.query.journey.JourneyDefinition.Wait;
import io.customerstudio.query.journey.JourneyDefinition.WaitUntil;
import java.math.BigDecimal;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads the journey document (journey spec, sections 1–3) into a {@link JourneyDefinition}. The
 * reading is strict about shapes (unknown fields, wrong types, bad durations, times and zones are
 * problems with the JSON path of the offending node) and lenient about the graph: missing edges,
 * unknown node ids and everything that needs the catalog are {@link JourneyValidator}'s, so a draft
 * being drawn can be saved before it is complete. A definition read with problems may be partial
 * (null parts) and must not be executed.
 *
 * <p>Also evaluates an event match on an event's properties ({@link #eventMatches}), with the
 * audience spec's operators and NULL rule.
 */
public final class JourneyJson {

  /** Node ids: lower-case letters, digits and '-', 1 to 64. */
  public static final Pattern NODE_ID = Pattern.compile("[a-z0-9-]{1,64}");

  /** Journey keys, as the app store holds them. */
  public static final Pattern KEY = Pattern.compile("[a-z0-9][a-z0-9_-]{0,63}");

  /** The shortest cadence of an audience entry. */
  public static final Duration MIN_AUDIENCE_EVERY = Duration.ofMinutes(1);

  /** The shortest condition cadence ({@code settings.conditionEvery}). */
  public static final Duration MIN_CONDITION_EVERY = Duration.ofSeconds(10);

  public static final int MAX_NODES = 500;

  /** The longest wait, timeout, cooldown or cadence: ten years. */
  public static final Duration MAX_DURATION = Duration.ofDays(3650);

  private static final Pattern TIME = Pattern.compile("([01][0-9]|2[0-3]):[0-5][0-9]");
  private static final Pattern WEEKS = Pattern.compile("[Pp](\\d{1,6})[Ww]");

  private final Problems problems;

  private JourneyJson(Problems problems) {
    this.problems = problems;
  }

  /**
   * Reads a journey document; every problem goes to {@code problems} with its path. Returns null
   * when {@code json} is not an object; otherwise a definition whose broken parts may be null.
   */
  public static JourneyDefinition read(JsonNode json, Problems problems) {
    return new JourneyJson(problems).document(json);
  }

  private JourneyDefinition document(JsonNode json) {
    if (json == null || !json.isObject()) {
      problems.add("$", "expected a journey document: an object with key, name, parent, ...");
      return null;
    }
    only(
        json,
        "$",
        Set.of(
            "key",
            "name",
            "parent",
            "entry",
            "reentry",
            "exitCriteria",
            "settings",
            "start",
            "nodes"));
    String key = text(json, "key", "$", true, 64);
    if (key != null && !KEY.matcher(key).matches()) {
      problems.add(
          "$.key",
          "use 1 to 64 lower-case letters, digits, '-' or '_', starting with a letter or digit");
    }
    String name = text(json, "name", "$", true, 200);
    String parent = text(json, "parent", "$", true, 63);
    Entry entry = present(json, "entry") ? entry(json.get("entry"), "$.entry") : null;
    Reentry reentry = present(json, "reentry") ? reentry(json.get("reentry"), "$.reentry") : null;
    List<ExitCriterion> exits = new ArrayList<>();
    if (present(json, "exitCriteria")) {
      JsonNode list = json.get("exitCriteria");
      if (!list.isArray()) {
        problems.add(
            "$.exitCriteria", "expected an array of {\"event\": ...} or {\"condition\": ...}");
      } else {
        for (int i = 0; i < list.size(); i++) {
          ExitCriterion c = exitCriterion(list.get(i), "$.exitCriteria[" + i + "]");
          if (c != null) {
            exits.add(c);
          }
        }
      }
    }
    Settings settings =
        present(json, "settings") ? settings(json.get("settings"), "$.settings") : null;
    String start = text(json, "start", "$", false, 64);
    List<Node> nodes = new ArrayList<>();
    if (present(json, "nodes")) {
      JsonNode list = json.get("nodes");
      if (!list.isArray()) {
        problems.add("$.nodes", "expected an array of nodes");
      } else if (list.size() > MAX_NODES) {
        problems.add(
            "$.nodes", "a journey has at most " + MAX_NODES + " nodes, got " + list.size());
      } else {
        for (int i = 0; i < list.size(); i++) {
          Node n = node(list.get(i), "$.nodes[" + i + "]");
          // a broken node keeps its place as an exit so indices stay those of the document; the
          // problem already refuses the definition
          nodes.add(n != null ? n : new Exit(null));
        }
      }
    }
    return new JourneyDefinition(key, name, parent, entry, reentry, exits, settings, start, nodes);
  }

  // ---------------------------------------------------------------- entry, reentry, exits

  private Entry entry(JsonNode json, String path) {
    if (!json.isObject()) {
      problems.add(path, "expected {\"type\": \"event\", ...} or {\"type\": \"audience\", ...}");
      return null;
    }
    String type = text(json, "type", path, true, 20);
    if (type == null) {
      return null;
    }
    switch (type) {
      case "event" -> {
        only(json, path, Set.of("type", "eventType", "where"));
        EventMatch m = eventBody(json, path);
        return m == null ? null : new EventEntry(m);
      }
      case "audience" -> {
        only(json, path, Set.of("type", "audience", "every", "enrol"));
        String audience = text(json, "audience", path, true, 100);
        Duration every = duration(json, "every", path, true);
        if (every != null && every.compareTo(MIN_AUDIENCE_EVERY) < 0) {
          problems.add(path + ".every", "an audience is evaluated at most once a minute (PT1M)");
        }
        String enrol = text(json, "enrol", path, false, 20);
        if (enrol != null && !enrol.equals("all") && !enrol.equals("future_only")) {
          problems.add(path + ".enrol", "expected \"all\" (default) or \"future_only\"");
        }
        return new AudienceEntry(audience, every, "future_only".equals(enrol));
      }
      default -> {
        problems.add(
            path + ".type",
            Problems.unknown("entry type", type, null, List.of("event", "audience")));
        return null;
      }
    }
  }

  private Reentry reentry(JsonNode json, String path) {
    if (!json.isObject()) {
      problems.add(path, "expected {\"policy\": \"never\" | \"after_exit\" | \"cooldown\"}");
      return null;
    }
    only(json, path, Set.of("policy", "cooldown"));
    String p = text(json, "policy", path, true, 20);
    Duration cooldown = duration(json, "cooldown", path, false);
    if (p == null) {
      return null;
    }
    Reentry.Policy policy = null;
    for (Reentry.Policy candidate : Reentry.Policy.values()) {
      if (candidate.wire().equals(p)) {
        policy = candidate;
      }
    }
    if (policy == null) {
      problems.add(
          path + ".policy",
          Problems.unknown("re-entry policy", p, null, List.of("never", "after_exit", "cooldown")));
      return null;
    }
    if (policy == Reentry.Policy.COOLDOWN && cooldown == null && !present(json, "cooldown")) {
      problems.add(path + ".cooldown", "is required with policy cooldown (e.g. \"P7D\")");
    }
    if (policy != Reentry.Policy.COOLDOWN && present(json, "cooldown")) {
      problems.add(path + ".cooldown", "only the cooldown policy takes a cooldown");
    }
    return new Reentry(policy, cooldown);
  }

  private ExitCriterion exitCriterion(JsonNode json, String path) {
    if (json == null || !json.isObject() || json.size() != 1) {
      problems.add(path, "expected exactly one of {\"event\": {...}} or {\"condition\": {...}}");
      return null;
    }
    if (json.has("event")) {
      EventMatch m = eventMatch(json.get("event"), path + ".event");
      return m == null ? null : new EventExit(m);
    }
    if (json.has("condition")) {
      Condition c =
          AudienceJson.readCondition(json.get("condition"), path + ".condition", problems);
      return c == null ? null : new ConditionExit(c);
    }
    String field = json.fieldNames().next();
    problems.add(path + "." + field, "unknown field; expected event or condition");
    return null;
  }

  // ---------------------------------------------------------------- settings

  private Settings settings(JsonNode json, String path) {
    if (!json.isObject()) {
      problems.add(path, "expected an object with quietHours, frequencyCap, conditionEvery");
      return null;
    }
    only(json, path, Set.of("quietHours", "frequencyCap", "conditionEvery"));
    QuietHours quiet = null;
    if (present(json, "quietHours")) {
      JsonNode q = json.get("quietHours");
      String at = path + ".quietHours";
      if (!q.isObject()) {
        problems.add(at, "expected {\"from\": \"21:00\", \"to\": \"08:00\", ...}");
      } else {
        only(q, at, Set.of("from", "to", "timezoneColumn", "defaultTimezone"));
        LocalTime from = time(q, "from", at);
        LocalTime to = time(q, "to", at);
        if (from != null && from.equals(to)) {
          problems.add(at + ".to", "the window is empty: from and to are the same time");
        }
        quiet = new QuietHours(from, to, text(q, "timezoneColumn", at, false, 63), zone(q, at));
      }
    }
    FrequencyCap cap = null;
    if (present(json, "frequencyCap")) {
      JsonNode f = json.get("frequencyCap");
      String at = path + ".frequencyCap";
      if (!f.isObject()) {
        problems.add(at, "expected {\"max\": 2, \"per\": \"P1D\"}");
      } else {
        only(f, at, Set.of("max", "per"));
        JsonNode max = f.get("max");
        int m = 0;
        if (max == null || !max.isIntegralNumber() || max.asLong() < 1 || max.asLong() > 10_000) {
          problems.add(at + ".max", "expected a whole number from 1 to 10000");
        } else {
          m = max.asInt();
        }
        cap = new FrequencyCap(m, duration(f, "per", at, true));
      }
    }
    Duration every = duration(json, "conditionEvery", path, false);
    if (every != null && every.compareTo(MIN_CONDITION_EVERY) < 0) {
      problems.add(path + ".conditionEvery", "conditions are checked at most every 10 seconds");
    }
    return new Settings(quiet, cap, every);
  }

  // ---------------------------------------------------------------- nodes

  private Node node(JsonNode json, String path) {
    if (json == null || !json.isObject()) {
      problems.add(path, "expected a node: {\"id\", \"type\", ...}");
      return null;
    }
    String id = text(json, "id", path, true, 64);
    if (id != null && !NODE_ID.matcher(id).matches()) {
      problems.add(path + ".id", "use 1 to 64 lower-case letters, digits or '-'");
    }
    String type = text(json, "type", path, true, 20);
    if (type == null) {
      return null;
    }
    return switch (type) {
      case "wait" -> wait(json, path, id);
      case "wait_until" -> waitUntil(json, path, id);
      case "branch" -> branch(json, path, id);
      case "split" -> split(json, path, id);
      case "send" -> send(json, path, id);
      case "exit" -> {
        only(json, path, Set.of("id", "type"));
        yield new Exit(id);
      }
      default -> {
        problems.add(
            path + ".type",
            Problems.unknown(
                "node type",
                type,
                null,
                List.of("wait", "wait_until", "branch", "split", "send", "exit")));
        yield null;
      }
    };
  }

  private Node wait(JsonNode json, String path, String id) {
    only(json, path, Set.of("id", "type", "duration", "until", "next"));
    boolean hasDuration = present(json, "duration");
    boolean hasUntil = present(json, "until");
    if (hasDuration == hasUntil) {
      problems.add(
          path,
          "give either a duration (\"P1D\") or until ({\"time\": \"09:00\", ...}), not "
              + (hasDuration ? "both" : "neither"));
    }
    Duration duration = duration(json, "duration", path, false);
    LocalTimeOfDay until = null;
    if (hasUntil) {
      JsonNode u = json.get("until");
      String at = path + ".until";
      if (!u.isObject()) {
        problems.add(at, "expected {\"time\": \"09:00\", \"timezoneColumn\", \"defaultTimezone\"}");
      } else {
        only(u, at, Set.of("time", "timezoneColumn", "defaultTimezone"));
        until =
            new LocalTimeOfDay(
                time(u, "time", at), text(u, "timezoneColumn", at, false, 63), zone(u, at));
      }
    }
    return new Wait(id, duration, until, edge(json, "next", path));
  }

  private Node waitUntil(JsonNode json, String path, String id) {
    only(json, path, Set.of("id", "type", "event", "condition", "timeout", "next", "timeoutNext"));
    boolean hasEvent = present(json, "event");
    boolean hasCondition = present(json, "condition");
    if (hasEvent == hasCondition) {
      problems.add(
          path,
          "give either an event ({\"eventType\": ...}) or a condition, not "
              + (hasEvent ? "both" : "neither"));
    }
    EventMatch event = hasEvent ? eventMatch(json.get("event"), path + ".event") : null;
    Condition condition =
        hasCondition
            ? AudienceJson.readCondition(json.get("condition"), path + ".condition", problems)
            : null;
    return new WaitUntil(
        id,
        event,
        condition,
        duration(json, "timeout", path, true),
        edge(json, "next", path),
        edge(json, "timeoutNext", path));
  }

  private Node branch(JsonNode json, String path, String id) {
    only(json, path, Set.of("id", "type", "branches", "else"));
    List<Arm> arms = new ArrayList<>();
    JsonNode list = json.get("branches");
    if (list == null || !list.isArray() || list.isEmpty()) {
      problems.add(path + ".branches", "expected at least one {\"name\", \"condition\", \"next\"}");
    } else {
      for (int j = 0; j < list.size(); j++) {
        JsonNode a = list.get(j);
        String at = path + ".branches[" + j + "]";
        if (!a.isObject()) {
          problems.add(at, "expected {\"name\", \"condition\", \"next\"}");
          continue;
        }
        only(a, at, Set.of("name", "condition", "next"));
        String name = text(a, "name", at, true, 100);
        Condition c = null;
        if (!present(a, "condition")) {
          problems.add(at + ".condition", "is required");
        } else {
          c = AudienceJson.readCondition(a.get("condition"), at + ".condition", problems);
        }
        arms.add(new Arm(name, c, edge(a, "next", at)));
      }
    }
    return new Branch(id, arms, edge(json, "else", path));
  }

  private Node split(JsonNode json, String path, String id) {
    only(json, path, Set.of("id", "type", "salt", "groups"));
    String salt = text(json, "salt", path, true, 100);
    List<Group> groups = new ArrayList<>();
    JsonNode list = json.get("groups");
    if (list == null || !list.isArray() || list.isEmpty()) {
      problems.add(path + ".groups", "expected at least one {\"name\", \"percent\", \"next\"}");
    } else {
      for (int j = 0; j < list.size(); j++) {
        JsonNode g = list.get(j);
        String at = path + ".groups[" + j + "]";
        if (!g.isObject()) {
          problems.add(at, "expected {\"name\", \"percent\", \"next\"} or a holdout");
          continue;
        }
        only(g, at, Set.of("name", "percent", "next", "holdout"));
        String name = text(g, "name", at, true, 64);
        JsonNode p = g.get("percent");
        BigDecimal percent = null;
        if (p == null || !p.isNumber() || !Double.isFinite(p.doubleValue())) {
          problems.add(at + ".percent", "expected a number greater than 0, at most 100");
        } else {
          percent = p.decimalValue();
          if (percent.signum() <= 0 || percent.compareTo(BigDecimal.valueOf(100)) > 0) {
            problems.add(at + ".percent", "expected a number greater than 0, at most 100");
          }
        }
        JsonNode h = g.get("holdout");
        if (h != null && !h.isNull() && !h.isBoolean()) {
          problems.add(at + ".holdout", "expected true or false");
        }
        groups.add(new Group(name, percent, edge(g, "next", at), h != null && h.asBoolean()));
      }
    }
    return new SplitNode(id, salt, groups);
  }

  private Node send(JsonNode json, String path, String id) {
    only(
        json,
        path,
        Set.of("id", "type", "destination", "identifier", "mapping", "mode", "onFailure", "next"));
    String destination = text(json, "destination", path, true, 100);
    FieldMapping identifier = null;
    if (!present(json, "identifier")) {
      problems.add(path + ".identifier", "is required: {\"from\": \"email\", \"to\": \"email\"}");
    } else {
      identifier = mapping(json.get("identifier"), path + ".identifier");
    }
    List<FieldMapping> mapping = new ArrayList<>();
    if (present(json, "mapping")) {
      JsonNode list = json.get("mapping");
      if (!list.isArray()) {
        problems.add(path + ".mapping", "expected an array of {\"from\", \"to\"}");
      } else {
        Set<String> targets = new LinkedHashSet<>();
        for (int k = 0; k < list.size(); k++) {
          FieldMapping m = mapping(list.get(k), path + ".mapping[" + k + "]");
          if (m != null) {
            if (m.to() != null && !targets.add(m.to())) {
              problems.add(path + ".mapping[" + k + "].to", "\"" + m.to() + "\" is mapped twice");
            }
            mapping.add(m);
          }
        }
      }
    }
    String mode = text(json, "mode", path, false, 10);
    if (mode != null && !mode.equals("upsert") && !mode.equals("insert")) {
      problems.add(path + ".mode", "expected \"upsert\" (default) or \"insert\"");
    }
    String onFailure = text(json, "onFailure", path, false, 10);
    if (onFailure != null && !onFailure.equals("wait") && !onFailure.equals("continue")) {
      problems.add(
          path + ".onFailure",
          "expected \"continue\" (default: the person moves on) or \"wait\" (held at the node)");
    }
    return new Send(
        id,
        destination,
        identifier,
        mapping,
        "insert".equals(mode),
        "wait".equals(onFailure),
        edge(json, "next", path));
  }

  private FieldMapping mapping(JsonNode json, String path) {
    if (json == null || !json.isObject()) {
      problems.add(path, "expected {\"from\": source, \"to\": destination field}");
      return null;
    }
    only(json, path, Set.of("from", "to"));
    return new FieldMapping(text(json, "from", path, true, 200), text(json, "to", path, true, 200));
  }

  // ---------------------------------------------------------------- events

  /** {@code {"eventType", "where"}} (a wait-until's or an exit criterion's event). */
  private EventMatch eventMatch(JsonNode json, String path) {
    if (json == null || !json.isObject()) {
      problems.add(path, "expected {\"eventType\": ..., \"where\": [...]}");
      return null;
    }
    only(json, path, Set.of("eventType", "where"));
    return eventBody(json, path);
  }

  private EventMatch eventBody(JsonNode json, String path) {
    String type = text(json, "eventType", path, true, 100);
    List<PropertyPredicate> where = new ArrayList<>();
    if (present(json, "where")) {
      JsonNode list = json.get("where");
      if (!list.isArray()) {
        problems.add(path + ".where", "expected an array of {\"property\", \"op\", \"value\"}");
      } else {
        for (int i = 0; i < list.size(); i++) {
          PropertyPredicate p = predicate(list.get(i), path + ".where[" + i + "]");
          if (p != null) {
            where.add(p);
          }
        }
      }
    }
    return new EventMatch(type, where);
  }

  private PropertyPredicate predicate(JsonNode json, String path) {
    if (json == null || !json.isObject()) {
      problems.add(path, "expected {\"property\", \"op\", \"value\"}");
      return null;
    }
    only(json, path, Set.of("property", "op", "value"));
    String property = text(json, "property", path, true, 200);
    String name = text(json, "op", path, true, 30);
    Op op = name == null ? null : Op.ofJson(name);
    if (name != null && op == null) {
      problems.add(path + ".op", Problems.unknown("operator", name, null, Op.names()));
    }
    JsonNode value = json.get("value");
    if (!finite(value)) {
      problems.add(path + ".value", "a number out of range");
      return null;
    }
    if (op != null) {
      checkValue(op, value, path + ".value");
    }
    return property == null || op == null ? null : new PropertyPredicate(property, op, value);
  }

  /** The value an operator takes, by shape and, where the operator implies it, by type. */
  private void checkValue(Op op, JsonNode v, String path) {
    switch (op.value()) {
      case NONE -> {
        if (v != null && !v.isNull()) {
          problems.add(path, "\"" + op.json() + "\" takes no value");
        }
      }
      case SCALAR -> {
        if (v == null || !v.isValueNode() || v.isNull()) {
          problems.add(path, "expected a string, number or boolean");
        } else if (switch (op) {
          case CONTAINS, NOT_CONTAINS, STARTS_WITH, ENDS_WITH -> !v.isTextual();
          case GT, GTE, LT, LTE -> !v.isNumber() && !isInstant(v);
          case BEFORE, AFTER -> !isInstant(v);
          default -> false;
        }) {
          problems.add(path, "\"" + op.json() + "\" " + expects(op));
        }
      }
      case ARRAY -> {
        if (v == null || !v.isArray() || v.isEmpty()) {
          problems.add(path, "expected a non-empty array of strings or numbers");
        } else {
          for (int i = 0; i < v.size(); i++) {
            if (!v.get(i).isTextual() && !v.get(i).isNumber()) {
              problems.add(path + "[" + i + "]", "expected a string or a number");
            }
          }
        }
      }
      case PAIR -> {
        if (v == null || !v.isArray() || v.size() != 2) {
          problems.add(path, "expected [low, high]");
        } else {
          for (int i = 0; i < 2; i++) {
            if (!v.get(i).isNumber() && !isInstant(v.get(i))) {
              problems.add(path + "[" + i + "]", "expected a number or an ISO-8601 time");
            }
          }
        }
      }
      case DURATION -> AudienceJson.duration(v, path, new long[1], problems);
    }
  }

  private static String expects(Op op) {
    return switch (op) {
      case CONTAINS, NOT_CONTAINS, STARTS_WITH, ENDS_WITH -> "takes a string";
      case BEFORE, AFTER -> "takes an ISO-8601 time such as \"2026-01-01T00:00:00Z\"";
      default -> "takes a number or an ISO-8601 time";
    };
  }

  /** False when a number in {@code v} is beyond a double's range ({@code 1e400}). */
  private static boolean finite(JsonNode v) {
    if (v == null) {
      return true;
    }
    if (v.isFloatingPointNumber()) {
      return Double.isFinite(v.doubleValue());
    }
    if (v.isContainerNode()) {
      for (JsonNode child : v) {
        if (!finite(child)) {
          return false;
        }
      }
    }
    return true;
  }

  private static boolean isInstant(JsonNode v) {
    return v.isTextual() && EventMatching.instant(v.asText()) != null;
  }

  /**
   * Whether an event with these properties matches {@code m}'s predicates (its type is the caller's
   * to compare). The audience spec's operators and NULL rule: a missing or null property is NULL,
   * on which only the negative operators and {@code is_null} hold. Numbers compare numerically (a
   * numeric string property too), ISO-8601 times as instants, {@code contains} and its kin
   * case-insensitively; {@code within_last} is relative to {@code now}.
   */
  public static boolean eventMatches(EventMatch m, JsonNode properties, java.time.Instant now) {
    for (PropertyPredicate p : m.where()) {
      JsonNode value =
          properties == null || !properties.isObject() ? null : properties.get(p.property());
      if (!EventMatching.holds(p.op(), value, p.value(), now)) {
        return false;
      }
    }
    return true;
  }

  // ---------------------------------------------------------------- references

  /**
   * The destination keys a document's send nodes name, read from the raw JSON so that a draft the
   * reader refuses still counts (delete refusals must not miss a user).
   */
  public static Set<String> destinations(JsonNode json) {
    Set<String> out = new LinkedHashSet<>();
    JsonNode nodes = json == null ? null : json.get("nodes");
    if (nodes != null && nodes.isArray()) {
      for (JsonNode n : nodes) {
        if (n.isObject()
            && "send".equals(n.path("type").asText())
            && n.path("destination").isTextual()) {
          out.add(n.get("destination").asText());
        }
      }
    }
    return out;
  }

  /**
   * The audience keys a document uses: its audience entry and every {@code {"type": "audience"}}
   * condition anywhere in it, read from the raw JSON like {@link #destinations}.
   */
  public static Set<String> audiences(JsonNode json) {
    Set<String> out = new LinkedHashSet<>();
    if (json == null) {
      return out;
    }
    JsonNode entry = json.get("entry");
    if (entry != null
        && "audience".equals(entry.path("type").asText())
        && entry.path("audience").isTextual()) {
      out.add(entry.get("audience").asText());
    }
    collectAudienceRefs(json.get("nodes"), out, 0);
    collectAudienceRefs(json.get("exitCriteria"), out, 0);
    return out;
  }

  private static void collectAudienceRefs(JsonNode json, Set<String> out, int depth) {
    if (json == null || depth > 64) {
      return;
    }
    if (json.isObject()
        && "audience".equals(json.path("type").asText())
        && json.path("audience").isTextual()
        && json.has("op")) {
      out.add(json.get("audience").asText());
    }
    if (json.isContainerNode()) {
      json.forEach(child -> collectAudienceRefs(child, out, depth + 1));
    }
  }

  // ---------------------------------------------------------------- small readers

  /** An ISO-8601 duration, weeks ({@code P2W}) included; positive. Null (and a problem) if not. */
  private Duration duration(JsonNode json, String field, String path, boolean required) {
    JsonNode v = json.get(field);
    String at = path + "." + field;
    if (v == null || v.isNull()) {
      if (required) {
        problems.add(at, "is required: an ISO-8601 duration such as \"PT30M\", \"P1D\" or \"P2W\"");
      }
      return null;
    }
    Duration d = v.isTextual() ? parseDuration(v.asText()) : null;
    if (d == null) {
      problems.add(
          at,
          "expected an ISO-8601 duration such as \"PT10S\", \"PT30M\", \"P1D\" or \"P2W\""
              + " (months and years are not fixed lengths; use days)");
      return null;
    }
    if (d.isNegative() || d.isZero()) {
      problems.add(at, "must be longer than zero");
      return null;
    }
    if (d.compareTo(MAX_DURATION) > 0) {
      problems.add(
          at, "at most " + MAX_DURATION.toDays() + " days (P" + MAX_DURATION.toDays() + "D)");
      return null;
    }
    return d;
  }

  /** ISO-8601 durations of days, hours, minutes and seconds, and weeks; null when not one. */
  public static Duration parseDuration(String s) {
    Matcher w = WEEKS.matcher(s);
    if (w.matches()) {
      return Duration.ofDays(7L * Long.parseLong(w.group(1)));
    }
    try {
      return Duration.parse(s);
    } catch (DateTimeException | ArithmeticException e) {
      return null;
    }
  }

  private LocalTime time(JsonNode json, String field, String path) {
    JsonNode v = json.get(field);
    if (v == null || !v.isTextual() || !TIME.matcher(v.asText()).matches()) {
      problems.add(path + "." + field, "expected a local time HH:mm such as \"09:00\"");
      return null;
    }
    return LocalTime.parse(v.asText());
  }

  /** {@code defaultTimezone}: a valid zone id; UTC when absent. */
  private ZoneId zone(JsonNode json, String path) {
    JsonNode v = json.get("defaultTimezone");
    if (v == null || v.isNull()) {
      return ZoneOffset.UTC;
    }
    if (v.isTextual()) {
      try {
        return ZoneId.of(v.asText());
      } catch (DateTimeException e) {
        // reported below
      }
    }
    problems.add(
        path + ".defaultTimezone", "expected a time zone id such as \"Europe/Berlin\" or \"UTC\"");
    return null;
  }

  /** An edge: a node id, or null (missing edges are the validator's to report). */
  private String edge(JsonNode json, String field, String path) {
    return text(json, field, path, false, 64);
  }

  private String text(JsonNode json, String field, String path, boolean required, int max) {
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
    if (v.asText().length() > max) {
      problems.add(path + "." + field, "at most " + max + " characters");
      return null;
    }
    return v.asText();
  }

  private static boolean present(JsonNode json, String field) {
    return json.has(field) && !json.get(field).isNull();
  }

  private void only(JsonNode json, String path, Set<String> allowed) {
    Iterator<String> names = json.fieldNames();
    while (names.hasNext()) {
      String n = names.next();
      if (!allowed.contains(n)) {
        problems.add(
            path + "." + n, "unknown field; allowed here: " + allowed.stream().sorted().toList());
      }
    }
  }
}
