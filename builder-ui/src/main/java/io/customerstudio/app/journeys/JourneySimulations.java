package io.customerstudio.app.journeys;

import com.fasterxml.jackson.databind.JsonNode;
import io.customerstudio.activities.journey.JourneyEngine;
import io.customerstudio.app.errors.NotFoundException;
import io.customerstudio.infra.store.SnapshotStore;
import io.customerstudio.infra.warehouse.Warehouse;
import io.customerstudio.infra.workspace.Workspace;
import io.customerstudio.query.Problems;
import io.customerstudio.query.audience.AudienceDefinition;
import io.customerstudio.query.journey.JourneyDefinition;
import io.customerstudio.query.journey.JourneyJson;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.jooq.impl.DSL;

/**
 * What-if runs of a journey (spec 6, {@code POST /api/v1/journeys/{key}/simulate}): a draft (or the
 * journey's own) over an audience, a snapshot or the journey's audience as of a past time, with
 * optional synthetic events, on a virtual clock up to a horizon. The engine runs its own code on it
 * (see {@link JourneyEngine#simulate}), so a simulation decides what a real run would, and sends
 * nothing.
 */
@org.springframework.stereotype.Service
public class JourneySimulations {

  /** At most this many people in one simulation. */
  public static final int MAX_PEOPLE = 1_000_000;

  /** At most this long a horizon. */
  public static final Duration MAX_HORIZON = Duration.ofDays(366);

  /** The default horizon. */
  public static final Duration DEFAULT_HORIZON = Duration.ofDays(14);

  /**
   * An expected edge: people from one node to another (or out of the journey, {@code exit:...}).
   */
  public record Edge(String from, String to, long people) {}

  /** The answer: expected counts per node and edge and sends per destination, sending nothing. */
  public record Result(
      boolean simulated,
      Instant from,
      Instant until,
      long entered,
      long unknownPeople,
      List<JourneyEngine.NodeCount> nodes,
      List<Edge> edges,
      Map<String, Long> sends,
      Map<String, Long> notSent) {}

  private final JourneyDefinitions definitions;
  private final JourneyEngine engine;
  private final Workspace workspace;
  private final Warehouse warehouse;
  private final SnapshotStore snapshots;
  private final Clock clock;

  public JourneySimulations(
      JourneyDefinitions definitions,
      JourneyEngine engine,
      Workspace workspace,
      Warehouse warehouse,
      SnapshotStore snapshots,
      Clock clock) {
    this.definitions = definitions;
    this.engine = engine;
    this.workspace = workspace;
    this.warehouse = warehouse;
    this.snapshots = snapshots;
    this.clock = clock;
  }

  /**
   * Simulates the body's {@code definition} (else the journey's draft) for journey {@code key}.
   *
   * @throws io.customerstudio.query.ValidationException naming every bad field by path
   * @throws NotFoundException when the journey, audience or snapshot does not exist
   */
  public Result simulate(String key, JsonNode body, String actor) {
    Problems problems = new Problems();
    if (body == null || !body.isObject()) {
      problems.add("$", "give an object: {definition?, people, events?, horizon?}");
      problems.throwIfAny();
    }
    body.fieldNames()
        .forEachRemaining(
            f -> {
              if (!List.of("definition", "people", "events", "horizon").contains(f)) {
                problems.add("$." + f, "unknown field; known: definition, people, events, horizon");
              }
            });
    JsonNode doc = body.get("definition");
    JourneyDefinition definition =
        definitions.checked(doc == null || doc.isNull() ? definitions.draftOf(key) : doc);
    Duration horizon = DEFAULT_HORIZON;
    JsonNode h = body.get("horizon");
    if (h != null && !h.isNull()) {
      try {
        horizon = JourneyJson.parseDuration(h.asText());
        if (horizon.isNegative() || horizon.isZero() || horizon.compareTo(MAX_HORIZON) > 0) {
          problems.add("$.horizon", "give a positive ISO-8601 duration of at most P366D");
        }
      } catch (RuntimeException e) {
        problems.add("$.horizon", "give an ISO-8601 duration such as P14D, not " + h);
      }
    }
    Instant start = clock.instant();
    JsonNode people = body.get("people");
    List<String> persons = new ArrayList<>();
    if (people == null || !people.isObject() || people.size() != 1) {
      problems.add(
          "$.people",
          "give exactly one of {\"audience\": KEY}, {\"snapshot\": ID}, {\"asOf\": TIME}");
    } else if (people.has("asOf")) {
      try {
        start = Instant.parse(people.get("asOf").asText());
      } catch (DateTimeParseException e) {
        problems.add("$.people.asOf", "give an ISO-8601 instant such as 2026-11-01T00:00:00Z");
      }
    }
    List<JourneyEngine.SimulatedEvent> events = events(body.get("events"), start, problems);
    problems.throwIfAny();
    if (people.has("audience")) {
      persons.addAll(
          members(people.get("audience").asText(), definition, start, "$.people.audience"));
    } else if (people.has("snapshot")) {
      persons.addAll(snapshot(people.get("snapshot"), definition));
    } else if (people.has("asOf")) {
      if (definition.entry() instanceof JourneyDefinition.AudienceEntry a) {
        persons.addAll(members(a.audience(), definition, start, "$.entry.audience"));
      }
      // an event-entry journey as of a past time: the synthetic events enter people
    } else {
      problems.add("$.people", "give exactly one of audience, snapshot, asOf");
      problems.throwIfAny();
    }
    JourneyEngine.Simulation s =
        engine.simulate(key, actor, definition, persons, events, start, horizon);
    List<Edge> edges = new ArrayList<>();
    s.nodes().forEach(n -> n.left().forEach((to, c) -> edges.add(new Edge(n.id(), to, c))));
    return new Result(
        true,
        s.from(),
        s.until(),
        s.entered(),
        s.unknownPeople(),
        s.nodes(),
        edges,
        s.sends(),
        s.notSent());
  }

  private List<String> members(String audience, JourneyDefinition d, Instant at, String path) {
    AudienceDefinition def =
        workspace
            .resolver()
            .audience(audience)
            .orElseThrow(() -> new NotFoundException("no audience " + audience));
    if (!def.parent().equals(d.parent())) {
      throw io.customerstudio.query.ValidationException.of(
          path,
          "audience " + audience + " is of " + def.parent() + ", the journey of " + d.parent());
    }
    List<String> out = new ArrayList<>();
    workspace
        .engine()
        .streamKeys(
            def,
            path,
            at,
            k -> {
              if (out.size() >= MAX_PEOPLE) {
                throw io.customerstudio.query.ValidationException.of(
                    path, "simulations take at most " + MAX_PEOPLE + " people");
              }
              out.add(String.valueOf(k));
            });
    return out;
  }

  private List<String> snapshot(JsonNode id, JourneyDefinition d) {
    if (!id.canConvertToLong()) {
      throw io.customerstudio.query.ValidationException.of(
          "$.people.snapshot", "give a snapshot id (a number)");
    }
    var snap =
        snapshots
            .snapshot(id.asLong())
            .orElseThrow(() -> new NotFoundException("no snapshot " + id.asLong()));
    return warehouse
        .dsl()
        .select(DSL.field(DSL.name("member_key"), String.class))
        .from(DSL.table(DSL.name("cs_sync", "snapshot_member")))
        .where(DSL.field(DSL.name("snapshot_id"), Long.class).eq(snap.id()))
        .limit(MAX_PEOPLE)
        .fetch(r -> r.value1());
  }

  private static List<JourneyEngine.SimulatedEvent> events(
      JsonNode events, Instant start, Problems problems) {
    List<JourneyEngine.SimulatedEvent> out = new ArrayList<>();
    if (events == null || events.isNull()) {
      return out;
    }
    if (!events.isArray()) {
      problems.add("$.events", "give an array of events");
      return out;
    }
    for (int i = 0; i < events.size(); i++) {
      JsonNode e = events.get(i);
      String path = "$.events[" + i + "]";
      if (!e.isObject()) {
        problems.add(path, "give an event object");
        continue;
      }
      String id = text(e, "eventId", path, problems);
      String person =
          e.has("personKey") && e.get("personKey").isNumber()
              ? e.get("personKey").asText()
              : text(e, "personKey", path, problems);
      String type = text(e, "type", path, problems);
      JsonNode props = e.get("properties");
      if (props != null && !props.isNull() && !props.isObject()) {
        problems.add(path + ".properties", "give an object");
      }
      Instant at = start;
      if (e.hasNonNull("occurredAt")) {
        try {
          at = Instant.parse(e.get("occurredAt").asText());
        } catch (DateTimeParseException x) {
          problems.add(path + ".occurredAt", "give an ISO-8601 instant");
        }
      }
      if (id != null && person != null && type != null) {
        out.add(new JourneyEngine.SimulatedEvent(id, person, type, props, at));
      }
    }
    return out;
  }

  private static String text(JsonNode e, String field, String path, Problems problems) {
    JsonNode v = e.get(field);
    if (v == null || !v.isTextual() || v.asText().isBlank()) {
      problems.add(path + "." + field, "required: give a non-empty string");
      return null;
    }
    return v.asText();
  }
}
