package io.customerstudio.activities.journey;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.customerstudio.activities.journey.JourneyTables.Counts;
import io.customerstudio.activities.journey.JourneyTables.Inside;
import io.customerstudio.activities.journey.JourneyTables.Moves;
import io.customerstudio.infra.store.JourneyStore;
import io.customerstudio.infra.workspace.Workspace;
import io.customerstudio.query.audience.AudienceDefinition;
import io.customerstudio.query.governance.Split;
import io.customerstudio.query.journey.JourneyDefinition;
import io.customerstudio.query.journey.JourneyDefinition.AudienceEntry;
import io.customerstudio.query.journey.JourneyDefinition.Branch;
import io.customerstudio.query.journey.JourneyDefinition.ConditionExit;
import io.customerstudio.query.journey.JourneyDefinition.EventEntry;
import io.customerstudio.query.journey.JourneyDefinition.EventExit;
import io.customerstudio.query.journey.JourneyDefinition.EventMatch;
import io.customerstudio.query.journey.JourneyDefinition.Exit;
import io.customerstudio.query.journey.JourneyDefinition.Node;
import io.customerstudio.query.journey.JourneyDefinition.Send;
import io.customerstudio.query.journey.JourneyDefinition.SplitNode;
import io.customerstudio.query.journey.JourneyDefinition.Wait;
import io.customerstudio.query.journey.JourneyDefinition.WaitUntil;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import org.jooq.DSLContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The journey engine: one {@link #advance} moves everyone who is due in a journey, set-based, in
 * batches of app-store transactions. The app store is the truth of who is where and when they are
 * due, so any step can be repeated, and a restart (or a new worker) continues from it.
 *
 * <p>One step, in order: new events (entries, wait-until events, exit criteria) up to the journey's
 * event cursor, which moves in the same transaction; the audience entry and condition checks when
 * their cadence is due; then batches of due people, each batch through as many nodes as it can go
 * (a move lands people due at once at their next node); sends are delivered between batches. A step
 * stops after its time budget and tells the workflow whether work is left and when the next person
 * is due.
 */
public final class JourneyEngine {

  private static final Logger log = LoggerFactory.getLogger(JourneyEngine.class);
  private static final ObjectMapper JSON = new ObjectMapper();

  /** Whether an event's properties satisfy a match (the reader's predicate semantics). */
  @FunctionalInterface
  public interface Matcher {
    boolean matches(EventMatch match, JsonNode properties, Instant now);
  }

  /**
   * How much one step does: its time budget, people per batch, events per transaction, and from how
   * many people entered at once the app store's statistics of entries are refreshed.
   *
   * @param budget a step returns after this (with {@code more} when work is left)
   * @param analyzeAfter an audience entry that enters at least this many people runs {@code analyze
   *     journey_entry} before the people move (see {@link #refreshStatistics})
   */
  public record Limits(Duration budget, int batch, int events, int analyzeAfter) {
    public static final Limits DEFAULT = new Limits(Duration.ofSeconds(3), 5_000, 5_000, 10_000);
  }

  private final DSLContext app;
  private final JourneyStore journeys;
  private final Workspace workspace;
  private final Function<String, JourneyDefinition> reader;
  private final Matcher matcher;
  private final People people;
  private final JourneySends sends;
  private final HoldoutCopy holdouts;
  private final Limits limits;
  private final Map<String, JourneyDefinition> parsed = new ConcurrentHashMap<>();

  JourneyEngine(
      DSLContext app,
      JourneyStore journeys,
      Workspace workspace,
      Function<String, JourneyDefinition> reader,
      Matcher matcher,
      People people,
      JourneySends sends,
      HoldoutCopy holdouts,
      Limits limits) {
    this.app = app;
    this.journeys = journeys;
    this.workspace = workspace;
    this.reader = reader;
    this.matcher = matcher;
    this.people = people;
    this.sends = sends;
    this.holdouts = holdouts;
    this.limits = limits;
  }

  /**
   * The engine over the app store ({@code app}) and the warehouse, reading versions with the
   * journey spec's reader.
   */
  public static JourneyEngine create(
      DSLContext app,
      DSLContext warehouse,
      String logSchema,
      JourneyStore journeys,
      Workspace workspace,
      io.customerstudio.activities.governance.Policies policies,
      io.customerstudio.infra.store.DestinationStore destinations,
      io.customerstudio.activities.delivery.DestinationRuntimes runtimes,
      io.customerstudio.activities.delivery.Delivery delivery,
      Limits limits) {
    People people = new People(workspace);
    return new JourneyEngine(
        app,
        journeys,
        workspace,
        JourneyEngine::read,
        io.customerstudio.query.journey.JourneyJson::eventMatches,
        people,
        new JourneySends(warehouse, workspace, policies, destinations, runtimes, delivery, people),
        new HoldoutCopy(app, warehouse, logSchema),
        limits);
  }

  /** A stored version's document (validated at publish). */
  static JourneyDefinition read(String json) {
    io.customerstudio.query.Problems problems = new io.customerstudio.query.Problems();
    JourneyDefinition d =
        io.customerstudio.query.journey.JourneyJson.read(
            io.customerstudio.query.audience.AudienceJson.parse(json), problems);
    problems.throwIfAny();
    return d;
  }

  /**
   * The journey a step works on: a real one, or a simulation's scratch journey (sends are recorded
   * as simulated and delivered nowhere, holdouts stay out of the warehouse).
   */
  record Run(String key, String createdBy, boolean simulation) {}

  /** The step's clock: the workflow's time when it started, plus the time spent since. */
  private static final class StepClock {
    private final Instant base;
    private final long t0 = System.nanoTime();
    private final boolean fixed;

    StepClock(Instant base) {
      this(base, false);
    }

    private StepClock(Instant base, boolean fixed) {
      this.base = base;
      this.fixed = fixed;
    }

    /** A clock that stays at {@code t} (a simulation's virtual clock). */
    static StepClock at(Instant t) {
      return new StepClock(t, true);
    }

    Instant now() {
      return fixed ? base : base.plusNanos(System.nanoTime() - t0);
    }
  }

  /** The published versions of a journey, parsed once (versions never change). */
  private Map<Integer, JourneyDefinition> versions(String journey) {
    Map<Integer, JourneyDefinition> out = new LinkedHashMap<>();
    for (JourneyStore.Version v : journeys.versions(journey)) {
      out.put(
          v.version(),
          parsed.computeIfAbsent(
              journey + "@" + v.version() + "@" + v.at(), k -> reader.apply(v.definition())));
    }
    return out;
  }

  /** See {@link JourneyActivities#advance}. */
  public JourneyActivities.Tick advance(
      String key, Instant workflowNow, String holder, Runnable heartbeat) {
    StepClock clock = new StepClock(workflowNow);
    long deadline = System.nanoTime() + limits.budget().toNanos();
    var found = journeys.find(key);
    if (found.isEmpty()) {
      return new JourneyActivities.Tick(true, false, 0);
    }
    JourneyStore.Journey stored = found.get();
    Run journey = new Run(stored.key(), stored.createdBy(), false);
    if (stored.state() == JourneyStore.State.DRAFT || stored.liveVersion() == null) {
      return new JourneyActivities.Tick(true, false, 0);
    }
    Map<Integer, JourneyDefinition> versions = versions(key);
    if (stored.state() == JourneyStore.State.STOPPED) {
      boolean more = stopEveryone(key, versions, clock, deadline);
      return new JourneyActivities.Tick(!more, more, 0);
    }
    int liveVersion = stored.liveVersion();
    JourneyDefinition live = versions.get(liveVersion);
    boolean paused = stored.state() == JourneyStore.State.PAUSED;
    Set<String> held = new HashSet<>();
    if (paused) {
      versions
          .values()
          .forEach(
              d ->
                  d.nodes().stream().filter(n -> n instanceof Send).forEach(n -> held.add(n.id())));
    }

    boolean more = applyEvents(journey, versions, liveVersion, live, paused, clock);
    heartbeat.run();
    Instant audienceNext = null;
    if (!paused && live.entry() instanceof AudienceEntry a) {
      audienceNext = audienceEntry(journey, liveVersion, live, a, clock, heartbeat);
    }
    Instant conditionsNext = conditions(journey, versions, clock, heartbeat);
    if (!paused && JourneySends.retrying(app, key)) {
      // rows users queued again: checked and fixed now, delivered by the loop below
      int prepared =
          app.transactionResult(
              cfg ->
                  sends.prepareRetries(
                      cfg.dsl(), key, journey.createdBy(), versions, clock.now(), limits.batch()));
      more |= prepared == limits.batch();
    }
    boolean deliveryFailed = false;
    while (System.nanoTime() < deadline) {
      int moved = moveDue(journey, versions, held, clock);
      if (JourneySends.pending(app, key)) {
        deliveryFailed |= sends.deliverPending(app, key, holder, heartbeat, clock.now());
        moved += settle(key, versions, clock);
      }
      heartbeat.run();
      if (moved == 0) {
        break;
      }
    }
    // once per advance, not per batch: each copy is a warehouse insert and commit, which costs
    // DuckDB several times what it costs PostgreSQL; a copy cut short is made up by the next one
    holdouts.copy(key);
    heartbeat.run();
    Instant now = clock.now();
    Instant next = JourneyTables.nextDue(app, key, held);
    if (next != null && !next.isAfter(now) && System.nanoTime() >= deadline) {
      more = true;
    }
    if (deliveryFailed) {
      next = min(next, now.plusSeconds(30));
    } else if (JourneySends.pending(app, key)) {
      more = true;
    }
    next = min(next, audienceNext);
    next = min(next, conditionsNext);
    return new JourneyActivities.Tick(false, more, next == null ? 0 : next.toEpochMilli());
  }

  private static Instant min(Instant a, Instant b) {
    return a == null ? b : b == null ? a : a.isBefore(b) ? a : b;
  }

  // ---- simulation

  /** A synthetic event of a simulation, at a time on its virtual clock. */
  public record SimulatedEvent(
      String id, String person, String type, JsonNode properties, Instant at) {}

  /**
   * Expected counts at one node: arrivals, people still there at the horizon, departures by edge.
   */
  public record NodeCount(String id, long entered, long current, Map<String, Long> left) {}

  /**
   * What a simulation expects: entries, unknown people, counts per node and edge, rows that would
   * be sent per destination (and skipped per reason), on the virtual clock from {@code from} to
   * {@code until}.
   */
  public record Simulation(
      Instant from,
      Instant until,
      long entered,
      long unknownPeople,
      List<NodeCount> nodes,
      Map<String, Long> sends,
      Map<String, Long> notSent) {}

  /**
   * Runs {@code definition} over {@code people} (they enter at its start at {@code from}) and the
   * synthetic events, on a virtual clock up to {@code from + horizon}, with this engine's own code
   * and the app store's tables under a scratch journey that is deleted afterwards: the same
   * decisions as a real run (branches by the audience SQL, the same split groups as the journey
   * {@code key} has, governance, caps and quiet hours), sending nothing.
   */
  public Simulation simulate(
      String key,
      String createdBy,
      JourneyDefinition definition,
      List<String> people,
      List<SimulatedEvent> events,
      Instant from,
      Duration horizon) {
    String scratch = "~sim-" + java.util.UUID.randomUUID().toString().substring(0, 18);
    Instant until = from.plus(horizon);
    app.execute(
        "insert into journey (journey_key, name, parent_model, state, draft, live_version,"
            + " created_by, created_at, updated_by, updated_at)"
            + " values (?, ?, ?, 'draft', '{}', 1, ?, now(), ?, now())",
        scratch,
        "simulation of " + key,
        definition.parent(),
        createdBy,
        createdBy);
    try {
      // the split hash takes the journey's key, so groups are those a real run gives
      Run run = new Run(key, createdBy, true);
      Run table = new Run(scratch, createdBy, true);
      Map<Integer, JourneyDefinition> versions = Map.of(1, definition);
      Instant t = from;
      for (int i = 0; i < people.size(); i += limits.batch()) {
        List<String> chunk = people.subList(i, Math.min(people.size(), i + limits.batch()));
        Instant at = t;
        app.transaction(
            cfg -> {
              JourneyTables.enterAll(cfg.dsl(), scratch, 1, definition, chunk, 0, false, at);
            });
      }
      List<SimulatedEvent> sorted = new ArrayList<>(events);
      sorted.sort(java.util.Comparator.comparing(SimulatedEvent::at));
      int next = 0;
      while (true) {
        // the events that have happened by t, in order
        List<Event> batch = new ArrayList<>();
        while (next < sorted.size() && !sorted.get(next).at().isAfter(t)) {
          SimulatedEvent e = sorted.get(next++);
          JsonNode props = e.properties() == null ? JSON.createObjectNode() : e.properties();
          batch.add(new Event(next, e.id(), e.person(), e.type(), props, props.toString()));
        }
        if (!batch.isEmpty()) {
          Instant at = t;
          app.transaction(
              cfg -> {
                DSLContext tx = cfg.dsl();
                Counts counts = new Counts();
                applyEventList(tx, table, versions, 1, definition, false, batch, at, counts);
                counts.write(tx, scratch);
                tx.execute(
                    "update journey set event_cursor = ? where journey_key = ?",
                    (long) batch.get(batch.size() - 1).seq(),
                    scratch);
              });
        }
        StepClock clock = StepClock.at(t);
        Instant conditionsNext = conditions(table, versions, clock, () -> {});
        while (moveDue(table, versions, Set.of(), clock, run.key()) > 0) {
          // every person due at t moves as far as they can
        }
        Instant due = JourneyTables.nextDue(app, scratch, Set.of());
        if (next < sorted.size()) {
          due = min(due, sorted.get(next).at());
        }
        if (conditionsNext != null && due != null) {
          due = min(due, conditionsNext);
        }
        if (due == null || due.isAfter(until)) {
          break;
        }
        t = due.isAfter(t) ? due : t.plusMillis(1);
      }
      return summary(scratch, definition, from, until);
    } finally {
      app.transaction(cfg -> JourneyStore.deleteAll(cfg.dsl(), scratch));
    }
  }

  private Simulation summary(String scratch, JourneyDefinition d, Instant from, Instant until) {
    Map<String, Long> entered = new LinkedHashMap<>();
    Map<String, Map<String, Long>> left = new LinkedHashMap<>();
    app.fetch("select node, edge, n from journey_count where journey_key = ?", scratch)
        .forEach(
            r -> {
              String node = r.get(0, String.class);
              String edge = r.get(1, String.class);
              long n = r.get(2, Long.class);
              if (edge.isEmpty()) {
                entered.merge(node, n, Long::sum);
              } else {
                left.computeIfAbsent(node, k -> new java.util.TreeMap<>())
                    .merge(edge, n, Long::sum);
              }
            });
    Map<String, Long> current = new LinkedHashMap<>();
    app.fetch(
            "select node, count(*) from journey_entry where journey_key = ? and node is not null group by node",
            scratch)
        .forEach(r -> current.put(r.get(0, String.class), r.get(1, Long.class)));
    List<NodeCount> nodes = new ArrayList<>();
    for (Node n : d.nodes()) {
      nodes.add(
          new NodeCount(
              n.id(),
              entered.getOrDefault(n.id(), 0L),
              current.getOrDefault(n.id(), 0L),
              left.getOrDefault(n.id(), Map.of())));
    }
    Map<String, Long> sent = new java.util.TreeMap<>();
    Map<String, Long> notSent = new java.util.TreeMap<>();
    app.fetch(
            "select destination, status, count(*) from journey_send where journey_key = ? group by destination, status",
            scratch)
        .forEach(
            r -> {
              if ("simulated".equals(r.get(1, String.class))) {
                sent.merge(r.get(0, String.class), r.get(2, Long.class), Long::sum);
              } else {
                notSent.merge(r.get(1, String.class), r.get(2, Long.class), Long::sum);
              }
            });
    long total =
        JourneyTables.value(
            app, Long.class, "select count(*) from journey_entry where journey_key = ?", scratch);
    long unknown =
        JourneyTables.value(
            app, Long.class, "select unknown_people from journey where journey_key = ?", scratch);
    return new Simulation(from, until, total, unknown, nodes, sent, notSent);
  }

  // ---- events

  private record Event(
      long seq, String id, String person, String type, JsonNode properties, String raw) {}

  /** Applies events after the journey's cursor; returns whether more are waiting. */
  private boolean applyEvents(
      Run journey,
      Map<Integer, JourneyDefinition> versions,
      int liveVersion,
      JourneyDefinition live,
      boolean paused,
      StepClock clock) {
    String key = journey.key();
    Set<String> types = new HashSet<>();
    versions.values().forEach(d -> types.addAll(d.eventTypes()));
    return app.transactionResult(
        cfg -> {
          DSLContext tx = cfg.dsl();
          Long locked =
              JourneyTables.value(
                  tx,
                  Long.class,
                  "select event_cursor from journey where journey_key = ? for update",
                  key);
          if (locked == null) {
            return false; // deleted meanwhile: the next step finds it gone and ends
          }
          long cursor = locked;
          Long top = JourneyTables.value(tx, Long.class, "select max(seq) from journey_event");
          if (top == null || top <= cursor) {
            return false;
          }
          List<Event> events =
              types.isEmpty()
                  ? List.of()
                  : tx.fetch(
                          "select seq, event_id, person, event_type, properties from journey_event"
                              + " where seq > ? and seq <= ? and event_type = any(?::text[]) order by seq limit ?",
                          cursor,
                          top,
                          types.toArray(String[]::new),
                          limits.events())
                      .map(
                          r ->
                              new Event(
                                  r.get(0, Long.class),
                                  r.get(1, String.class),
                                  r.get(2, String.class),
                                  r.get(3, String.class),
                                  props(r.get(4, String.class)),
                                  r.get(4, String.class)));
          boolean full = events.size() == limits.events();
          long newCursor = full ? events.get(events.size() - 1).seq() : top;
          Instant now = clock.now();
          Counts counts = new Counts();
          applyEventList(tx, journey, versions, liveVersion, live, paused, events, now, counts);
          counts.write(tx, key);
          tx.execute("update journey set event_cursor = ? where journey_key = ?", newCursor, key);
          return full;
        });
  }

  /** Applies events in seq order: entries, then wait-until arrivals, then exit criteria. */
  private void applyEventList(
      DSLContext tx,
      Run journey,
      Map<Integer, JourneyDefinition> versions,
      int liveVersion,
      JourneyDefinition live,
      boolean paused,
      List<Event> events,
      Instant now,
      Counts counts) {
    String key = journey.key();
    if (!paused && live.entry() instanceof EventEntry e) {
      enterFromEvents(tx, journey, liveVersion, live, e.event(), events, now, counts);
    }
    for (var v : versions.entrySet()) {
      for (Node n : v.getValue().nodes()) {
        if (n instanceof WaitUntil w && w.event() != null) {
          eventArrivals(tx, key, v.getKey(), w, events, now, counts);
        }
      }
      for (var c : v.getValue().exitCriteria()) {
        if (c instanceof EventExit x) {
          eventExits(tx, key, v.getKey(), x.event(), events, now, counts);
        }
      }
    }
  }

  private static JsonNode props(String json) {
    if (json == null) {
      return JSON.createObjectNode();
    }
    try {
      return JSON.readTree(json);
    } catch (Exception e) {
      return JSON.createObjectNode();
    }
  }

  /** The latest matching event of each person. */
  private Map<String, Event> matching(EventMatch m, List<Event> events, Instant now) {
    Map<String, Event> out = new LinkedHashMap<>();
    for (Event e : events) {
      if (e.type().equals(m.eventType()) && matcher.matches(m, e.properties(), now)) {
        out.put(e.person(), e);
      }
    }
    return out;
  }

  private void enterFromEvents(
      DSLContext tx,
      Run journey,
      int version,
      JourneyDefinition live,
      EventMatch match,
      List<Event> events,
      Instant now,
      Counts counts) {
    // each person's first matching event enters them
    List<Event> matched =
        events.stream()
            .filter(e -> e.type().equals(match.eventType()))
            .filter(e -> matcher.matches(match, e.properties(), now))
            .toList();
    Map<String, Event> first = new LinkedHashMap<>();
    matched.forEach(e -> first.putIfAbsent(e.person(), e));
    if (first.isEmpty()) {
      return;
    }
    Set<String> known = people.existing(live.parent(), first.keySet());
    long unknown = matched.stream().filter(e -> !known.contains(e.person())).count();
    if (unknown > 0) {
      tx.execute(
          "update journey set unknown_people = unknown_people + ? where journey_key = ?",
          unknown,
          journey.key());
    }
    List<String> persons = new ArrayList<>();
    List<String> props = new ArrayList<>();
    List<Long> seqs = new ArrayList<>();
    for (Event e : first.values()) {
      if (known.contains(e.person())) {
        persons.add(e.person());
        props.add(e.raw());
        seqs.add(e.seq());
      }
    }
    var entered =
        JourneyTables.enter(
            tx,
            journey.key(),
            version,
            live.start(),
            persons,
            props,
            seqs,
            live.reentry(),
            false,
            now);
    counts.add(version, live.start(), "", entered.size());
  }

  /** People waiting at a wait-until node whose event arrived after they got there. */
  private void eventArrivals(
      DSLContext tx,
      String key,
      int version,
      WaitUntil w,
      List<Event> events,
      Instant now,
      Counts counts) {
    Map<String, Event> latest = matching(w.event(), events, now);
    if (latest.isEmpty()) {
      return;
    }
    var rows =
        tx.fetch(
            "select e.id, t.eid, t.sq from journey_entry e"
                + " join unnest(?::text[], ?::text[], ?::bigint[]) as t(p, eid, sq) on e.person = t.p"
                + " where e.journey_key = ? and e.version = ? and e.node = ? and e.phase in ('arrive', 'wait')"
                + " and e.since_seq < t.sq for update of e",
            latest.keySet().toArray(String[]::new),
            latest.values().stream().map(Event::id).toArray(String[]::new),
            latest.values().stream().map(Event::seq).toArray(Long[]::new),
            key,
            version,
            w.id());
    Moves m = new Moves();
    rows.forEach(
        r ->
            m.add(
                r.get(0, Long.class),
                w.next(),
                "event " + r.get(1, String.class),
                r.get(2, Long.class)));
    JourneyTables.move(tx, version, w.id(), m, now, counts);
  }

  /** People whose exit event arrived after they entered leave from wherever they are. */
  private void eventExits(
      DSLContext tx,
      String key,
      int version,
      EventMatch match,
      List<Event> events,
      Instant now,
      Counts counts) {
    Map<String, Event> latest = matching(match, events, now);
    if (latest.isEmpty()) {
      return;
    }
    var rows =
        tx.fetch(
            "select e.id, e.node from journey_entry e"
                + " join unnest(?::text[], ?::bigint[]) as t(p, sq) on e.person = t.p"
                + " where e.journey_key = ? and e.version = ? and e.node is not null"
                + " and e.entry_seq < t.sq and e.since_seq < t.sq for update of e",
            latest.keySet().toArray(String[]::new),
            latest.values().stream().map(Event::seq).toArray(Long[]::new),
            key,
            version);
    Map<String, List<Long>> byNode = new LinkedHashMap<>();
    rows.forEach(
        r ->
            byNode
                .computeIfAbsent(r.get(1, String.class), k -> new ArrayList<>())
                .add(r.get(0, Long.class)));
    byNode.forEach(
        (node, ids) ->
            JourneyTables.exit(
                tx, version, node, ids, "exit criteria", "exit_criteria", now, counts));
  }

  // ---- audience entry and condition cadences

  /** Runs the audience entry when due; returns when it is next due. */
  private Instant audienceEntry(
      Run journey,
      int version,
      JourneyDefinition live,
      AudienceEntry a,
      StepClock clock,
      Runnable heartbeat) {
    String key = journey.key();
    OffsetDateTime last =
        JourneyTables.value(
            app,
            OffsetDateTime.class,
            "select audience_checked_at from journey where journey_key = ?",
            key);
    Instant now = clock.now();
    if (last != null && last.toInstant().plus(a.every()).isAfter(now)) {
      return last.toInstant().plus(a.every());
    }
    boolean baseline = a.futureOnly() && last == null;
    boolean useBaseline = a.futureOnly();
    AudienceDefinition audience =
        workspace
            .resolver()
            .audience(a.audience())
            .orElseThrow(
                () -> new IllegalStateException("audience " + a.audience() + " no longer exists"));
    List<String> chunk = new ArrayList<>();
    long[] entered = {0};
    Runnable flush =
        () -> {
          if (chunk.isEmpty()) {
            return;
          }
          List<String> persons = List.copyOf(chunk);
          chunk.clear();
          app.transaction(
              cfg -> {
                DSLContext tx = cfg.dsl();
                if (baseline) {
                  tx.execute(
                      "insert into journey_baseline (journey_key, person)"
                          + " select ?, p from unnest(?::text[]) as t(p) on conflict do nothing",
                      key,
                      persons.toArray(String[]::new));
                  return;
                }
                entered[0] +=
                    JourneyTables.enterAll(
                        tx, key, version, live, persons, cursor(tx, key), useBaseline, clock.now());
              });
          heartbeat.run();
        };
    workspace
        .engine()
        .streamKeys(
            audience,
            "$.entry.audience",
            now,
            k -> {
              chunk.add(String.valueOf(k));
              if (chunk.size() >= limits.batch()) {
                flush.run();
              }
            });
    flush.run();
    if (entered[0] > 0 && entered[0] >= limits.analyzeAfter()) {
      refreshStatistics(key, entered[0]);
    }
    app.execute(
        "update journey set audience_checked_at = ? where journey_key = ?",
        JourneyTables.at(now),
        key);
    log.atInfo()
        .addKeyValue("journey", key)
        .addKeyValue("entered", entered[0])
        .log("journey {}: audience {} checked, {} entered", key, a.audience(), entered[0]);
    return now.plus(a.every());
  }

  /**
   * Analyzes {@code journey_entry} after a large audience entry, before its people move. The
   * statistics PostgreSQL last gathered do not know the new journey's rows: on them the query for
   * who is due ({@link JourneyTables#due}) was planned as a bitmap scan and sort of every due
   * person (90 ms a call for 100,000 entered) where an index scan in due order takes 4 ms, until
   * autovacuum analyzed the table, which it does only once a tenth of it has changed. PostgreSQL's
   * documentation asks for the same after any bulk load. {@code skip_locked}: an analyze already
   * running (another journey's, or autovacuum's) is not waited for. A user that may not analyze the
   * table gets a warning from PostgreSQL and no error; any failure costs only the plan, so it is
   * logged, not raised.
   */
  private void refreshStatistics(String key, long entered) {
    long t0 = System.nanoTime();
    try {
      app.execute("analyze (skip_locked) journey_entry");
      log.atInfo()
          .addKeyValue("journey", key)
          .addKeyValue("entered", entered)
          .log(
              "journey {}: {} entered at once, analyze journey_entry took {} ms",
              key,
              entered,
              (System.nanoTime() - t0) / 1_000_000);
    } catch (RuntimeException e) {
      // jOOQ's DataAccessException, or Spring's translation of it in the app
      log.atWarn()
          .addKeyValue("journey", key)
          .addKeyValue("entered", entered)
          .log(
              "journey {}: {} entered at once, but journey_entry could not be analyzed ({});"
                  + " autovacuum will",
              key,
              entered,
              e.getMessage());
    }
  }

  /** Checks wait-until conditions and exit conditions when due; returns when next due, or null. */
  private Instant conditions(
      Run journey, Map<Integer, JourneyDefinition> versions, StepClock clock, Runnable heartbeat) {
    boolean any =
        versions.values().stream()
            .anyMatch(
                d ->
                    d.exitCriteria().stream().anyMatch(c -> c instanceof ConditionExit)
                        || d.nodes().stream()
                            .anyMatch(n -> n instanceof WaitUntil w && w.condition() != null));
    if (!any) {
      return null;
    }
    String key = journey.key();
    Duration every =
        versions.values().stream()
            .map(d -> d.settings().conditionEveryOrDefault())
            .min(Duration::compareTo)
            .orElse(JourneyDefinition.DEFAULT_CONDITION_EVERY);
    OffsetDateTime last =
        JourneyTables.value(
            app,
            OffsetDateTime.class,
            "select conditions_checked_at from journey where journey_key = ?",
            key);
    Instant now = clock.now();
    if (last != null && last.toInstant().plus(every).isAfter(now)) {
      return last.toInstant().plus(every);
    }
    for (var v : versions.entrySet()) {
      int version = v.getKey();
      JourneyDefinition d = v.getValue();
      for (Node n : d.nodes()) {
        if (n instanceof WaitUntil w && w.condition() != null) {
          long after = 0;
          while (true) {
            long from = after;
            Long last2 =
                app.transactionResult(
                    cfg -> {
                      DSLContext tx = cfg.dsl();
                      List<Inside> waiting =
                          JourneyTables.at(
                              tx, key, version, w.id(), JourneyTables.WAIT, from, limits.batch());
                      if (waiting.isEmpty()) {
                        return null;
                      }
                      long cursor = cursor(tx, key);
                      Counts counts = new Counts();
                      conditionHolds(tx, d, w, version, waiting, clock.now(), cursor, counts);
                      counts.write(tx, key);
                      return waiting.get(waiting.size() - 1).id();
                    });
            heartbeat.run();
            if (last2 == null) {
              break;
            }
            after = last2;
          }
        }
      }
      List<ConditionExit> exits =
          d.exitCriteria().stream()
              .filter(c -> c instanceof ConditionExit)
              .map(c -> (ConditionExit) c)
              .toList();
      if (!exits.isEmpty()) {
        long after = 0;
        while (true) {
          long from = after;
          Long last2 =
              app.transactionResult(
                  cfg -> {
                    DSLContext tx = cfg.dsl();
                    List<Inside> inside =
                        JourneyTables.insideAfter(tx, key, from, limits.batch()).stream()
                            .filter(p -> p.version() == version)
                            .toList();
                    if (inside.isEmpty()) {
                      return null;
                    }
                    Set<String> leaving = new HashSet<>();
                    Set<String> persons = new HashSet<>();
                    inside.forEach(p -> persons.add(p.person()));
                    for (ConditionExit c : exits) {
                      leaving.addAll(
                          people.matching(d.parent(), c.condition(), persons, clock.now()));
                    }
                    Counts counts = new Counts();
                    exitByNode(
                        tx,
                        version,
                        inside.stream().filter(p -> leaving.contains(p.person())).toList(),
                        "exit criteria",
                        "exit_criteria",
                        clock.now(),
                        counts);
                    counts.write(tx, key);
                    return inside.get(inside.size() - 1).id();
                  });
          heartbeat.run();
          if (last2 == null) {
            break;
          }
          after = last2;
        }
      }
    }
    app.execute(
        "update journey set conditions_checked_at = ? where journey_key = ?",
        JourneyTables.at(now),
        key);
    return now.plus(every);
  }

  private static long cursor(DSLContext tx, String key) {
    Long c =
        JourneyTables.value(
            tx, Long.class, "select event_cursor from journey where journey_key = ?", key);
    return c == null ? 0 : c;
  }

  private static void exitByNode(
      DSLContext tx,
      int version,
      List<Inside> who,
      String outcome,
      String reason,
      Instant now,
      Counts counts) {
    Map<String, List<Long>> byNode = new LinkedHashMap<>();
    who.forEach(p -> byNode.computeIfAbsent(p.node(), k -> new ArrayList<>()).add(p.id()));
    byNode.forEach(
        (node, ids) -> JourneyTables.exit(tx, version, node, ids, outcome, reason, now, counts));
  }

  /** Those of {@code waiting} for whom the node's condition holds move on. */
  private void conditionHolds(
      DSLContext tx,
      JourneyDefinition d,
      WaitUntil w,
      int version,
      List<Inside> waiting,
      Instant now,
      long cursor,
      Counts counts) {
    Set<String> persons = new HashSet<>();
    waiting.forEach(p -> persons.add(p.person()));
    Set<String> holds = people.matching(d.parent(), w.condition(), persons, now);
    Moves m = new Moves();
    for (Inside p : waiting) {
      if (holds.contains(p.person())) {
        m.add(p.id(), w.next(), "condition", cursor);
      }
    }
    JourneyTables.move(tx, version, w.id(), m, now, counts);
  }

  // ---- moves

  /** One batch of due people, each acted on by its node; returns how many were due. */
  private int moveDue(
      Run journey, Map<Integer, JourneyDefinition> versions, Set<String> held, StepClock clock) {
    return moveDue(journey, versions, held, clock, journey.key());
  }

  /** {@code splitKey}: the journey key that split groups are hashed with. */
  private int moveDue(
      Run journey,
      Map<Integer, JourneyDefinition> versions,
      Set<String> held,
      StepClock clock,
      String splitKey) {
    String key = journey.key();
    return app.transactionResult(
        cfg -> {
          DSLContext tx = cfg.dsl();
          Instant now = clock.now();
          List<Inside> due = JourneyTables.due(tx, key, now, held, limits.batch());
          if (due.isEmpty()) {
            return 0;
          }
          long cursor = cursor(tx, key);
          Map<List<Object>, List<Inside>> groups = new LinkedHashMap<>();
          due.forEach(
              p ->
                  groups
                      .computeIfAbsent(List.of(p.version(), p.node()), k -> new ArrayList<>())
                      .add(p));
          Counts counts = new Counts();
          for (var g : groups.entrySet()) {
            int version = (Integer) g.getKey().get(0);
            JourneyDefinition d = versions.get(version);
            Node node = d == null ? null : d.node((String) g.getKey().get(1)).orElse(null);
            List<Inside> here = g.getValue();
            if (node == null) {
              exitByNode(tx, version, here, "unknown node", "unknown_node", now, counts);
              continue;
            }
            act(tx, journey, splitKey, d, version, node, here, now, cursor, counts);
          }
          counts.write(tx, key);
          return due.size();
        });
  }

  private void act(
      DSLContext tx,
      Run journey,
      String splitKey,
      JourneyDefinition d,
      int version,
      Node node,
      List<Inside> here,
      Instant now,
      long cursor,
      Counts counts) {
    List<Inside> arriving =
        here.stream().filter(p -> JourneyTables.ARRIVE.equals(p.phase())).toList();
    List<Inside> waited =
        here.stream().filter(p -> !JourneyTables.ARRIVE.equals(p.phase())).toList();
    if (node instanceof Wait w) {
      List<Long> ids = new ArrayList<>();
      List<Instant> dues = new ArrayList<>();
      if (!arriving.isEmpty()) {
        if (w.duration() != null) {
          arriving.forEach(
              p -> {
                ids.add(p.id());
                dues.add(p.since().plus(w.duration()));
              });
        } else {
          Map<String, java.time.ZoneId> zones =
              people.zones(
                  d.parent(),
                  arriving.stream().map(Inside::person).toList(),
                  w.until().timezoneColumn(),
                  w.until().defaultTimezone(),
                  now);
          arriving.forEach(
              p -> {
                ids.add(p.id());
                dues.add(LocalTimes.next(p.since(), w.until().time(), zones.get(p.person())));
              });
        }
      }
      // a due that has passed already (a migrated person who waited long enough) moves now
      Moves m = new Moves();
      List<Long> waitIds = new ArrayList<>();
      List<Instant> waitDues = new ArrayList<>();
      for (int i = 0; i < ids.size(); i++) {
        if (dues.get(i).isAfter(now)) {
          waitIds.add(ids.get(i));
          waitDues.add(dues.get(i));
        } else {
          m.add(ids.get(i), w.next(), "waited", cursor);
        }
      }
      JourneyTables.waitUntil(tx, waitIds, waitDues, JourneyTables.WAIT);
      waited.forEach(p -> m.add(p.id(), w.next(), "waited", cursor));
      JourneyTables.move(tx, version, w.id(), m, now, counts);
    } else if (node instanceof WaitUntil w) {
      Moves m = new Moves();
      List<Inside> staying = new ArrayList<>(arriving);
      if (w.condition() != null && !arriving.isEmpty()) {
        Set<String> holds =
            people.matching(
                d.parent(), w.condition(), arriving.stream().map(Inside::person).toList(), now);
        staying.clear();
        for (Inside p : arriving) {
          if (holds.contains(p.person())) {
            m.add(p.id(), w.next(), "condition", cursor);
          } else {
            staying.add(p);
          }
        }
      }
      List<Long> ids = new ArrayList<>();
      List<Instant> dues = new ArrayList<>();
      for (Inside p : staying) {
        Instant due = p.since().plus(w.timeout());
        if (due.isAfter(now)) {
          ids.add(p.id());
          dues.add(due);
        } else {
          m.add(p.id(), w.timeoutNext(), "timeout", cursor);
        }
      }
      JourneyTables.waitUntil(tx, ids, dues, JourneyTables.WAIT);
      waited.forEach(p -> m.add(p.id(), w.timeoutNext(), "timeout", cursor));
      JourneyTables.move(tx, version, w.id(), m, now, counts);
    } else if (node instanceof Branch b) {
      Moves m = new Moves();
      Map<String, Inside> left = new LinkedHashMap<>();
      here.forEach(p -> left.put(p.person(), p));
      for (var arm : b.branches()) {
        if (left.isEmpty()) {
          break;
        }
        for (String person : people.matching(d.parent(), arm.condition(), left.keySet(), now)) {
          Inside p = left.remove(person);
          if (p != null) {
            m.add(p.id(), arm.next(), arm.name(), cursor);
          }
        }
      }
      left.values().forEach(p -> m.add(p.id(), b.elseNext(), "else", cursor));
      JourneyTables.move(tx, version, b.id(), m, now, counts);
    } else if (node instanceof SplitNode s) {
      Moves m = new Moves();
      Map<String, List<Inside>> held = new LinkedHashMap<>();
      for (Inside p : here) {
        JourneyDefinition.Group g = group(splitKey, s, p.person());
        if (g.holdout()) {
          held.computeIfAbsent(g.name(), k -> new ArrayList<>()).add(p);
        } else {
          m.add(p.id(), g.next(), g.name(), cursor);
        }
      }
      JourneyTables.move(tx, version, s.id(), m, now, counts);
      for (var e : held.entrySet()) {
        List<Inside> who = e.getValue();
        tx.execute(
            "insert into journey_holdout (journey_key, version, node, grp, person, entry_id, at)"
                + " select ?, ?, ?, ?, t.p, t.id, ? from unnest(?::text[], ?::bigint[]) as t(p, id)",
            journey.key(),
            version,
            s.id(),
            e.getKey(),
            JourneyTables.at(now),
            who.stream().map(Inside::person).toArray(String[]::new),
            who.stream().map(Inside::id).toArray(Long[]::new));
        JourneyTables.exit(
            tx,
            version,
            s.id(),
            who.stream().map(Inside::id).toList(),
            e.getKey(),
            "holdout",
            now,
            counts);
      }
    } else if (node instanceof Send s) {
      sends.arrive(
          tx,
          journey.key(),
          journey.createdBy(),
          journey.simulation(),
          d,
          s,
          version,
          here,
          now,
          cursor,
          counts);
    } else if (node instanceof Exit x) {
      JourneyTables.exit(
          tx, version, x.id(), here.stream().map(Inside::id).toList(), "exit", "exit", now, counts);
    }
  }

  /**
   * A person's group at a split node: the governance split's bucket of (journey key, node id, salt)
   * and the person's key, groups owning contiguous ranges in their order. The same person lands in
   * the same group on re-entry, in every version and in a simulation.
   */
  static JourneyDefinition.Group group(String journey, SplitNode s, String person) {
    int bucket = Split.bucket(journey + ":" + s.id() + ":" + s.salt(), person);
    int bound = 0;
    for (JourneyDefinition.Group g : s.groups()) {
      bound += g.percent().movePointRight(2).intValue();
      if (bucket < bound) {
        return g;
      }
    }
    return s.groups().get(s.groups().size() - 1);
  }

  /** Moves people whose send outcome is recorded; returns how many. */
  private int settle(String key, Map<Integer, JourneyDefinition> versions, StepClock clock) {
    return app.transactionResult(
        cfg -> {
          DSLContext tx = cfg.dsl();
          var rows =
              tx.fetch(
                  "select e.id, e.version, e.node, s.status, s.reason, s.attempt from journey_entry e"
                      + " join journey_send s on s.entry_id = e.id and s.node = e.node"
                      + " where e.journey_key = ? and e.phase = 'send'"
                      + " and s.status not in ('pending', 'retrying')"
                      + " order by e.id limit ? for update of e",
                  key,
                  limits.batch());
          if (rows.isEmpty()) {
            return 0;
          }
          Instant now = clock.now();
          long cursor = cursor(tx, key);
          Map<List<Object>, Moves> moves = new LinkedHashMap<>();
          List<Long> failed = new ArrayList<>();
          List<Object[]> retriedAgain = new ArrayList<>();
          for (var r : rows) {
            int version = r.get(1, Integer.class);
            String node = r.get(2, String.class);
            Send s = (Send) versions.get(version).node(node).orElseThrow();
            String status = r.get(3, String.class);
            if ("sent".equals(status)) {
              moves
                  .computeIfAbsent(List.of(version, node), k -> new Moves())
                  .add(r.get(0, Long.class), s.next(), "sent", cursor);
            } else if ("excluded".equals(status) || "capped".equals(status)) {
              // a retry of a held person that governance or the cap refused now: they move on,
              // as on a first send
              moves
                  .computeIfAbsent(List.of(version, node), k -> new Moves())
                  .add(
                      r.get(0, Long.class),
                      s.next(),
                      "capped".equals(status) ? "capped" : "excluded: " + r.get(4, String.class),
                      cursor);
            } else if (s.holdOnFailure()) {
              failed.add(r.get(0, Long.class));
              if (r.get(5, Integer.class) > 0) {
                // a retry rejected again: the held person stays, the path says why
                retriedAgain.add(new Object[] {r.get(0, Long.class), node, r.get(4, String.class)});
              }
            } else {
              moves
                  .computeIfAbsent(List.of(version, node), k -> new Moves())
                  .add(
                      r.get(0, Long.class),
                      s.next(),
                      "rejected: " + r.get(4, String.class),
                      cursor);
            }
          }
          Counts counts = new Counts();
          moves.forEach(
              (k, m) ->
                  JourneyTables.move(tx, (Integer) k.get(0), (String) k.get(1), m, now, counts));
          if (!failed.isEmpty()) {
            tx.execute(
                "update journey_entry set phase = 'failed', due = null where id = any(?::bigint[])",
                (Object) failed.toArray(Long[]::new));
          }
          for (Object[] f : retriedAgain) {
            JourneyTables.note(tx, List.of((Long) f[0]), (String) f[1], "rejected: " + f[2], now);
          }
          counts.write(tx, key);
          return rows.size();
        });
  }

  /** Stopped: everyone still inside exits with reason stopped; returns whether people are left. */
  private boolean stopEveryone(
      String key, Map<Integer, JourneyDefinition> versions, StepClock clock, long deadline) {
    while (System.nanoTime() < deadline) {
      int n =
          app.transactionResult(
              cfg -> {
                DSLContext tx = cfg.dsl();
                List<Inside> inside = JourneyTables.insideAfter(tx, key, 0, limits.batch());
                if (inside.isEmpty()) {
                  return 0;
                }
                Counts counts = new Counts();
                Map<Integer, List<Inside>> byVersion = new LinkedHashMap<>();
                inside.forEach(
                    p -> byVersion.computeIfAbsent(p.version(), k -> new ArrayList<>()).add(p));
                byVersion.forEach(
                    (v, who) -> exitByNode(tx, v, who, "stopped", "stopped", clock.now(), counts));
                counts.write(tx, key);
                return inside.size();
              });
      if (n == 0) {
        app.execute(
            "update journey_send set status = 'cancelled', reason = 'journey stopped'"
                + " where journey_key = ? and status in ('pending', 'retrying')",
            key);
        return false;
      }
    }
    return true;
  }
}
