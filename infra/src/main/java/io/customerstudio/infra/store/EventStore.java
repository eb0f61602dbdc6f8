package io.customerstudio.infra.store;

import static io.customerstudio.infra.store.jooq.Tables.JOURNEY_EVENT;

import io.customerstudio.infra.store.jooq.tables.records.JourneyEventRecord;
import java.time.Clock;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import org.jooq.DSLContext;
import org.jooq.InsertValuesStep7;
import org.jooq.impl.DSL;

/**
 * The event stream journeys consume ({@code journey_event}): appends from the API and the signed
 * webhooks, and the newest events for a person to look at.
 *
 * <p>Contract of {@link #append}: one transaction, all or nothing. It first takes a
 * transaction-scoped advisory lock ({@link #APPEND_LOCK}), so appends run one after another and a
 * later {@code seq} is always committed after an earlier one: a reader that has seen {@code seq} n
 * never sees a row below n appear later, and the engine's cursor ({@code seq > cursor}) skips
 * nothing. An {@code event_id} already stored (or repeated in the batch) is skipped by {@code on
 * conflict do nothing}: idempotent, counted as a duplicate. Thread-safe; durable as the app store's
 * commits are.
 */
public class EventStore {

  /** The advisory lock key every append holds until it commits ("jevents" in ASCII). */
  static final long APPEND_LOCK = 0x6a_6576_656e_7473L;

  /** An event to append; {@code properties} is JSON object text or null. */
  public record NewEvent(
      String eventId, String person, String type, String properties, Instant occurredAt) {}

  /** What an append did: rows stored, and events whose id was known already. */
  public record Appended(int accepted, int duplicates) {}

  /** A stored event. */
  public record Event(
      long seq,
      String eventId,
      String person,
      String type,
      String properties,
      OffsetDateTime occurredAt,
      OffsetDateTime receivedAt,
      String source) {}

  private final DSLContext db;
  private final Clock clock;

  public EventStore(DSLContext db, Clock clock) {
    this.db = db;
    this.clock = clock;
  }

  /**
   * Appends the events in their order, in one transaction (see the class comment).
   *
   * @param source the event source's key, or null for the authenticated API
   */
  public Appended append(List<NewEvent> events, String source) {
    if (events.isEmpty()) {
      return new Appended(0, 0);
    }
    OffsetDateTime now = OffsetDateTime.now(clock);
    return db.transactionResult(
        tx -> {
          DSLContext t = tx.dsl();
          t.execute("select pg_advisory_xact_lock({0})", DSL.val(APPEND_LOCK));
          InsertValuesStep7<
                  JourneyEventRecord,
                  String,
                  String,
                  String,
                  String,
                  OffsetDateTime,
                  OffsetDateTime,
                  String>
              insert =
                  t.insertInto(
                      JOURNEY_EVENT,
                      JOURNEY_EVENT.EVENT_ID,
                      JOURNEY_EVENT.PERSON,
                      JOURNEY_EVENT.EVENT_TYPE,
                      JOURNEY_EVENT.PROPERTIES,
                      JOURNEY_EVENT.OCCURRED_AT,
                      JOURNEY_EVENT.RECEIVED_AT,
                      JOURNEY_EVENT.SOURCE);
          // one multi-row statement; PostgreSQL numbers the rows (seq) in the order given
          for (NewEvent e : events) {
            insert =
                insert.values(
                    e.eventId(),
                    e.person(),
                    e.type(),
                    e.properties(),
                    e.occurredAt().atOffset(ZoneOffset.UTC),
                    now,
                    source);
          }
          int stored = insert.onConflict(JOURNEY_EVENT.EVENT_ID).doNothing().execute();
          return new Appended(stored, events.size() - stored);
        });
  }

  /** The newest events first, skipping {@code offset}, at most {@code limit} (1 to 1,000). */
  public List<Event> recent(int offset, int limit) {
    return db.selectFrom(JOURNEY_EVENT)
        .orderBy(JOURNEY_EVENT.SEQ.desc())
        .offset(Math.max(0, offset))
        .limit(Math.max(1, Math.min(limit, 1000)))
        .fetch(EventStore::toEvent);
  }

  /** How many events the stream holds. */
  public long count() {
    return db.fetchCount(JOURNEY_EVENT);
  }

  private static Event toEvent(JourneyEventRecord r) {
    return new Event(
        r.getSeq(),
        r.getEventId(),
        r.getPerson(),
        r.getEventType(),
        r.getProperties(),
        r.getOccurredAt(),
        r.getReceivedAt(),
        r.getSource());
  }
}
