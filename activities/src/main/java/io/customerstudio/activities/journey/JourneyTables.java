package io.customerstudio.activities.journey;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.jooq.DSLContext;
import org.jooq.Record;

/**
 * The engine's SQL on the app store: who is due, and moves of whole batches in one statement each
 * (arrays as bind values, {@code unnest} on the server), with their steps and counters in the same
 * transaction. Counters follow the stats' semantics: a move from A to B adds to (A, B) and (B, ''),
 * an entry adds to (start, ''), a person leaving the journey at A for a reason adds to (A,
 * 'exit:reason') (an exit node counts its arrival only).
 */
final class JourneyTables {

  /** A person inside a journey, as the engine acts on them. */
  record Inside(
      long id,
      String person,
      int version,
      String node,
      String phase,
      Instant since,
      String entryEvent) {}

  static final String ARRIVE = "arrive";
  static final String WAIT = "wait";
  static final String SEND = "send";
  static final String FAILED = "failed";

  private JourneyTables() {}

  static OffsetDateTime at(Instant i) {
    return i.atOffset(ZoneOffset.UTC);
  }

  private static Inside inside(Record r) {
    return new Inside(
        r.get("id", Long.class),
        r.get("person", String.class),
        r.get("version", Integer.class),
        r.get("node", String.class),
        r.get("phase", String.class),
        r.get("since", OffsetDateTime.class).toInstant(),
        r.get("entry_event", String.class));
  }

  /**
   * Up to {@code limit} people due at {@code now}, locked for this transaction; people at {@code
   * held} nodes (send nodes while paused) are left where they are.
   */
  static List<Inside> due(
      DSLContext tx, String journey, Instant now, Collection<String> held, int limit) {
    return tx.fetch(
            "select id, person, version, node, phase, since, entry_event from journey_entry"
                + " where journey_key = ? and node is not null and due <= ?"
                + " and not (node = any(?::text[])) order by due, id limit ? for update",
            journey,
            at(now),
            held.toArray(String[]::new),
            limit)
        .map(JourneyTables::inside);
  }

  /** People at a node in a phase, after entry id {@code after}, by id, locked. */
  static List<Inside> at(
      DSLContext tx,
      String journey,
      int version,
      String node,
      String phase,
      long after,
      int limit) {
    return tx.fetch(
            "select id, person, version, node, phase, since, entry_event from journey_entry"
                + " where journey_key = ? and node = ? and version = ? and phase = ? and id > ?"
                + " order by id limit ? for update",
            journey,
            node,
            version,
            phase,
            after,
            limit)
        .map(JourneyTables::inside);
  }

  /** Everyone inside, after entry id {@code after}, by id, locked. */
  static List<Inside> insideAfter(DSLContext tx, String journey, long after, int limit) {
    return tx.fetch(
            "select id, person, version, node, phase, since, entry_event from journey_entry"
                + " where journey_key = ? and node is not null and id > ? order by id limit ? for update",
            journey,
            after,
            limit)
        .map(JourneyTables::inside);
  }

  /** When the next person is due (held nodes aside), or null. */
  static Instant nextDue(DSLContext db, String journey, Collection<String> held) {
    OffsetDateTime t =
        value(
            db,
            OffsetDateTime.class,
            "select min(due) from journey_entry where journey_key = ? and node is not null"
                + " and not (node = any(?::text[]))",
            journey,
            held.toArray(String[]::new));
    return t == null ? null : t.toInstant();
  }

  /** Counter increments collected for one transaction, written in one statement. */
  static final class Counts {
    private final Map<List<Object>, Long> n = new HashMap<>();

    void add(int version, String node, String edge, long by) {
      if (by != 0) {
        n.merge(List.of(version, node, edge), by, Long::sum);
      }
    }

    void write(DSLContext tx, String journey) {
      if (n.isEmpty()) {
        return;
      }
      int size = n.size();
      Integer[] versions = new Integer[size];
      String[] nodes = new String[size];
      String[] edges = new String[size];
      Long[] counts = new Long[size];
      int i = 0;
      for (var e : n.entrySet()) {
        versions[i] = (Integer) e.getKey().get(0);
        nodes[i] = (String) e.getKey().get(1);
        edges[i] = (String) e.getKey().get(2);
        counts[i++] = e.getValue();
      }
      tx.execute(
          "insert into journey_count (journey_key, version, node, edge, n)"
              + " select ?, t.v, t.nd, t.ed, t.n"
              + " from unnest(?::int[], ?::text[], ?::text[], ?::bigint[]) as t(v, nd, ed, n)"
              + " order by t.v, t.nd, t.ed"
              + " on conflict (journey_key, version, node, edge)"
              + " do update set n = journey_count.n + excluded.n",
          journey,
          versions,
          nodes,
          edges,
          counts);
      n.clear();
    }
  }

  /** A batch of moves out of one node: each entry to its next node, with the step's outcome. */
  static final class Moves {
    final List<Long> ids = new ArrayList<>();
    final List<String> nexts = new ArrayList<>();
    final List<String> outcomes = new ArrayList<>();
    final List<Long> seqs = new ArrayList<>();

    void add(long id, String next, String outcome, long seq) {
      ids.add(id);
      nexts.add(next);
      outcomes.add(outcome);
      seqs.add(seq);
    }

    boolean isEmpty() {
      return ids.isEmpty();
    }
  }

  /**
   * Moves people from {@code from} (version {@code version}) to their next nodes, where they arrive
   * now; writes their steps and counts. {@code seqs} is each one's event cursor at arrival.
   */
  static void move(DSLContext tx, int version, String from, Moves m, Instant now, Counts counts) {
    if (m.isEmpty()) {
      return;
    }
    Long[] ids = m.ids.toArray(Long[]::new);
    String[] nexts = m.nexts.toArray(String[]::new);
    tx.execute(
        "update journey_entry e set node = t.nx, phase = 'arrive', since = ?, due = ?,"
            + " since_seq = t.sq from unnest(?::bigint[], ?::text[], ?::bigint[]) as t(id, nx, sq)"
            + " where e.id = t.id",
        at(now),
        at(now),
        ids,
        nexts,
        m.seqs.toArray(Long[]::new));
    steps(tx, ids, from, m.outcomes.toArray(String[]::new), nexts, now);
    Map<String, Long> byNext = new HashMap<>();
    m.nexts.forEach(nx -> byNext.merge(nx, 1L, Long::sum));
    byNext.forEach(
        (nx, n) -> {
          counts.add(version, from, nx, n);
          counts.add(version, nx, "", n);
        });
  }

  /** People leave the journey at {@code from}: reason on the entry, outcome on the step. */
  static void exit(
      DSLContext tx,
      int version,
      String from,
      List<Long> ids,
      String outcome,
      String reason,
      Instant now,
      Counts counts) {
    if (ids.isEmpty()) {
      return;
    }
    Long[] arr = ids.toArray(Long[]::new);
    tx.execute(
        "update journey_entry set node = null, phase = null, due = null, exited_at = ?,"
            + " exit_reason = ? where id = any(?::bigint[])",
        at(now),
        reason,
        arr);
    String[] outcomes = new String[arr.length];
    java.util.Arrays.fill(outcomes, outcome);
    steps(tx, arr, from, outcomes, new String[arr.length], now);
    if (!"exit".equals(reason)) {
      counts.add(version, from, "exit:" + reason, arr.length);
    }
  }

  /** People stay at their node and wait until their own due time. */
  static void waitUntil(DSLContext tx, List<Long> ids, List<Instant> dues, String phase) {
    if (ids.isEmpty()) {
      return;
    }
    tx.execute(
        "update journey_entry e set phase = ?, due = t.d"
            + " from unnest(?::bigint[], ?::timestamptz[]) as t(id, d) where e.id = t.id",
        phase,
        ids.toArray(Long[]::new),
        dues.stream().map(JourneyTables::at).toArray(OffsetDateTime[]::new));
  }

  /** A step that is not a move (quiet hours): the person stays at the node. */
  static void note(DSLContext tx, List<Long> ids, String node, String outcome, Instant now) {
    if (ids.isEmpty()) {
      return;
    }
    Long[] arr = ids.toArray(Long[]::new);
    String[] outcomes = new String[arr.length];
    java.util.Arrays.fill(outcomes, outcome);
    String[] nexts = new String[arr.length];
    java.util.Arrays.fill(nexts, node);
    steps(tx, arr, node, outcomes, nexts, now);
  }

  private static void steps(
      DSLContext tx, Long[] ids, String node, String[] outcomes, String[] nexts, Instant now) {
    tx.execute(
        "insert into journey_step (entry_id, node, at, outcome, next)"
            + " select t.id, ?, ?, t.o, t.nx from unnest(?::bigint[], ?::text[], ?::text[]) as t(id, o, nx)",
        node,
        at(now),
        ids,
        outcomes,
        nexts);
  }

  /**
   * People enter at {@code start} of {@code version} now (due at once), unless the re-entry policy
   * or the baseline keeps them out; a person already inside is skipped by the unique index. {@code
   * seqs} is each one's event cursor at entry. Returns the ids of the new entries.
   */
  static List<Long> enter(
      DSLContext tx,
      String journey,
      int version,
      String start,
      List<String> persons,
      List<String> events,
      List<Long> seqs,
      io.customerstudio.query.journey.JourneyDefinition.Reentry reentry,
      boolean baseline,
      Instant now) {
    if (persons.isEmpty()) {
      return List.of();
    }
    StringBuilder sql =
        new StringBuilder(
            "insert into journey_entry (journey_key, version, person, entered_at, entry_event,"
                + " node, phase, since, since_seq, entry_seq, due)"
                + " select ?, ?, t.p, ?, t.ev, ?, 'arrive', ?, t.sq, t.sq, ?"
                + " from unnest(?::text[], ?::text[], ?::bigint[]) as t(p, ev, sq) where true");
    List<Object> binds = new ArrayList<>();
    binds.add(journey);
    binds.add(version);
    binds.add(at(now));
    binds.add(start);
    binds.add(at(now));
    binds.add(at(now));
    binds.add(persons.toArray(String[]::new));
    binds.add(events.toArray(String[]::new));
    binds.add(seqs.toArray(Long[]::new));
    switch (reentry.policy()) {
      case NEVER -> {
        sql.append(
            " and not exists (select 1 from journey_entry x where x.journey_key = ? and x.person = t.p)");
        binds.add(journey);
      }
      case COOLDOWN -> {
        sql.append(
            " and not exists (select 1 from journey_entry x where x.journey_key = ?"
                + " and x.person = t.p and x.entered_at > ?)");
        binds.add(journey);
        binds.add(at(now.minus(reentry.cooldown())));
      }
      case AFTER_EXIT -> {}
    }
    if (baseline) {
      sql.append(
          " and not exists (select 1 from journey_baseline b where b.journey_key = ? and b.person = t.p)");
      binds.add(journey);
    }
    sql.append(" on conflict (journey_key, person) where node is not null do nothing returning id");
    return tx.fetch(sql.toString(), binds.toArray()).map(r -> r.get(0, Long.class));
  }

  /** The first column of the first row, or null. */
  static <T> T value(DSLContext db, Class<T> type, String sql, Object... binds) {
    Record r = db.fetchOne(sql, binds);
    return r == null ? null : r.get(0, type);
  }

  /**
   * People enter without an entry event (an audience entry, a simulation's population), all at
   * event cursor {@code seq}; their arrivals are counted. Returns how many entered.
   */
  static int enterAll(
      DSLContext tx,
      String journey,
      int version,
      io.customerstudio.query.journey.JourneyDefinition definition,
      List<String> persons,
      long seq,
      boolean baseline,
      Instant now) {
    List<String> events = java.util.Collections.nCopies(persons.size(), null);
    List<Long> seqs = java.util.Collections.nCopies(persons.size(), seq);
    int entered =
        enter(
                tx,
                journey,
                version,
                definition.start(),
                persons,
                events,
                seqs,
                definition.reentry(),
                baseline,
                now)
            .size();
    Counts counts = new Counts();
    counts.add(version, definition.start(), "", entered);
    counts.write(tx, journey);
    return entered;
  }
}
