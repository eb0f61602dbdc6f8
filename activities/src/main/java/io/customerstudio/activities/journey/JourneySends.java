package io.customerstudio.activities.journey;

import static io.customerstudio.activities.journey.JourneyTables.at;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.customerstudio.activities.delivery.BatchRef;
import io.customerstudio.activities.delivery.Delivery;
import io.customerstudio.activities.delivery.DestinationFailed;
import io.customerstudio.activities.delivery.DestinationRuntime;
import io.customerstudio.activities.delivery.DestinationRuntimes;
import io.customerstudio.activities.destinations.DeliveryRow;
import io.customerstudio.activities.destinations.RowOutcome;
import io.customerstudio.activities.governance.Policies;
import io.customerstudio.activities.journey.JourneyTables.Counts;
import io.customerstudio.activities.journey.JourneyTables.Inside;
import io.customerstudio.activities.journey.JourneyTables.Moves;
import io.customerstudio.infra.store.DestinationStore;
import io.customerstudio.infra.workspace.Workspace;
import io.customerstudio.query.governance.Governance;
import io.customerstudio.query.journey.JourneyDefinition;
import io.customerstudio.query.journey.JourneyDefinition.FieldMapping;
import io.customerstudio.query.journey.JourneyDefinition.Send;
import io.customerstudio.query.schema.Catalog.ModelInfo;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jooq.DSLContext;
import org.jooq.impl.DSL;
import org.jooq.impl.SQLDataType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Send nodes. A person reaching one passes, in order: the journey's frequency cap (capped: skipped
 * and logged, moves on), quiet hours in their own zone (waits for the window's end), governance
 * (the destination's subsets, consent and rule, and the journey's creator's restriction, decided in
 * the warehouse by the syncs' own query: excluded, moves on), and then their row is fixed: a {@code
 * journey_send} row (one per entry and node: the primary key) with the fields to send, in a
 * delivery batch whose key is made from journey, version, node and the batch's first entry. The
 * batches then go through the delivery core like a sync's (its batching, rate limit, retries, lease
 * fence and ledger), and the people move on once their row's outcome is recorded. A crash at any
 * point resends nothing: a batch already recorded is skipped, a batch in flight is resent under the
 * same idempotency key, and a person whose outcome is recorded is moved by the next step.
 */
final class JourneySends {

  private static final Logger log = LoggerFactory.getLogger(JourneySends.class);
  private static final ObjectMapper JSON = new ObjectMapper();

  private final Workspace workspace;
  private final Policies policies;
  private final DestinationStore destinations;
  private final DestinationRuntimes runtimes;
  private final Delivery delivery;
  private final People people;
  private final DSLContext warehouse;

  JourneySends(
      DSLContext warehouse,
      Workspace workspace,
      Policies policies,
      DestinationStore destinations,
      DestinationRuntimes runtimes,
      Delivery delivery,
      People people) {
    this.warehouse = warehouse;
    this.workspace = workspace;
    this.policies = policies;
    this.destinations = destinations;
    this.runtimes = runtimes;
    this.delivery = delivery;
    this.people = people;
  }

  /** People at a send node whose turn it is (arrived, or quiet hours over). */
  void arrive(
      DSLContext tx,
      String journey,
      String createdBy,
      boolean simulate,
      JourneyDefinition def,
      Send node,
      int version,
      List<Inside> here,
      Instant now,
      long cursor,
      Counts counts) {
    Map<String, Inside> byPerson = new LinkedHashMap<>();
    here.forEach(p -> byPerson.put(p.person(), p));
    Moves moves = new Moves();
    List<Object[]> rows = new ArrayList<>();

    // frequency cap: sends by this journey within the window
    var cap = def.settings().frequencyCap();
    if (cap != null) {
      Set<String> over = overCap(tx, journey, def, byPerson.keySet(), now);
      for (var it = byPerson.values().iterator(); it.hasNext(); ) {
        Inside p = it.next();
        if (over.contains(p.person())) {
          rows.add(
              row(p, node, journey, version, null, "capped", "frequency cap", null, null, now));
          moves.add(p.id(), node.next(), "capped", cursor);
          it.remove();
        }
      }
    }

    // quiet hours, in each person's zone
    var quiet = def.settings().quietHours();
    if (quiet != null && !byPerson.isEmpty()) {
      Map<String, ZoneId> zones =
          people.zones(
              def.parent(),
              byPerson.keySet(),
              quiet.timezoneColumn(),
              quiet.defaultTimezone(),
              now);
      List<Long> waiting = new ArrayList<>();
      List<Instant> ends = new ArrayList<>();
      List<Long> noted = new ArrayList<>();
      for (var it = byPerson.values().iterator(); it.hasNext(); ) {
        Inside p = it.next();
        Instant end = LocalTimes.quietEnd(now, quiet.from(), quiet.to(), zones.get(p.person()));
        if (end != null) {
          waiting.add(p.id());
          ends.add(end);
          if (JourneyTables.ARRIVE.equals(p.phase())) {
            noted.add(p.id());
          }
          it.remove();
        }
      }
      JourneyTables.waitUntil(tx, waiting, ends, JourneyTables.WAIT);
      JourneyTables.note(tx, noted, node.id(), "quiet hours", now);
    }

    // governance: the destination's subsets, consent and rule, the creator's restriction
    if (!byPerson.isEmpty()) {
      for (var x : governed(def, node, createdBy, byPerson.keySet(), now).entrySet()) {
        Inside p = byPerson.remove(x.getKey());
        rows.add(row(p, node, journey, version, null, "excluded", x.getValue(), null, null, now));
        moves.add(p.id(), node.next(), "excluded: " + x.getValue(), cursor);
      }
    }

    // the rows to send, fixed before anything is sent
    if (!byPerson.isEmpty()) {
      DestinationRuntime runtime = runtime(node.destination());
      int size = Math.max(1, runtime.connector().batchSize());
      Map<String, Map<String, Object>> values = values(def, node, byPerson.keySet(), now);
      List<Inside> ready = new ArrayList<>();
      for (Inside p : byPerson.values()) {
        Map<String, Object> v = values.get(p.person());
        Object id = v == null ? null : v.get(node.identifier().from());
        if (id == null) {
          rows.add(
              row(
                  p,
                  node,
                  journey,
                  version,
                  null,
                  "excluded",
                  "identifier: no " + node.identifier().from(),
                  null,
                  null,
                  now));
          moves.add(p.id(), node.next(), "excluded: identifier", cursor);
          continue;
        }
        ready.add(p);
      }
      List<Long> sending = new ArrayList<>();
      if (simulate) {
        // a simulation sends nothing: the row it would send is recorded, and the person moves on
        size = Integer.MAX_VALUE;
      }
      for (int i = 0; i < ready.size(); i += size) {
        List<Inside> chunk = ready.subList(i, Math.min(ready.size(), i + size));
        String batch = runId(journey, version, node.id()) + "-" + chunk.get(0).id();
        for (Inside p : chunk) {
          Map<String, Object> v = values.get(p.person());
          ObjectNode fields = fields(node, v, p.entryEvent());
          rows.add(
              row(
                  p,
                  node,
                  journey,
                  version,
                  simulate ? null : batch,
                  simulate ? "simulated" : "pending",
                  null,
                  String.valueOf(v.get(node.identifier().from())),
                  fields.toString(),
                  now));
          if (simulate) {
            moves.add(p.id(), node.next(), "sent", cursor);
          } else {
            sending.add(p.id());
          }
        }
      }
      if (!sending.isEmpty()) {
        tx.execute(
            "update journey_entry set phase = 'send', due = null where id = any(?::bigint[])",
            (Object) sending.toArray(Long[]::new));
      }
    }
    insert(tx, rows);
    JourneyTables.move(tx, version, node.id(), moves, now, counts);
  }

  /** Of {@code persons}, those the journey's frequency cap allows no send to now. */
  private static Set<String> overCap(
      DSLContext tx, String journey, JourneyDefinition def, Set<String> persons, Instant now) {
    var cap = def.settings().frequencyCap();
    Set<String> over = new HashSet<>();
    if (cap == null || persons.isEmpty()) {
      return over;
    }
    tx.fetch(
            "select person, count(*) from journey_send where journey_key = ? and person = any(?::text[])"
                + " and status in ('sent', 'simulated') and sent_at > ? group by person",
            journey,
            persons.toArray(String[]::new),
            at(now.minus(cap.per())))
        .forEach(
            r -> {
              if (r.get(1, Integer.class) >= cap.max()) {
                over.add(r.get(0, String.class));
              }
            });
    return over;
  }

  /**
   * Of {@code persons}, those governance keeps from the node's destination (its subsets, consent
   * and rule, the journey's creator's restriction), with their first reason.
   */
  private Map<String, String> governed(
      JourneyDefinition def, Send node, String createdBy, Set<String> persons, Instant now) {
    if (persons.isEmpty()) {
      return Map.of();
    }
    Governance.Policy policy = policies.forJourneySend(node.destination(), def.parent(), createdBy);
    return policy.excludesAnything() ? excluded(def.parent(), policy, persons, now) : Map.of();
  }

  /**
   * The row's fields: the identifier, then the mapping from the person's values and entry event.
   */
  private static ObjectNode fields(Send node, Map<String, Object> v, String entryEvent) {
    ObjectNode fields = JSON.createObjectNode();
    fields.set(node.identifier().to(), JSON.valueToTree(v.get(node.identifier().from())));
    JsonNode event = entryEvent == null ? null : parse(entryEvent);
    for (FieldMapping m : node.mapping()) {
      if (m.from().startsWith(JourneyDefinition.EVENT_PROPERTIES)) {
        String name = m.from().substring(JourneyDefinition.EVENT_PROPERTIES.length());
        JsonNode value = event == null ? null : event.get(name);
        fields.set(m.to(), value == null ? JSON.nullNode() : value);
      } else {
        fields.set(m.to(), JSON.valueToTree(v.get(m.from())));
      }
    }
    return fields;
  }

  // ---- retries

  /** A rejected row a user queued again ({@code retrying}), with what its send needs. */
  private record Retry(
      long entry,
      String person,
      int version,
      String node,
      int attempt,
      String entryEvent,
      boolean held) {}

  /** A retried row's batch key prefix: its node's run id and the attempt. */
  static String retryRunId(String journey, int version, String node, int attempt) {
    return runId(journey, version, node) + (attempt > 0 ? "-retry" + attempt : "");
  }

  /**
   * Prepares up to {@code limit} rows that users queued again ({@code retrying}, see {@code
   * JourneyStore.queueRetries}), as a first send would: the frequency cap and governance are
   * checked again now (capped or excluded: that is the retry's outcome), the fields are taken from
   * the person's values now (and the entry event), and the row is fixed as pending in a batch whose
   * idempotency key is {@code <runId>-retry<attempt>-<first entry>}: a key the destination has not
   * seen, so it does not dedupe the retry away, and the same on every delivery attempt of this
   * retry. Quiet hours do not hold a retry: it is a user's explicit action, and the person has
   * usually moved on from the node. People who moved on get the outcome as a step at the send node
   * (the step's next is the node itself: they do not move); people held there ({@code "onFailure":
   * "wait"}) are moved by {@link JourneyEngine}'s settle. Returns how many rows.
   */
  int prepareRetries(
      DSLContext tx,
      String journey,
      String createdBy,
      Map<Integer, JourneyDefinition> versions,
      Instant now,
      int limit) {
    List<Retry> rows =
        tx.fetch(
                "select s.entry_id, s.person, s.version, s.node, s.attempt, e.entry_event,"
                    + " (e.node is not distinct from s.node and e.phase = 'send') as held"
                    + " from journey_send s join journey_entry e on e.id = s.entry_id"
                    + " where s.journey_key = ? and s.status = 'retrying'"
                    + " order by s.entry_id, s.node limit ? for update of s",
                journey,
                limit)
            .map(
                r ->
                    new Retry(
                        r.get(0, Long.class),
                        r.get(1, String.class),
                        r.get(2, Integer.class),
                        r.get(3, String.class),
                        r.get(4, Integer.class),
                        r.get(5, String.class),
                        Boolean.TRUE.equals(r.get(6, Boolean.class))));
    if (rows.isEmpty()) {
      return 0;
    }
    Map<List<Object>, List<Retry>> groups = new LinkedHashMap<>();
    rows.forEach(
        r -> groups.computeIfAbsent(List.of(r.version(), r.node()), k -> new ArrayList<>()).add(r));
    List<Object[]> outcomes = new ArrayList<>(); // entry, node, status, reason
    List<Object[]> notes = new ArrayList<>(); // entry, node, outcome
    for (var g : groups.entrySet()) {
      int version = (Integer) g.getKey().get(0);
      String nodeId = (String) g.getKey().get(1);
      JourneyDefinition def = versions.get(version);
      Send node =
          def == null
              ? null
              : def.node(nodeId).filter(n -> n instanceof Send).map(n -> (Send) n).orElse(null);
      Map<String, List<Retry>> byPerson = new LinkedHashMap<>();
      g.getValue()
          .forEach(r -> byPerson.computeIfAbsent(r.person(), k -> new ArrayList<>()).add(r));
      if (node == null) {
        for (Retry r : g.getValue()) {
          outcomes.add(new Object[] {r, "cancelled", "the node is not a send node any more"});
        }
        continue;
      }
      Set<String> over = overCap(tx, journey, def, byPerson.keySet(), now);
      for (String p : over) {
        for (Retry r : byPerson.remove(p)) {
          outcomes.add(new Object[] {r, "capped", "frequency cap"});
          if (!r.held()) {
            notes.add(new Object[] {r, "capped"});
          }
        }
      }
      for (var x : governed(def, node, createdBy, byPerson.keySet(), now).entrySet()) {
        for (Retry r : byPerson.remove(x.getKey())) {
          outcomes.add(new Object[] {r, "excluded", x.getValue()});
          if (!r.held()) {
            notes.add(new Object[] {r, "excluded: " + x.getValue()});
          }
        }
      }
      if (byPerson.isEmpty()) {
        continue;
      }
      Map<String, Map<String, Object>> values = values(def, node, byPerson.keySet(), now);
      Map<Integer, List<Retry>> byAttempt = new java.util.TreeMap<>();
      for (var e : byPerson.entrySet()) {
        Map<String, Object> v = values.get(e.getKey());
        Object id = v == null ? null : v.get(node.identifier().from());
        for (Retry r : e.getValue()) {
          if (id == null) {
            String reason = "identifier: no " + node.identifier().from();
            outcomes.add(new Object[] {r, "excluded", reason});
            if (!r.held()) {
              notes.add(new Object[] {r, "excluded: identifier"});
            }
          } else {
            byAttempt.computeIfAbsent(r.attempt(), k -> new ArrayList<>()).add(r);
          }
        }
      }
      int size = Math.max(1, runtime(node.destination()).connector().batchSize());
      List<Long> entries = new ArrayList<>();
      List<String> batches = new ArrayList<>();
      List<String> keys = new ArrayList<>();
      List<String> fields = new ArrayList<>();
      for (var a : byAttempt.entrySet()) {
        List<Retry> ready = a.getValue();
        ready.sort(java.util.Comparator.comparingLong(Retry::entry));
        for (int i = 0; i < ready.size(); i += size) {
          List<Retry> chunk = ready.subList(i, Math.min(ready.size(), i + size));
          String batch =
              retryRunId(journey, version, nodeId, a.getKey()) + "-" + chunk.get(0).entry();
          for (Retry r : chunk) {
            Map<String, Object> v = values.get(r.person());
            entries.add(r.entry());
            batches.add(batch);
            keys.add(String.valueOf(v.get(node.identifier().from())));
            fields.add(fields(node, v, r.entryEvent()).toString());
          }
        }
      }
      if (!entries.isEmpty()) {
        tx.execute(
            "update journey_send s set status = 'pending', reason = null, sent_at = null,"
                + " batch_key = t.b, row_key = t.k, fields = t.f"
                + " from unnest(?::bigint[], ?::text[], ?::text[], ?::text[]) as t(id, b, k, f)"
                + " where s.entry_id = t.id and s.node = ? and s.status = 'retrying'",
            entries.toArray(Long[]::new),
            batches.toArray(String[]::new),
            keys.toArray(String[]::new),
            fields.toArray(String[]::new),
            nodeId);
      }
    }
    if (!outcomes.isEmpty()) {
      tx.execute(
          "update journey_send s set status = t.st, reason = t.r, sent_at = null"
              + " from unnest(?::bigint[], ?::text[], ?::text[], ?::text[]) as t(id, nd, st, r)"
              + " where s.entry_id = t.id and s.node = t.nd and s.status = 'retrying'",
          outcomes.stream().map(o -> ((Retry) o[0]).entry()).toArray(Long[]::new),
          outcomes.stream().map(o -> ((Retry) o[0]).node()).toArray(String[]::new),
          outcomes.stream().map(o -> (String) o[1]).toArray(String[]::new),
          outcomes.stream().map(o -> (String) o[2]).toArray(String[]::new));
    }
    if (!notes.isEmpty()) {
      noteRetryOutcomes(
          tx,
          notes.stream().map(o -> ((Retry) o[0]).entry()).toArray(Long[]::new),
          notes.stream().map(o -> ((Retry) o[0]).node()).toArray(String[]::new),
          notes.stream().map(o -> (String) o[1]).toArray(String[]::new),
          now);
    }
    return rows.size();
  }

  /**
   * A retry's outcome as a step of a person who moved on from the send node: at the node, with the
   * node itself as next (the person does not move, as with quiet hours).
   */
  private static void noteRetryOutcomes(
      DSLContext tx, Long[] entries, String[] nodes, String[] outcomes, Instant now) {
    tx.execute(
        "insert into journey_step (entry_id, node, at, outcome, next)"
            + " select t.id, t.nd, ?, t.o, t.nd from unnest(?::bigint[], ?::text[], ?::text[])"
            + " as t(id, nd, o)",
        at(now),
        entries,
        nodes,
        outcomes);
  }

  /**
   * Delivered retries of people who moved on from the node: their outcome as a step (those held at
   * the node are moved by the engine's settle, which writes theirs).
   */
  private static void retryOutcomes(DSLContext tx, List<org.jooq.Record> changed, Instant now) {
    List<org.jooq.Record> retried =
        changed.stream().filter(r -> r.get(2, Integer.class) > 0).toList();
    if (retried.isEmpty()) {
      return;
    }
    Long[] entries = retried.stream().map(r -> r.get(0, Long.class)).toArray(Long[]::new);
    String[] nodes = retried.stream().map(r -> r.get(1, String.class)).toArray(String[]::new);
    Set<List<Object>> held = new HashSet<>();
    tx.fetch(
            "select e.id, e.node from journey_entry e join unnest(?::bigint[], ?::text[]) as t(id, nd)"
                + " on e.id = t.id and e.node = t.nd where e.phase = 'send'",
            entries,
            nodes)
        .forEach(r -> held.add(List.of(r.get(0, Long.class), r.get(1, String.class))));
    List<org.jooq.Record> moved =
        retried.stream()
            .filter(r -> !held.contains(List.of(r.get(0, Long.class), r.get(1, String.class))))
            .toList();
    if (moved.isEmpty()) {
      return;
    }
    noteRetryOutcomes(
        tx,
        moved.stream().map(r -> r.get(0, Long.class)).toArray(Long[]::new),
        moved.stream().map(r -> r.get(1, String.class)).toArray(String[]::new),
        moved.stream()
            .map(
                r ->
                    "sent".equals(r.get(3, String.class))
                        ? "sent"
                        : "rejected: " + r.get(4, String.class))
            .toArray(String[]::new),
        now);
  }

  /** Whether users queued rows of the journey again that are not prepared yet. */
  static boolean retrying(DSLContext db, String journey) {
    return db.fetchExists(
        DSL.selectOne()
            .from(DSL.table("journey_send"))
            .where(
                DSL.field("journey_key", SQLDataType.VARCHAR).eq(journey),
                DSL.field("status", SQLDataType.VARCHAR).eq("retrying")));
  }

  /**
   * The run id a send node's batches carry: journey, version and node; a batch's idempotency key is
   * {@code <runId>-<first entry id>}.
   */
  static String runId(String journey, int version, String node) {
    return "journey-" + journey + "-v" + version + "-" + node;
  }

  private static Object[] row(
      Inside p,
      Send node,
      String journey,
      int version,
      String batch,
      String status,
      String reason,
      String rowKey,
      String fields,
      Instant now) {
    return new Object[] {
      p.id(),
      node.id(),
      journey,
      version,
      p.person(),
      node.destination(),
      batch,
      status,
      reason,
      rowKey,
      fields,
      at(now)
    };
  }

  private static void insert(DSLContext tx, List<Object[]> rows) {
    if (rows.isEmpty()) {
      return;
    }
    int n = rows.size();
    Object[][] cols = new Object[12][n];
    for (int i = 0; i < n; i++) {
      for (int c = 0; c < 12; c++) {
        cols[c][i] = rows.get(i)[c];
      }
    }
    tx.execute(
        "insert into journey_send (entry_id, node, journey_key, version, person, destination,"
            + " batch_key, status, reason, row_key, fields, created_at, sent_at)"
            + " select u.*, case when u.st = 'simulated' then u.ca end"
            + " from unnest(?::bigint[], ?::text[], ?::text[], ?::int[], ?::text[], ?::text[],"
            + " ?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::timestamptz[])"
            + " as u(id, nd, j, v, p, d, b, st, r, rk, f, ca)"
            + " on conflict (entry_id, node) do nothing",
        java.util.Arrays.stream(cols[0]).map(o -> (Long) o).toArray(Long[]::new),
        strings(cols[1]),
        strings(cols[2]),
        java.util.Arrays.stream(cols[3]).map(o -> (Integer) o).toArray(Integer[]::new),
        strings(cols[4]),
        strings(cols[5]),
        strings(cols[6]),
        strings(cols[7]),
        strings(cols[8]),
        strings(cols[9]),
        strings(cols[10]),
        java.util.Arrays.stream(cols[11])
            .map(o -> (OffsetDateTime) o)
            .toArray(OffsetDateTime[]::new));
  }

  private static String[] strings(Object[] col) {
    return java.util.Arrays.stream(col).map(o -> (String) o).toArray(String[]::new);
  }

  private static JsonNode parse(String json) {
    try {
      return JSON.readTree(json);
    } catch (Exception e) {
      return null;
    }
  }

  private Map<String, Map<String, Object>> values(
      JourneyDefinition def, Send node, Set<String> persons, Instant now) {
    List<String> names = new ArrayList<>();
    names.add(node.identifier().from());
    for (FieldMapping m : node.mapping()) {
      if (!m.from().startsWith(JourneyDefinition.EVENT_PROPERTIES)) {
        names.add(m.from());
      }
    }
    return workspace.engine().keyed().values(def.parent(), persons, names, now);
  }

  /** The excluded among {@code persons} with their first reason (the syncs' govern query). */
  private Map<String, String> excluded(
      String parent, Governance.Policy policy, Set<String> persons, Instant now) {
    var compiler = workspace.engine().compiler(now);
    ModelInfo model =
        workspace
            .catalog()
            .model(parent)
            .orElseThrow(
                () -> new IllegalStateException("model " + parent + " is not in the schema"));
    var members = JourneyWarehouseSql.members(warehouse, persons, "jm");
    var query = Governance.excluded(members, model, compiler, policy);
    compiler.problems().throwIfAny();
    Map<String, String> out = new HashMap<>();
    warehouse
        .fetch(query)
        .forEach(
            r -> {
              String reason = r.get("reason", String.class);
              String detail = r.get("detail", String.class);
              out.put(
                  r.get("member", String.class),
                  detail == null || detail.isBlank() ? reason : reason + " (" + detail + ")");
            });
    return out;
  }

  private DestinationRuntime runtime(String destination) {
    DestinationStore.Destination d =
        destinations
            .find(destination)
            .orElseThrow(
                () ->
                    new IllegalStateException("destination " + destination + " no longer exists"));
    return runtimes.of(d);
  }

  /** Whether the journey has rows fixed and not yet delivered. */
  static boolean pending(DSLContext db, String journey) {
    return db.fetchExists(
        DSL.selectOne()
            .from(DSL.table("journey_send"))
            .where(
                DSL.field("journey_key", SQLDataType.VARCHAR).eq(journey),
                DSL.field("status", SQLDataType.VARCHAR).eq("pending")));
  }

  /**
   * Delivers the journey's pending batches through the delivery core, destination by destination. A
   * destination that is down past its outage budget keeps its batches pending (its people wait at
   * the node) and is tried again at the next step; returns whether one failed.
   */
  boolean deliverPending(
      DSLContext db, String journey, String holder, Runnable heartbeat, Instant now) {
    // one plan per destination and send node: the batches' idempotency keys are <runId>-<number>,
    // the number being the batch's first entry id, so a batch keeps its key on every attempt
    Map<List<Object>, List<String>> groups = new LinkedHashMap<>();
    // (a retry's batches are a run of their own: <runId>-retry<attempt>)
    db.fetch(
            "select destination, version, node, attempt, batch_key from journey_send"
                + " where journey_key = ? and status = 'pending'"
                + " group by destination, version, node, attempt, batch_key"
                + " order by min(entry_id) limit 500",
            journey)
        .forEach(
            r ->
                groups
                    .computeIfAbsent(
                        List.of(
                            r.get(0, String.class),
                            r.get(1, Integer.class),
                            r.get(2, String.class),
                            r.get(3, Integer.class)),
                        k -> new ArrayList<>())
                    .add(r.get(4, String.class)));
    boolean failed = false;
    for (var e : groups.entrySet()) {
      String destination = (String) e.getKey().get(0);
      String runId =
          retryRunId(
              journey,
              (Integer) e.getKey().get(1),
              (String) e.getKey().get(2),
              (Integer) e.getKey().get(3));
      List<String> keys = e.getValue();
      Map<Integer, String> byNumber = new HashMap<>();
      List<BatchRef> refs = new ArrayList<>();
      for (String k : keys) {
        int number = Integer.parseInt(k.substring(runId.length() + 1));
        byNumber.put(number, k);
        refs.add(new BatchRef(number, k));
      }
      Delivery.Ledger ledger =
          new Delivery.Ledger() {
            @Override
            public Set<Integer> delivered() {
              Set<String> open =
                  new HashSet<>(
                      db.fetch(
                              "select distinct batch_key from journey_send where batch_key = any(?::text[])"
                                  + " and status = 'pending'",
                              (Object) keys.toArray(String[]::new))
                          .map(r -> r.get(0, String.class)));
              Set<Integer> done = new HashSet<>();
              byNumber.forEach(
                  (n, k) -> {
                    if (!open.contains(k)) {
                      done.add(n);
                    }
                  });
              return done;
            }

            @Override
            public void record(BatchRef ref, List<DeliveryRow> rows, List<RowOutcome> rejected) {
              Map<String, String> reasons = new HashMap<>();
              rejected.forEach(
                  o -> reasons.put(o.key(), o.reason() == null ? "rejected" : o.reason()));
              OffsetDateTime sentAt = at(now);
              db.transaction(
                  cfg -> {
                    DSLContext tx = cfg.dsl();
                    List<org.jooq.Record> changed = new ArrayList<>();
                    if (!reasons.isEmpty()) {
                      changed.addAll(
                          tx.fetch(
                              "update journey_send s set status = 'rejected', reason = t.r, sent_at = ?"
                                  + " from unnest(?::text[], ?::text[]) as t(k, r)"
                                  + " where s.batch_key = ? and s.status = 'pending' and s.row_key = t.k"
                                  + " returning s.entry_id, s.node, s.attempt, s.status, s.reason",
                              sentAt,
                              reasons.keySet().toArray(String[]::new),
                              reasons.values().toArray(String[]::new),
                              ref.idempotencyKey()));
                    }
                    changed.addAll(
                        tx.fetch(
                            "update journey_send set status = 'sent', sent_at = ?"
                                + " where batch_key = ? and status = 'pending'"
                                + " returning entry_id, node, attempt, status, reason",
                            sentAt,
                            ref.idempotencyKey()));
                    retryOutcomes(tx, changed, now);
                  });
            }
          };
      Delivery.Plan plan =
          new Delivery.Plan(
              "journey:" + journey + ":" + destination,
              journey,
              runId,
              refs,
              n ->
                  db.fetch(
                          "select row_key, fields from journey_send where batch_key = ? order by entry_id",
                          byNumber.get(n))
                      .map(
                          r ->
                              DeliveryRow.ofJson(
                                  DeliveryRow.Op.UPSERT,
                                  r.get(0, String.class),
                                  r.get(1, String.class))),
              ledger);
      try {
        delivery.deliver(plan, runtime(destination), holder, heartbeat);
      } catch (DestinationFailed ex) {
        failed = true;
        log.atWarn()
            .addKeyValue("journey", journey)
            .addKeyValue("destination", destination)
            .log("journey {}: {}; its people wait at the send node", journey, ex.getMessage());
      }
    }
    return failed;
  }
}
