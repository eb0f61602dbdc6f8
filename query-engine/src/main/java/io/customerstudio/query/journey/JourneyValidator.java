package io.customerstudio.query.journey;

import com.fasterxml.jackson.databind.JsonNode;
import io.customerstudio.query.Problem;
import io.customerstudio.query.Problems;
import io.customerstudio.query.ValidationException;
import io.customerstudio.query.audience.AudienceDefinition;
import io.customerstudio.query.audience.Condition;
import io.customerstudio.query.compile.AudienceCompiler;
import io.customerstudio.query.journey.JourneyDefinition.Arm;
import io.customerstudio.query.journey.JourneyDefinition.AudienceEntry;
import io.customerstudio.query.journey.JourneyDefinition.Branch;
import io.customerstudio.query.journey.JourneyDefinition.ConditionExit;
import io.customerstudio.query.journey.JourneyDefinition.EventEntry;
import io.customerstudio.query.journey.JourneyDefinition.EventExit;
import io.customerstudio.query.journey.JourneyDefinition.EventMatch;
import io.customerstudio.query.journey.JourneyDefinition.FieldMapping;
import io.customerstudio.query.journey.JourneyDefinition.Group;
import io.customerstudio.query.journey.JourneyDefinition.Node;
import io.customerstudio.query.journey.JourneyDefinition.Send;
import io.customerstudio.query.journey.JourneyDefinition.SplitNode;
import io.customerstudio.query.journey.JourneyDefinition.Wait;
import io.customerstudio.query.journey.JourneyDefinition.WaitUntil;
import io.customerstudio.query.schema.Catalog;
import io.customerstudio.query.schema.Catalog.ModelInfo;
import io.customerstudio.query.schema.Column;
import io.customerstudio.query.schema.ColumnType;
import io.customerstudio.query.schema.SchemaDocument;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Checks a journey that {@link JourneyJson} read without problems against the graph rules and the
 * workspace (journey spec, section 4): what publish refuses. Every problem names the JSON path of
 * the node or field at fault ({@code $.nodes[3].next}), and one pass reports all of them. Knows no
 * Spring and no store: the workspace comes through {@link Context}.
 */
public final class JourneyValidator {

  /** What the validator needs to know about the workspace. */
  public interface Context {
    /** The warehouse's catalog (models, columns, traits). */
    Catalog catalog();

    /** Saved audiences and templates, for conditions that reference them. */
    AudienceCompiler.Resolver resolver();

    /** The keys of the destinations that exist. */
    Collection<String> destinations();

    /**
     * The event types a journey may name, or empty when any non-empty type is accepted (events
     * reach journeys through the event API, which declares no types up front).
     */
    default Optional<Set<String>> eventTypes() {
      return Optional.empty();
    }

    /** The time relative windows in conditions are compiled against. */
    default Instant now() {
      return Instant.now();
    }
  }

  private final JourneyDefinition d;
  private final Context ctx;
  private final Problems problems;
  private final Map<String, Integer> index = new LinkedHashMap<>();
  private ModelInfo parent;

  private JourneyValidator(JourneyDefinition d, Context ctx, Problems problems) {
    this.d = d;
    this.ctx = ctx;
    this.problems = problems;
  }

  /**
   * Adds every problem of {@code d} to {@code problems}. {@code d} must have been read from {@code
   * json} without problems (the paths are the document's).
   */
  public static void validate(JourneyDefinition d, JsonNode json, Context ctx, Problems problems) {
    if (d == null) {
      problems.add("$", "expected a journey document");
      return;
    }
    new JourneyValidator(d, ctx, problems).run();
  }

  private void run() {
    parent();
    entry();
    graph();
    for (int i = 0; i < d.nodes().size(); i++) {
      node(d.nodes().get(i), "$.nodes[" + i + "]");
    }
    for (int i = 0; i < d.exitCriteria().size(); i++) {
      String at = "$.exitCriteria[" + i + "]";
      if (d.exitCriteria().get(i) instanceof EventExit e) {
        eventType(e.event(), at + ".event.eventType");
      } else if (d.exitCriteria().get(i) instanceof ConditionExit c) {
        condition(c.condition());
      }
    }
    if (d.settings().quietHours() != null) {
      timezoneColumn(d.settings().quietHours().timezoneColumn(), "$.settings.quietHours");
    }
  }

  // ---------------------------------------------------------------- workspace

  private void parent() {
    Catalog catalog = ctx.catalog();
    Optional<ModelInfo> model = catalog.model(d.parent());
    if (model.isEmpty()) {
      problems.add("$.parent", Problems.unknown("model", d.parent(), null, parentNames(catalog)));
    } else if (model.get().def().kind() != SchemaDocument.Kind.PARENT) {
      problems.add(
          "$.parent",
          "\""
              + d.parent()
              + "\" is not a parent model; journeys move people of one of "
              + parentNames(catalog));
    } else {
      parent = model.get();
    }
  }

  private static List<String> parentNames(Catalog catalog) {
    return catalog.document().models(SchemaDocument.Kind.PARENT).stream()
        .map(SchemaDocument.Model::name)
        .toList();
  }

  private void entry() {
    if (d.entry() == null) {
      problems.add("$.entry", "is required: how people enter (an event or an audience)");
    } else if (d.entry() instanceof EventEntry e) {
      eventType(e.event(), "$.entry.eventType");
    } else if (d.entry() instanceof AudienceEntry a) {
      {
        Optional<AudienceDefinition> audience = ctx.resolver().audience(a.audience());
        if (audience.isEmpty()) {
          problems.add("$.entry.audience", "no audience \"" + a.audience() + "\"");
        } else if (!audience.get().parent().equals(d.parent())) {
          problems.add(
              "$.entry.audience",
              "audience \""
                  + a.audience()
                  + "\" is over "
                  + audience.get().parent()
                  + "; this journey moves "
                  + d.parent());
        }
      }
    }
  }

  private void eventType(EventMatch m, String path) {
    Optional<Set<String>> known = ctx.eventTypes();
    if (known.isPresent() && !known.get().contains(m.eventType())) {
      problems.add(path, Problems.unknown("event type", m.eventType(), null, known.get()));
    }
  }

  /** Compiles a condition on the parent: unknown columns, traits, audiences, wrong value types. */
  private void condition(Condition c) {
    if (parent == null || c == null) {
      return;
    }
    AudienceCompiler compiler = new AudienceCompiler(ctx.catalog(), ctx.resolver(), ctx.now());
    try {
      compiler.compile(new AudienceDefinition(d.parent(), c), "$");
    } catch (ValidationException e) {
      for (Problem p : e.problems()) {
        problems.add(p.path(), p.message());
      }
    }
  }

  private void timezoneColumn(String column, String path) {
    if (column == null || parent == null) {
      return;
    }
    Optional<Column> c = parent.column(column);
    if (c.isEmpty()) {
      problems.add(
          path + ".timezoneColumn",
          Problems.unknown(
              "column",
              column,
              "model \"" + parent.name() + "\"",
              parent.columns().stream().map(Column::name).toList()));
    } else if (c.get().type() != ColumnType.STRING) {
      problems.add(
          path + ".timezoneColumn", "\"" + column + "\" is not a string column of time zone ids");
    }
  }

  private void source(String from, String path) {
    if (from == null || parent == null) {
      return;
    }
    if (from.startsWith(JourneyDefinition.EVENT_PROPERTIES)) {
      if (!(d.entry() instanceof EventEntry)) {
        problems.add(
            path,
            "\""
                + from
                + "\" reads the entry event, but people enter this journey from an audience");
      } else if (from.length() == JourneyDefinition.EVENT_PROPERTIES.length()) {
        problems.add(path, "name the property: event.properties.<name>");
      }
      return;
    }
    if (parent.column(from).isPresent() || ctx.catalog().trait(parent, from).isPresent()) {
      return;
    }
    List<String> known = new ArrayList<>();
    parent.columns().forEach(c -> known.add(c.name()));
    ctx.catalog().traits(parent).forEach(t -> known.add(t.def().name()));
    problems.add(
        path,
        Problems.unknown("column or trait", from, "model \"" + parent.name() + "\"", known)
            + " (or event.properties.<name> of an event entry)");
  }

  // ---------------------------------------------------------------- nodes

  private void node(Node n, String at) {
    if (n instanceof Wait w) {
      if (w.until() != null) {
        timezoneColumn(w.until().timezoneColumn(), at + ".until");
      }
    } else if (n instanceof WaitUntil w) {
      if (w.event() != null) {
        eventType(w.event(), at + ".event.eventType");
      }
      condition(w.condition());
    } else if (n instanceof Branch b) {
      b.branches().forEach(a -> condition(a.condition()));
    } else if (n instanceof SplitNode s) {
      split(s, at);
    } else if (n instanceof Send s) {
      {
        if (s.destination() != null && !ctx.destinations().contains(s.destination())) {
          problems.add(
              at + ".destination",
              Problems.unknown("destination", s.destination(), null, ctx.destinations()));
        }
        if (s.identifier() != null) {
          source(s.identifier().from(), at + ".identifier.from");
        }
        for (int k = 0; k < s.mapping().size(); k++) {
          FieldMapping m = s.mapping().get(k);
          source(m.from(), at + ".mapping[" + k + "].from");
        }
      }
    }
  }

  private void split(SplitNode s, String at) {
    BigDecimal sum = BigDecimal.ZERO;
    Map<String, Integer> names = new HashMap<>();
    for (int j = 0; j < s.groups().size(); j++) {
      Group g = s.groups().get(j);
      String gat = at + ".groups[" + j + "]";
      if (g.percent() != null) {
        sum = sum.add(g.percent());
      }
      if (g.name() != null) {
        Integer first = names.putIfAbsent(g.name(), j);
        if (first != null) {
          problems.add(
              gat + ".name",
              "group \"" + g.name() + "\" is named twice (also groups[" + first + "])");
        }
      }
      if (g.holdout() && g.next() != null) {
        problems.add(gat + ".next", "a holdout group has no next: its people leave the journey");
      }
    }
    if (sum.compareTo(BigDecimal.valueOf(100)) != 0) {
      problems.add(
          at + ".groups",
          "the groups' percentages sum to "
              + sum.stripTrailingZeros().toPlainString()
              + ", not 100");
    }
  }

  // ---------------------------------------------------------------- graph

  /** One edge of the graph: where it is written and where it leads (null: missing). */
  private record Edge(String path, String to) {}

  private List<Edge> edges(Node n, String at) {
    List<Edge> out = new ArrayList<>();
    if (n instanceof Wait w) {
      out.add(new Edge(at + ".next", w.next()));
    } else if (n instanceof WaitUntil w) {
      out.add(new Edge(at + ".next", w.next()));
      out.add(new Edge(at + ".timeoutNext", w.timeoutNext()));
    } else if (n instanceof Branch b) {
      {
        for (int j = 0; j < b.branches().size(); j++) {
          Arm a = b.branches().get(j);
          out.add(new Edge(at + ".branches[" + j + "].next", a.next()));
        }
        out.add(new Edge(at + ".else", b.elseNext()));
      }
    } else if (n instanceof SplitNode s) {
      {
        for (int j = 0; j < s.groups().size(); j++) {
          Group g = s.groups().get(j);
          if (!g.holdout()) {
            out.add(new Edge(at + ".groups[" + j + "].next", g.next()));
          }
        }
      }
    } else if (n instanceof Send s) {
      out.add(new Edge(at + ".next", s.next()));
    }
    return out;
  }

  private void graph() {
    List<Node> nodes = d.nodes();
    if (nodes.isEmpty()) {
      problems.add("$.nodes", "a journey needs at least one node");
    }
    for (int i = 0; i < nodes.size(); i++) {
      String id = nodes.get(i).id();
      Integer first = index.putIfAbsent(id, i);
      if (first != null) {
        problems.add(
            "$.nodes[" + i + "].id",
            "node id \"" + id + "\" is used twice (also $.nodes[" + first + "])");
      }
    }
    if (d.start() == null) {
      problems.add("$.start", "is required: the id of the first node");
    } else if (!index.containsKey(d.start())) {
      problems.add("$.start", Problems.unknown("node", d.start(), null, index.keySet()));
    }
    Map<String, List<String>> next = new HashMap<>();
    for (int i = 0; i < nodes.size(); i++) {
      Node n = nodes.get(i);
      String at = "$.nodes[" + i + "]";
      List<String> targets = new ArrayList<>();
      for (Edge e : edges(n, at)) {
        if (e.to() == null) {
          problems.add(
              e.path(),
              "is required: every node but exit leads somewhere (the id of the next node)");
        } else if (!index.containsKey(e.to())) {
          problems.add(e.path(), Problems.unknown("node", e.to(), null, index.keySet()));
        } else {
          targets.add(e.to());
        }
      }
      next.putIfAbsent(n.id(), targets);
    }
    if (d.start() != null && index.containsKey(d.start())) {
      Set<String> reached = new HashSet<>();
      Deque<String> todo = new ArrayDeque<>(List.of(d.start()));
      while (!todo.isEmpty()) {
        String id = todo.pop();
        if (reached.add(id)) {
          todo.addAll(next.getOrDefault(id, List.of()));
        }
      }
      for (int i = 0; i < nodes.size(); i++) {
        if (!reached.contains(nodes.get(i).id()) && index.get(nodes.get(i).id()) == i) {
          problems.add(
              "$.nodes[" + i + "]",
              "node \"" + nodes.get(i).id() + "\" is unreachable from start \"" + d.start() + "\"");
        }
      }
    }
    waitlessCycles(next);
  }

  /**
   * A cycle through nodes none of which waits would move a person round it forever in one go: one
   * problem per such cycle, at one node of it, naming the cycle.
   */
  private void waitlessCycles(Map<String, List<String>> next) {
    Map<String, Integer> color = new HashMap<>(); // 1 on the stack, 2 done
    for (String id : index.keySet()) {
      if (!waits(id) && !color.containsKey(id)) {
        dfs(id, next, color, new ArrayList<>());
      }
    }
  }

  private void dfs(
      String id, Map<String, List<String>> next, Map<String, Integer> color, List<String> stack) {
    color.put(id, 1);
    stack.add(id);
    for (String to : next.getOrDefault(id, List.of())) {
      if (waits(to)) {
        continue;
      }
      Integer c = color.get(to);
      if (c == null) {
        dfs(to, next, color, stack);
      } else if (c == 1) {
        List<String> cycle = new ArrayList<>(stack.subList(stack.indexOf(to), stack.size()));
        cycle.add(to);
        problems.add(
            "$.nodes[" + index.get(to) + "]",
            "node \""
                + to
                + "\" is on a cycle with no wait or wait_until ("
                + String.join(" → ", cycle)
                + "); people would go round it without pause");
      }
    }
    stack.remove(stack.size() - 1);
    color.put(id, 2);
  }

  private boolean waits(String id) {
    Node n = d.nodes().get(index.get(id));
    return n instanceof Wait || n instanceof WaitUntil;
  }
}
