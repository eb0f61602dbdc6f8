package io.customerstudio.query.journey;

import com.fasterxml.jackson.databind.JsonNode;
import io.customerstudio.query.audience.Condition;
import io.customerstudio.query.audience.Op;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.LocalTime;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * A journey document (journey spec, sections 1–3) as sealed records: what the reader makes of the
 * JSON ({@link JourneyJson}) and what the orchestration executes. Conditions are the audience
 * spec's, evaluated on the journey's parent model when they are needed.
 */
public record JourneyDefinition(
    String key,
    String name,
    String parent,
    Entry entry,
    Reentry reentry,
    List<ExitCriterion> exitCriteria,
    Settings settings,
    String start,
    List<Node> nodes) {

  /** How often conditions (wait-until conditions, exit criteria) are checked by default. */
  public static final Duration DEFAULT_CONDITION_EVERY = Duration.ofMinutes(5);

  public JourneyDefinition {
    exitCriteria = exitCriteria == null ? List.of() : List.copyOf(exitCriteria);
    nodes = List.copyOf(nodes);
    reentry = reentry == null ? Reentry.AFTER_EXIT_DEFAULT : reentry;
    settings = settings == null ? Settings.NONE : settings;
  }

  public Optional<Node> node(String id) {
    return nodes.stream().filter(n -> n.id().equals(id)).findFirst();
  }

  /** The event types the journey reacts to: entry, wait-until nodes and exit criteria. */
  public List<String> eventTypes() {
    List<String> out = new ArrayList<>();
    if (entry instanceof EventEntry e) {
      out.add(e.event().eventType());
    }
    for (Node n : nodes) {
      if (n instanceof WaitUntil w && w.event() != null && !out.contains(w.event().eventType())) {
        out.add(w.event().eventType());
      }
    }
    for (ExitCriterion c : exitCriteria) {
      if (c instanceof EventExit e && !out.contains(e.event().eventType())) {
        out.add(e.event().eventType());
      }
    }
    return out;
  }

  /** An event type with predicates on its properties (operators and NULL rule of audiences). */
  public record EventMatch(String eventType, List<PropertyPredicate> where) {
    public EventMatch {
      where = where == null ? List.of() : List.copyOf(where);
    }
  }

  /** {@code {"property", "op", "value"}} on an event's properties; a missing property is NULL. */
  public record PropertyPredicate(String property, Op op, JsonNode value) {}

  /** How people enter. */
  public sealed interface Entry permits EventEntry, AudienceEntry {}

  /** A person enters when a matching event arrives. */
  public record EventEntry(EventMatch event) implements Entry {}

  /**
   * Members of the audience enter, evaluated every {@code every}; with {@code futureOnly} the
   * members at publish do not, only people who become members later.
   */
  public record AudienceEntry(String audience, Duration every, boolean futureOnly)
      implements Entry {}

  /** Re-entry policy (spec 2). */
  public record Reentry(Policy policy, Duration cooldown) {
    public static final Reentry AFTER_EXIT_DEFAULT = new Reentry(Policy.AFTER_EXIT, null);

    public enum Policy {
      NEVER,
      AFTER_EXIT,
      COOLDOWN;

      public String wire() {
        return name().toLowerCase(Locale.ROOT);
      }
    }
  }

  /** A journey-wide exit criterion. */
  public sealed interface ExitCriterion permits EventExit, ConditionExit {}

  public record EventExit(EventMatch event) implements ExitCriterion {}

  public record ConditionExit(Condition condition) implements ExitCriterion {}

  /**
   * Journey-wide settings; each part optional.
   *
   * @param conditionEvery how often conditions are checked (default {@link
   *     #DEFAULT_CONDITION_EVERY})
   */
  public record Settings(
      QuietHours quietHours, FrequencyCap frequencyCap, Duration conditionEvery) {
    public static final Settings NONE = new Settings(null, null, null);

    public Duration conditionEveryOrDefault() {
      return conditionEvery == null ? DEFAULT_CONDITION_EVERY : conditionEvery;
    }
  }

  /**
   * Sends inside [from, to) of the person's local time (the window may wrap midnight) wait for its
   * end. The zone is the parent's {@code timezoneColumn}, else {@code defaultTimezone}.
   */
  public record QuietHours(
      LocalTime from, LocalTime to, String timezoneColumn, ZoneId defaultTimezone) {}

  /** At most {@code max} sends to a person by this journey within {@code per}. */
  public record FrequencyCap(int max, Duration per) {}

  /** A node of the graph. */
  public sealed interface Node permits Wait, WaitUntil, Branch, SplitNode, Send, Exit {
    String id();

    /** The ids this node leads to, in the order of its fields (no duplicates removed). */
    List<String> edges();
  }

  /** A local time of day in the person's zone (column, else default). */
  public record LocalTimeOfDay(LocalTime time, String timezoneColumn, ZoneId defaultTimezone) {}

  /** Hold for {@code duration}, or until the next {@code until} local time; then {@code next}. */
  public record Wait(String id, Duration duration, LocalTimeOfDay until, String next)
      implements Node {
    @Override
    public List<String> edges() {
      return List.of(next);
    }
  }

  /**
   * Leave by {@code next} as soon as the event arrives (after the person got here) or the condition
   * holds; by {@code timeoutNext} when the timeout passes first.
   */
  public record WaitUntil(
      String id,
      EventMatch event,
      Condition condition,
      Duration timeout,
      String next,
      String timeoutNext)
      implements Node {
    @Override
    public List<String> edges() {
      return List.of(next, timeoutNext);
    }
  }

  /** One arm of a branch. */
  public record Arm(String name, Condition condition, String next) {}

  /** The first arm whose condition holds for the person now, else {@code elseNext}. */
  public record Branch(String id, List<Arm> branches, String elseNext) implements Node {
    public Branch {
      branches = List.copyOf(branches);
    }

    @Override
    public List<String> edges() {
      List<String> out = new ArrayList<>();
      branches.forEach(a -> out.add(a.next()));
      out.add(elseNext);
      return out;
    }
  }

  /** A split group: {@code next} is null for a holdout. */
  public record Group(String name, BigDecimal percent, String next, boolean holdout) {}

  /**
   * Deterministic groups of (person key, journey key, node id, salt); a holdout group's people
   * leave the journey and are logged.
   */
  public record SplitNode(String id, String salt, List<Group> groups) implements Node {
    public SplitNode {
      groups = List.copyOf(groups);
    }

    @Override
    public List<String> edges() {
      return groups.stream().filter(g -> !g.holdout()).map(Group::next).toList();
    }
  }

  /** A mapping's source and target field. */
  public record FieldMapping(String from, String to) {}

  /**
   * Deliver one row for the person. Sources: parent columns, traits or {@code
   * event.properties.<name>} of the entry event.
   *
   * @param insert {@code "mode": "insert"} (else upsert)
   * @param holdOnFailure {@code "onFailure": "wait"}: a rejected person stays at the node
   */
  public record Send(
      String id,
      String destination,
      FieldMapping identifier,
      List<FieldMapping> mapping,
      boolean insert,
      boolean holdOnFailure,
      String next)
      implements Node {
    public Send {
      mapping = mapping == null ? List.of() : List.copyOf(mapping);
    }

    @Override
    public List<String> edges() {
      return List.of(next);
    }
  }

  /** Leave the journey. */
  public record Exit(String id) implements Node {
    @Override
    public List<String> edges() {
      return List.of();
    }
  }

  /** The prefix of mapping sources read from the entry event's properties. */
  public static final String EVENT_PROPERTIES = "event.properties.";
}
