package io.customerstudio.app.journeys.ui;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.customerstudio.app.conditions.ui.ConditionText;
import io.customerstudio.app.journeys.JourneyDefinitions.Position;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A journey document seen as a graph: its nodes with their outgoing ports (each port is one edge
 * field of the document: {@code next}, {@code timeoutNext}, {@code else}, a branch's or a split
 * group's {@code next}), the edges those fields make, and the edits the canvas asks for, each
 * applied to the document itself. The entry is drawn as a node of its own ({@link #ENTRY}) whose
 * one port is {@code start}. Every edit changes only the fields it names, so a document the canvas
 * cannot otherwise show still round-trips unchanged.
 */
final class JourneyGraph {

  /** The id of the entry's node; node ids are {@code [a-z0-9-]}, so it cannot clash. */
  static final String ENTRY = "__entry";

  /** The node types the palette offers, in its order, with their labels. */
  static final Map<String, String> TYPES = new LinkedHashMap<>();

  static {
    TYPES.put("wait", "Wait");
    TYPES.put("wait_until", "Wait until");
    TYPES.put("branch", "Branch");
    TYPES.put("split", "Split");
    TYPES.put("send", "Send");
    TYPES.put("exit", "Exit");
  }

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Pattern NODE_PATH = Pattern.compile("^\\$\\.nodes\\[(\\d+)\\](.*)$");
  private static final Pattern PORT = Pattern.compile("^(branch|group)-(\\d+)$");

  /** An outgoing port: its id on the canvas, its label, and where its edge lives. */
  record Port(String id, String label, ObjectNode holder, String field) {
    String target() {
      JsonNode t = holder.get(field);
      return t == null || !t.isTextual() ? null : t.asText();
    }
  }

  /** How the canvas shows counts: none (designing), live counts, or a simulation's. */
  enum Mode {
    DESIGN,
    /** Read-only, without counts: a stopped journey's last draft. */
    VIEW,
    LIVE,
    SIMULATION;

    boolean counted() {
      return this == LIVE || this == SIMULATION;
    }

    String wire() {
      return name().toLowerCase();
    }
  }

  /** Counts to draw: per node (now, entered) and per edge ("from:to"). */
  record Counts(Map<String, long[]> nodes, Map<String, Long> edges) {
    static final Counts NONE = new Counts(Map.of(), Map.of());
  }

  private JourneyGraph() {}

  /** The document's nodes; reading never changes the document (a missing list reads empty). */
  static ArrayNode nodes(ObjectNode document) {
    JsonNode nodes = document.get("nodes");
    if (nodes instanceof ArrayNode a) {
      return a;
    }
    return JSON.createArrayNode();
  }

  /** The node with this id, or null. */
  static ObjectNode node(ObjectNode document, String id) {
    for (JsonNode n : nodes(document)) {
      if (n instanceof ObjectNode o && id.equals(o.path("id").asText(null))) {
        return o;
      }
    }
    return null;
  }

  static String type(JsonNode node) {
    return node.path("type").asText("");
  }

  /** The node's outgoing ports, in the order the document lists their edges. */
  static List<Port> ports(ObjectNode document, String id) {
    List<Port> ports = new ArrayList<>();
    if (ENTRY.equals(id)) {
      ports.add(new Port("start", "start", document, "start"));
      return ports;
    }
    ObjectNode n = node(document, id);
    if (n == null) {
      return ports;
    }
    switch (type(n)) {
      case "wait", "send" -> ports.add(new Port("next", "then", n, "next"));
      case "wait_until" -> {
        ports.add(new Port("next", n.has("condition") ? "condition holds" : "event", n, "next"));
        ports.add(new Port("timeoutNext", "timeout", n, "timeoutNext"));
      }
      case "branch" -> {
        int i = 0;
        for (JsonNode b : n.path("branches")) {
          if (b instanceof ObjectNode o) {
            ports.add(
                new Port("branch-" + i, o.path("name").asText("branch " + (i + 1)), o, "next"));
          }
          i++;
        }
        ports.add(new Port("else", "else", n, "else"));
      }
      case "split" -> {
        int i = 0;
        for (JsonNode g : n.path("groups")) {
          if (g instanceof ObjectNode o && !o.path("holdout").asBoolean(false)) {
            ports.add(
                new Port(
                    "group-" + i,
                    o.path("name").asText("group " + (i + 1)) + " " + percent(o),
                    o,
                    "next"));
          }
          i++;
        }
      }
      default -> {}
    }
    return ports;
  }

  private static String percent(JsonNode group) {
    JsonNode p = group.get("percent");
    return p == null || !p.isNumber()
        ? ""
        : p.decimalValue().stripTrailingZeros().toPlainString() + "%";
  }

  /** Points the source's port at the target (replacing the edge it had). */
  static boolean connect(ObjectNode document, String source, String port, String target) {
    if (target.equals(ENTRY) || target.equals(source) && !ENTRY.equals(source)) {
      return false;
    }
    if (node(document, target) == null) {
      return false;
    }
    for (Port p : ports(document, source)) {
      if (p.id().equals(port)) {
        p.holder().put(p.field(), target);
        return true;
      }
    }
    return false;
  }

  /** Removes the edge of the source's port; publishing then names the missing edge. */
  static boolean disconnect(ObjectNode document, String source, String port) {
    for (Port p : ports(document, source)) {
      if (p.id().equals(port) && p.holder().has(p.field())) {
        p.holder().remove(p.field());
        return true;
      }
    }
    return false;
  }

  /** Deletes nodes and every edge that led to them; the entry cannot be deleted. */
  static boolean delete(ObjectNode document, Set<String> ids) {
    boolean changed = false;
    ArrayNode nodes = nodes(document);
    for (Iterator<JsonNode> it = nodes.elements(); it.hasNext(); ) {
      JsonNode n = it.next();
      if (ids.contains(n.path("id").asText(null))) {
        it.remove();
        changed = true;
      }
    }
    if (changed) {
      List<String> all = new ArrayList<>();
      all.add(ENTRY);
      nodes.forEach(n -> all.add(n.path("id").asText()));
      for (String id : all) {
        for (Port p : ports(document, id)) {
          if (p.target() != null && ids.contains(p.target())) {
            p.holder().remove(p.field());
          }
        }
      }
    }
    return changed;
  }

  /** A fresh id for a node of this type: {@code wait}, then {@code wait-2}, ... */
  static String freshId(ObjectNode document, String type) {
    String base = type.replace('_', '-');
    Set<String> taken = new LinkedHashSet<>();
    nodes(document).forEach(n -> taken.add(n.path("id").asText()));
    if (!taken.contains(base)) {
      return base;
    }
    int i = 2;
    while (taken.contains(base + "-" + i)) {
      i++;
    }
    return base + "-" + i;
  }

  /**
   * Adds a node of the type with the fields it needs filled with plain defaults (edges left for the
   * person to draw). When the document has no start yet, the new node becomes the start.
   */
  static ObjectNode add(ObjectNode document, String type, String defaultDestination) {
    ObjectNode n = JSON.createObjectNode();
    n.put("id", freshId(document, type));
    n.put("type", type);
    switch (type) {
      case "wait" -> n.put("duration", "P1D");
      case "wait_until" -> {
        n.putObject("event").put("eventType", "order_completed");
        n.put("timeout", "P2D");
      }
      case "branch" -> {
        ObjectNode b = n.putArray("branches").addObject();
        b.put("name", "branch 1");
      }
      case "split" -> {
        n.put("salt", n.get("id").asText());
        ArrayNode groups = n.putArray("groups");
        groups.addObject().put("name", "a").put("percent", 50);
        groups.addObject().put("name", "b").put("percent", 50);
      }
      case "send" -> {
        if (defaultDestination != null) {
          n.put("destination", defaultDestination);
        }
        n.putObject("identifier").put("from", "email").put("to", "email");
        n.putArray("mapping");
      }
      case "exit" -> {}
      default -> throw new IllegalArgumentException("unknown node type " + type);
    }
    (document.get("nodes") instanceof ArrayNode a ? a : document.putArray("nodes")).add(n);
    if (!document.hasNonNull("start")) {
      document.put("start", n.get("id").asText());
    }
    return n;
  }

  /**
   * The node a problem's path concerns: {@code $.nodes[3]...} is that node; the entry, re-entry,
   * exit criteria, settings and start are the entry's; anything else (name, parent) too.
   */
  static String nodeOf(ObjectNode document, String path) {
    if (path == null) {
      return ENTRY;
    }
    Matcher m = NODE_PATH.matcher(path);
    if (m.matches()) {
      JsonNode n = nodes(document).get(Integer.parseInt(m.group(1)));
      if (n != null && n.hasNonNull("id")) {
        return n.get("id").asText();
      }
    }
    return ENTRY;
  }

  /** The field a problem's path names inside its node ({@code $.nodes[3].timeout} → timeout). */
  static String fieldOf(String path) {
    if (path == null) {
      return "";
    }
    Matcher m = NODE_PATH.matcher(path);
    String rest = m.matches() ? m.group(2) : path.startsWith("$") ? path.substring(1) : path;
    return rest.startsWith(".") ? rest.substring(1) : rest;
  }

  /** The JSON the canvas draws. */
  static String render(
      ObjectNode document,
      Map<String, Position> layout,
      Mode mode,
      String selected,
      Map<String, List<String>> problems,
      Counts counts) {
    ObjectNode g = JSON.createObjectNode();
    g.put("mode", mode.wire());
    g.put("selected", selected);
    ArrayNode palette = g.putArray("palette");
    TYPES.forEach((t, label) -> palette.addObject().put("type", t).put("label", label));
    ArrayNode nodes = g.putArray("nodes");
    ArrayNode edges = g.putArray("edges");
    List<String> ids = new ArrayList<>();
    ids.add(ENTRY);
    nodes(document).forEach(n -> ids.add(n.path("id").asText()));
    Set<String> known = new LinkedHashSet<>(ids);
    for (String id : ids) {
      ObjectNode out = nodes.addObject();
      ObjectNode def = ENTRY.equals(id) ? document : node(document, id);
      String type = ENTRY.equals(id) ? "entry" : type(def);
      out.put("id", id);
      out.put("type", type);
      out.put("typeLabel", ENTRY.equals(id) ? "Entry" : TYPES.getOrDefault(type, type));
      out.put("title", ENTRY.equals(id) ? document.path("name").asText("") : title(def));
      ArrayNode lines = out.putArray("lines");
      (ENTRY.equals(id) ? NodeText.entry(document) : NodeText.lines(def)).forEach(lines::add);
      Position p = layout.get(id);
      if (p == null) {
        out.putNull("x");
        out.putNull("y");
      } else {
        out.put("x", p.x());
        out.put("y", p.y());
      }
      out.put("input", !ENTRY.equals(id));
      out.put("deletable", !ENTRY.equals(id));
      ArrayNode ps = out.putArray("problems");
      problems.getOrDefault(id, List.of()).forEach(ps::add);
      long[] c = counts.nodes().get(id);
      if (mode.counted() && c != null) {
        out.putObject("stats").put("now", c[0]).put("entered", c[1]);
      } else {
        out.putNull("stats");
      }
      ArrayNode ports = out.putArray("ports");
      for (Port port : ports(document, id)) {
        ports.addObject().put("id", port.id()).put("label", port.label());
        String target = port.target();
        if (target != null && known.contains(target) && !ENTRY.equals(target)) {
          ObjectNode e = edges.addObject();
          e.put("source", id);
          e.put("handle", port.id());
          e.put("target", target);
          e.put("label", "next".equals(port.id()) || "start".equals(port.id()) ? "" : port.label());
          Long n = counts.edges().get(id + ":" + target);
          if (mode.counted()) {
            e.put("count", n == null ? 0 : n);
          } else {
            e.putNull("count");
          }
        }
      }
    }
    return g.toString();
  }

  private static String title(JsonNode node) {
    return switch (type(node)) {
      case "wait" -> node.has("until") ? "Wait until a local time" : "Wait";
      case "wait_until" -> node.has("condition") ? "Wait until a condition" : "Wait for an event";
      case "branch" -> "Branch";
      case "split" -> "Split";
      case "send" -> "Send to " + node.path("destination").asText("?");
      case "exit" -> "Exit";
      default -> type(node);
    };
  }

  /** True when the port id names a branch or a split group (for tests). */
  static boolean indexed(String port) {
    return PORT.matcher(port).matches();
  }

  /** Readable one-liners of a node, shown on it. */
  static final class NodeText {
    private NodeText() {}

    static List<String> entry(JsonNode document) {
      List<String> lines = new ArrayList<>();
      JsonNode e = document.path("entry");
      if ("audience".equals(e.path("type").asText())) {
        lines.add(
            "joins audience "
                + e.path("audience").asText("?")
                + " (checked every "
                + Durations.human(e.path("every").asText(""))
                + ")");
      } else {
        lines.add("event " + e.path("eventType").asText("?") + where(e.path("where")));
      }
      JsonNode r = document.path("reentry");
      String policy = r.path("policy").asText("never");
      lines.add(
          "re-entry: "
              + ("cooldown".equals(policy)
                  ? "after " + Durations.human(r.path("cooldown").asText(""))
                  : policy.replace('_', ' ')));
      int exits = document.path("exitCriteria").size();
      if (exits > 0) {
        lines.add(exits + (exits == 1 ? " exit criterion" : " exit criteria"));
      }
      return lines;
    }

    static List<String> lines(JsonNode n) {
      List<String> lines = new ArrayList<>();
      switch (type(n)) {
        case "wait" -> {
          if (n.has("until")) {
            lines.add("until " + n.path("until").path("time").asText("?") + " in their time zone");
          } else {
            lines.add("for " + Durations.human(n.path("duration").asText("")));
          }
        }
        case "wait_until" -> {
          if (n.has("condition")) {
            lines.add(ConditionText.sentence(n.get("condition")));
          } else {
            lines.add(
                n.path("event").path("eventType").asText("?")
                    + where(n.path("event").path("where")));
          }
          lines.add("timeout after " + Durations.human(n.path("timeout").asText("")));
        }
        case "branch" -> {
          for (JsonNode b : n.path("branches")) {
            lines.add(
                b.path("name").asText("?") + ": " + ConditionText.sentence(b.get("condition")));
          }
        }
        case "split" -> {
          for (JsonNode g : n.path("groups")) {
            lines.add(
                g.path("name").asText("?")
                    + " "
                    + percent(g)
                    + (g.path("holdout").asBoolean(false) ? " (holdout)" : ""));
          }
        }
        case "send" -> {
          JsonNode id = n.path("identifier");
          lines.add(id.path("from").asText("?") + " → " + id.path("to").asText("?"));
          int fields = n.path("mapping").size();
          lines.add(fields + (fields == 1 ? " field mapped" : " fields mapped"));
        }
        default -> {}
      }
      return lines;
    }

    private static String where(JsonNode where) {
      if (!where.isArray() || where.isEmpty()) {
        return "";
      }
      List<String> parts = new ArrayList<>();
      for (JsonNode p : where) {
        parts.add(
            p.path("property").asText("?")
                + " "
                + p.path("op").asText("?")
                + " "
                + p.path("value"));
      }
      return " where " + String.join(", ", parts);
    }
  }
}
