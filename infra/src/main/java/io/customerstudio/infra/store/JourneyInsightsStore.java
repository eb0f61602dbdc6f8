package io.customerstudio.infra.store;

import static io.customerstudio.infra.store.jooq.Tables.JOURNEY_COUNT;
import static io.customerstudio.infra.store.jooq.Tables.JOURNEY_ENTRY;
import static io.customerstudio.infra.store.jooq.Tables.JOURNEY_HOLDOUT;
import static io.customerstudio.infra.store.jooq.Tables.JOURNEY_SEND;
import static io.customerstudio.infra.store.jooq.Tables.JOURNEY_STEP;

import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import org.jooq.Condition;
import org.jooq.DSLContext;
import org.jooq.impl.DSL;

/**
 * Reads what the journey engine wrote (counters, entries, steps, sends, the holdout log) for the
 * journeys API and pages: read-only, every value a bind, every list paged or streamed. The engine
 * keeps {@code journey_count} in the same transaction as the moves, so stats never scan steps.
 */
public class JourneyInsightsStore {

  /** A counter: arrivals at {@code node} (edge {@code ""}) or departures by {@code edge}. */
  public record Count(String node, String edge, long n) {}

  /** Someone at a node now. */
  public record AtNode(String person, OffsetDateTime since, int version) {}

  /** One step of an entry's path; {@code next} is null when the person left the journey. */
  public record Step(String node, OffsetDateTime at, String outcome, String next) {}

  /** One entry of a person, with its steps in order; {@code node} is null once exited. */
  public record Entry(
      long id,
      int version,
      OffsetDateTime enteredAt,
      OffsetDateTime exitedAt,
      String exitReason,
      String node,
      List<Step> steps) {}

  /** A row of the holdout log. */
  public record Holdout(
      long id, String person, String node, String group, int version, OffsetDateTime at) {}

  /** A person's send at a send node. */
  public record Send(
      long entry,
      String person,
      String node,
      int version,
      String destination,
      String status,
      String reason,
      OffsetDateTime createdAt,
      OffsetDateTime sentAt) {}

  private final DSLContext db;

  public JourneyInsightsStore(DSLContext db) {
    this.db = db;
  }

  /** The counters of one version, or summed over every version when {@code version} is null. */
  public List<Count> counts(String journey, Integer version) {
    Condition where = JOURNEY_COUNT.JOURNEY_KEY.eq(journey);
    if (version != null) {
      where = where.and(JOURNEY_COUNT.VERSION.eq(version));
    }
    var n = DSL.sum(JOURNEY_COUNT.N);
    return db.select(JOURNEY_COUNT.NODE, JOURNEY_COUNT.EDGE, n)
        .from(JOURNEY_COUNT)
        .where(where)
        .groupBy(JOURNEY_COUNT.NODE, JOURNEY_COUNT.EDGE)
        .orderBy(JOURNEY_COUNT.NODE, JOURNEY_COUNT.EDGE)
        .fetch(r -> new Count(r.value1(), r.value2(), r.value3().longValue()));
  }

  /** How many people are at each node now (of one version, or of all when null). */
  public Map<String, Long> current(String journey, Integer version) {
    Condition where = JOURNEY_ENTRY.JOURNEY_KEY.eq(journey).and(JOURNEY_ENTRY.NODE.isNotNull());
    if (version != null) {
      where = where.and(JOURNEY_ENTRY.VERSION.eq(version));
    }
    Map<String, Long> out = new LinkedHashMap<>();
    db.select(JOURNEY_ENTRY.NODE, DSL.count())
        .from(JOURNEY_ENTRY)
        .where(where)
        .groupBy(JOURNEY_ENTRY.NODE)
        .forEach(r -> out.put(r.value1(), r.value2().longValue()));
    return out;
  }

  /** Entries into the journey (of one version, or of all when null), exited or not. */
  public long entries(String journey, Integer version) {
    Condition where = JOURNEY_ENTRY.JOURNEY_KEY.eq(journey);
    if (version != null) {
      where = where.and(JOURNEY_ENTRY.VERSION.eq(version));
    }
    return db.fetchCount(JOURNEY_ENTRY, where);
  }

  /** People inside the journey now, all nodes together. */
  public long inside(String journey) {
    return db.fetchCount(
        JOURNEY_ENTRY, JOURNEY_ENTRY.JOURNEY_KEY.eq(journey).and(JOURNEY_ENTRY.NODE.isNotNull()));
  }

  /** Per journey: entries so far, and people inside now. */
  public record Totals(long entered, long inside) {}

  /** Every journey's totals that has had an entry (a journey without is absent). */
  public Map<String, Totals> totals() {
    Map<String, Totals> out = new LinkedHashMap<>();
    db.select(
            JOURNEY_ENTRY.JOURNEY_KEY,
            DSL.count(),
            DSL.count().filterWhere(JOURNEY_ENTRY.NODE.isNotNull()))
        .from(JOURNEY_ENTRY)
        .groupBy(JOURNEY_ENTRY.JOURNEY_KEY)
        .forEach(r -> out.put(r.value1(), new Totals(r.value2(), r.value3())));
    return out;
  }

  /**
   * A page of the people at a node now, by person key after {@code after} (null: from the start).
   */
  public List<AtNode> atNode(String journey, String node, String after, int limit) {
    Condition where = JOURNEY_ENTRY.JOURNEY_KEY.eq(journey).and(JOURNEY_ENTRY.NODE.eq(node));
    if (after != null) {
      where = where.and(JOURNEY_ENTRY.PERSON.gt(after));
    }
    return db.select(JOURNEY_ENTRY.PERSON, JOURNEY_ENTRY.SINCE, JOURNEY_ENTRY.VERSION)
        .from(JOURNEY_ENTRY)
        .where(where)
        .orderBy(JOURNEY_ENTRY.PERSON)
        .limit(limit)
        .fetch(r -> new AtNode(r.value1(), utc(r.value2()), r.value3()));
  }

  /** Every entry of a person into the journey, oldest first, each with its steps in order. */
  public List<Entry> path(String journey, String person) {
    var entries =
        db.selectFrom(JOURNEY_ENTRY)
            .where(JOURNEY_ENTRY.JOURNEY_KEY.eq(journey), JOURNEY_ENTRY.PERSON.eq(person))
            .orderBy(JOURNEY_ENTRY.ID)
            .fetch();
    if (entries.isEmpty()) {
      return List.of();
    }
    Map<Long, List<Step>> steps = new LinkedHashMap<>();
    db.selectFrom(JOURNEY_STEP)
        .where(JOURNEY_STEP.ENTRY_ID.in(entries.getValues(JOURNEY_ENTRY.ID)))
        .orderBy(JOURNEY_STEP.ENTRY_ID, JOURNEY_STEP.ID)
        .forEach(
            s ->
                steps
                    .computeIfAbsent(s.getEntryId(), k -> new ArrayList<>())
                    .add(new Step(s.getNode(), utc(s.getAt()), s.getOutcome(), s.getNext())));
    return entries.map(
        e ->
            new Entry(
                e.getId(),
                e.getVersion(),
                utc(e.getEnteredAt()),
                utc(e.getExitedAt()),
                e.getExitReason(),
                e.getNode(),
                List.copyOf(steps.getOrDefault(e.getId(), List.of()))));
  }

  /**
   * The position (id) of a person's latest row in the holdout log under the same filter, to page on
   * from; empty when the person is not in it.
   */
  public Optional<Long> holdoutPosition(String journey, String node, String person) {
    return Optional.ofNullable(
        db.select(DSL.max(JOURNEY_HOLDOUT.ID))
            .from(JOURNEY_HOLDOUT)
            .where(holdouts(journey, node), JOURNEY_HOLDOUT.PERSON.eq(person))
            .fetchOne(0, Long.class));
  }

  /** A page of the holdout log, oldest first (by id), after the row {@code afterId} (null: all). */
  public List<Holdout> holdouts(String journey, String node, Long afterId, int limit) {
    Condition where = holdouts(journey, node);
    if (afterId != null) {
      where = where.and(JOURNEY_HOLDOUT.ID.gt(afterId));
    }
    return db.selectFrom(JOURNEY_HOLDOUT)
        .where(where)
        .orderBy(JOURNEY_HOLDOUT.ID)
        .limit(limit)
        .fetch(this::holdout);
  }

  /**
   * Every row of the holdout log (of a node, or all), oldest first, through a server-side cursor:
   * memory stays flat whatever the log's size. Returns how many.
   */
  public long streamHoldouts(String journey, String node, Consumer<Holdout> sink) {
    return db.transactionResult(
        tx -> {
          long n = 0;
          try (var cursor =
              tx.dsl()
                  .selectFrom(JOURNEY_HOLDOUT)
                  .where(holdouts(journey, node))
                  .orderBy(JOURNEY_HOLDOUT.ID)
                  .fetchSize(10_000)
                  .fetchLazy()) {
            for (var r : cursor) {
              sink.accept(holdout(r));
              n++;
            }
          }
          return n;
        });
  }

  /**
   * A page of the journey's sends, oldest entry first, then by node; {@code after} is the last
   * row's entry and node (null: from the start). Filters optional.
   */
  public List<Send> sends(
      String journey, String node, String status, Long afterEntry, String afterNode, int limit) {
    Condition where = JOURNEY_SEND.JOURNEY_KEY.eq(journey);
    if (node != null) {
      where = where.and(JOURNEY_SEND.NODE.eq(node));
    }
    if (status != null) {
      where = where.and(JOURNEY_SEND.STATUS.eq(status));
    }
    if (afterEntry != null) {
      where =
          where.and(
              DSL.row(JOURNEY_SEND.ENTRY_ID, JOURNEY_SEND.NODE)
                  .gt(afterEntry, afterNode == null ? "" : afterNode));
    }
    return db.selectFrom(JOURNEY_SEND)
        .where(where)
        .orderBy(JOURNEY_SEND.ENTRY_ID, JOURNEY_SEND.NODE)
        .limit(limit)
        .fetch(
            r ->
                new Send(
                    r.getEntryId(),
                    r.getPerson(),
                    r.getNode(),
                    r.getVersion(),
                    r.getDestination(),
                    r.getStatus(),
                    r.getReason(),
                    utc(r.getCreatedAt()),
                    utc(r.getSentAt())));
  }

  private static Condition holdouts(String journey, String node) {
    Condition where = JOURNEY_HOLDOUT.JOURNEY_KEY.eq(journey);
    return node == null ? where : where.and(JOURNEY_HOLDOUT.NODE.eq(node));
  }

  private Holdout holdout(
      io.customerstudio.infra.store.jooq.tables.records.JourneyHoldoutRecord r) {
    return new Holdout(
        r.getId(), r.getPerson(), r.getNode(), r.getGrp(), r.getVersion(), utc(r.getAt()));
  }

  private static OffsetDateTime utc(OffsetDateTime t) {
    return t == null ? null : t.withOffsetSameInstant(ZoneOffset.UTC);
  }
}
