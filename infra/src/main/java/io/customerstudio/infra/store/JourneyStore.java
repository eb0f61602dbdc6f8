package io.customerstudio.infra.store;

import static io.customerstudio.infra.store.jooq.Tables.JOURNEY;
import static io.customerstudio.infra.store.jooq.Tables.JOURNEY_ENTRY;
import static io.customerstudio.infra.store.jooq.Tables.JOURNEY_VERSION;

import io.customerstudio.infra.store.jooq.tables.records.JourneyRecord;
import java.time.Clock;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import org.jooq.DSLContext;
import org.jooq.impl.DSL;

/**
 * Journeys' definitions and states in the app store: the draft, the published versions (immutable)
 * and the state. Who is where inside a journey is the engine's ({@code activities/journey}).
 */
public class JourneyStore {

  /** A journey's state (spec 4). The wire name is the lower-case constant name. */
  public enum State {
    DRAFT,
    LIVE,
    PAUSED,
    STOPPED;

    public String wire() {
      return name().toLowerCase(Locale.ROOT);
    }

    public static State of(String wire) {
      return valueOf(wire.toUpperCase(Locale.ROOT));
    }

    /** Whether the journey's workflow has work: people may be inside or entering. */
    public boolean running() {
      return this == LIVE || this == PAUSED;
    }
  }

  /** A journey as stored; {@code draft} is the spec's JSON document. */
  public record Journey(
      String key,
      String name,
      String parent,
      State state,
      String draft,
      Integer liveVersion,
      long unknownPeople,
      String createdBy,
      OffsetDateTime createdAt,
      String updatedBy,
      OffsetDateTime updatedAt) {}

  /** A published version. */
  public record Version(
      String journey, int version, String definition, String publishedBy, OffsetDateTime at) {}

  private final DSLContext db;
  private final Clock clock;

  public JourneyStore(DSLContext db, Clock clock) {
    this.db = db;
    this.clock = clock;
  }

  /** What a create or a draft update writes: the draft document and the fields it names. */
  public record Draft(String name, String parent, String document) {}

  /** What a publish did. */
  public record Published(int version, State state, int migrated) {}

  /** A journey's document, the draft or a published version, for finding what uses what. */
  public record Document(String journey, String name, State state, Integer version, String text) {}

  public Optional<Journey> find(String key) {
    return db.selectFrom(JOURNEY)
        .where(JOURNEY.JOURNEY_KEY.eq(key))
        .fetchOptional()
        .map(JourneyStore::journey);
  }

  /** Every journey, by name then key. */
  public List<Journey> list() {
    return db.selectFrom(JOURNEY)
        .orderBy(JOURNEY.NAME, JOURNEY.JOURNEY_KEY)
        .fetch(JourneyStore::journey);
  }

  /** Creates a journey in state draft; false when the key is taken. */
  public boolean create(String key, Draft draft, String user) {
    OffsetDateTime now = now();
    return db.insertInto(JOURNEY)
            .set(JOURNEY.JOURNEY_KEY, key)
            .set(JOURNEY.NAME, draft.name())
            .set(JOURNEY.PARENT_MODEL, draft.parent())
            .set(JOURNEY.STATE, State.DRAFT.wire())
            .set(JOURNEY.DRAFT, draft.document())
            .set(JOURNEY.CREATED_BY, user)
            .set(JOURNEY.CREATED_AT, now)
            .set(JOURNEY.UPDATED_BY, user)
            .set(JOURNEY.UPDATED_AT, now)
            .onConflictDoNothing()
            .execute()
        == 1;
  }

  /** Replaces the draft (published versions never change); false when there is no such journey. */
  public boolean updateDraft(String key, Draft draft, String user) {
    return db.update(JOURNEY)
            .set(JOURNEY.NAME, draft.name())
            .set(JOURNEY.PARENT_MODEL, draft.parent())
            .set(JOURNEY.DRAFT, draft.document())
            .set(JOURNEY.UPDATED_BY, user)
            .set(JOURNEY.UPDATED_AT, now())
            .where(JOURNEY.JOURNEY_KEY.eq(key))
            .execute()
        == 1;
  }

  /** Where the canvas draws the draft's nodes (JSON), or empty when never laid out. */
  public Optional<String> layout(String key) {
    return db.select(JOURNEY.LAYOUT)
        .from(JOURNEY)
        .where(JOURNEY.JOURNEY_KEY.eq(key))
        .fetchOptional(JOURNEY.LAYOUT);
  }

  /** Replaces where the canvas draws the draft's nodes; false when there is no such journey. */
  public boolean saveLayout(String key, String layout) {
    return db.update(JOURNEY)
            .set(JOURNEY.LAYOUT, layout)
            .where(JOURNEY.JOURNEY_KEY.eq(key))
            .execute()
        == 1;
  }

  /** Deletes a journey with its versions and entries; false when there is none. */
  public boolean delete(String key) {
    return db.transactionResult(cfg -> deleteAll(cfg.dsl(), key));
  }

  /** A rejected send: the entry and send node (its key), and the person. */
  public record RejectedSend(long entry, String node, String person) {}

  /**
   * A page of the journey's rejected sends after ({@code afterEntry}, {@code afterNode}), by entry
   * then node; of one node and of some entries only when those are non-null.
   */
  public List<RejectedSend> rejectedSends(
      String key,
      String node,
      Collection<Long> entries,
      long afterEntry,
      String afterNode,
      int limit) {
    return db.fetch(
            "select entry_id, node, person from journey_send where journey_key = ?"
                + " and status = 'rejected' and (?::text is null or node = ?::text)"
                + " and (?::bigint[] is null or entry_id = any(?::bigint[]))"
                + " and (entry_id, node) > (?, ?) order by entry_id, node limit ?",
            key,
            node,
            node,
            entries == null ? null : entries.toArray(Long[]::new),
            entries == null ? null : entries.toArray(Long[]::new),
            afterEntry,
            afterNode,
            limit)
        .map(
            r ->
                new RejectedSend(
                    r.get(0, Long.class), r.get(1, String.class), r.get(2, String.class)));
  }

  /**
   * Queues rejected sends again, in one transaction with the journey row locked against a stop:
   * each row still rejected becomes {@code retrying} with its attempt counted (the engine then
   * checks governance again and sends it under a new idempotency key), gets a {@code retried} step
   * at its node (next: the node itself, as the person does not move), and a person held at the node
   * by {@code "onFailure": "wait"} waits for the retry's outcome there. A row queued already (by a
   * concurrent call) is not queued twice.
   *
   * @return how many rows were queued, or empty when the journey is not live or paused (or gone)
   */
  public Optional<Integer> queueRetries(String key, Collection<RejectedSend> sends) {
    return db.transactionResult(
        cfg -> {
          DSLContext t = cfg.dsl();
          String state =
              t.select(JOURNEY.STATE)
                  .from(JOURNEY)
                  .where(JOURNEY.JOURNEY_KEY.eq(key))
                  .forShare()
                  .fetchOne(JOURNEY.STATE);
          if (state == null || !State.of(state).running()) {
            return Optional.<Integer>empty();
          }
          if (sends.isEmpty()) {
            return Optional.of(0);
          }
          Long[] ids = sends.stream().map(RejectedSend::entry).toArray(Long[]::new);
          String[] nodes = sends.stream().map(RejectedSend::node).toArray(String[]::new);
          var queued =
              t.fetch(
                  "update journey_send s set status = 'retrying', attempt = s.attempt + 1"
                      + " from unnest(?::bigint[], ?::text[]) as x(id, nd)"
                      + " where s.journey_key = ? and s.entry_id = x.id and s.node = x.nd"
                      + " and s.status = 'rejected' returning s.entry_id, s.node",
                  ids,
                  nodes,
                  key);
          if (queued.isEmpty()) {
            return Optional.of(0);
          }
          Long[] qIds = queued.stream().map(r -> r.get(0, Long.class)).toArray(Long[]::new);
          String[] qNodes = queued.stream().map(r -> r.get(1, String.class)).toArray(String[]::new);
          t.execute(
              "insert into journey_step (entry_id, node, at, outcome, next)"
                  + " select x.id, x.nd, ?, 'retried', x.nd from unnest(?::bigint[], ?::text[]) as x(id, nd)",
              OffsetDateTime.now(clock),
              qIds,
              qNodes);
          t.execute(
              "update journey_entry e set phase = 'send' from unnest(?::bigint[], ?::text[]) as x(id, nd)"
                  + " where e.id = x.id and e.node = x.nd and e.phase = 'failed'",
              qIds,
              qNodes);
          return Optional.of(queued.size());
        });
  }

  /**
   * Deletes a journey with everything of it: its steps and sends (which carry no foreign key, for
   * the engine's speed), then the journey, whose entries, counters and holdouts cascade.
   */
  public static boolean deleteAll(DSLContext t, String key) {
    t.execute(
        "delete from journey_step where entry_id in"
            + " (select id from journey_entry where journey_key = {0})",
        DSL.val(key));
    t.execute("delete from journey_send where journey_key = {0}", DSL.val(key));
    return t.deleteFrom(JOURNEY).where(JOURNEY.JOURNEY_KEY.eq(key)).execute() == 1;
  }

  /**
   * Publishes {@code definition} as version N+1 in one transaction: the journey row is locked, so
   * two publishes never make the same version. The state becomes live, except that a paused journey
   * stays paused. With {@code migrateTo} non-null, everyone waiting or arriving at a node whose id
   * is in it moves to the new version, due now (the engine re-arrives them there, keeping {@code
   * since}, so the time already waited counts); people at other nodes stay on their version.
   *
   * @return empty when there is no such journey or it is stopped
   */
  public Optional<Published> publish(
      String key, String definition, String user, Collection<String> migrateTo) {
    return db.transactionResult(
        cfg -> {
          var t = cfg.dsl();
          JourneyRecord j =
              t.selectFrom(JOURNEY).where(JOURNEY.JOURNEY_KEY.eq(key)).forUpdate().fetchOne();
          if (j == null || State.of(j.getState()) == State.STOPPED) {
            return Optional.<Published>empty();
          }
          Integer max =
              t.select(DSL.max(JOURNEY_VERSION.VERSION))
                  .from(JOURNEY_VERSION)
                  .where(JOURNEY_VERSION.JOURNEY_KEY.eq(key))
                  .fetchOne(0, Integer.class);
          int version = (max == null ? 0 : max) + 1;
          OffsetDateTime now = OffsetDateTime.now(clock);
          t.insertInto(JOURNEY_VERSION)
              .set(JOURNEY_VERSION.JOURNEY_KEY, key)
              .set(JOURNEY_VERSION.VERSION, version)
              .set(JOURNEY_VERSION.DEFINITION, definition)
              .set(JOURNEY_VERSION.PUBLISHED_BY, user)
              .set(JOURNEY_VERSION.PUBLISHED_AT, now)
              .execute();
          if (j.getLiveVersion() == null) {
            // the first publish: people enter by events that arrive from now on, not by the
            // stream's past. Under the append lock, so no event commits below the cursor later.
            t.execute("select pg_advisory_xact_lock({0})", DSL.val(EventStore.APPEND_LOCK));
            t.execute(
                "update journey set event_cursor = (select coalesce(max(seq), 0) from journey_event)"
                    + " where journey_key = {0}",
                DSL.val(key));
          }
          State state = State.of(j.getState()) == State.PAUSED ? State.PAUSED : State.LIVE;
          t.update(JOURNEY)
              .set(JOURNEY.LIVE_VERSION, version)
              .set(JOURNEY.STATE, state.wire())
              .set(JOURNEY.UPDATED_BY, user)
              .set(JOURNEY.UPDATED_AT, now)
              .where(JOURNEY.JOURNEY_KEY.eq(key))
              .execute();
          int migrated = 0;
          if (migrateTo != null && !migrateTo.isEmpty()) {
            migrated =
                t.update(JOURNEY_ENTRY)
                    .set(JOURNEY_ENTRY.VERSION, version)
                    .set(JOURNEY_ENTRY.PHASE, "arrive")
                    .set(JOURNEY_ENTRY.DUE, now)
                    .where(
                        JOURNEY_ENTRY.JOURNEY_KEY.eq(key),
                        JOURNEY_ENTRY.NODE.isNotNull(),
                        JOURNEY_ENTRY.NODE.in(migrateTo),
                        JOURNEY_ENTRY.PHASE.in("wait", "arrive"),
                        JOURNEY_ENTRY.VERSION.lt(version))
                    .execute();
          }
          return Optional.of(new Published(version, state, migrated));
        });
  }

  /**
   * Moves a journey to {@code to} if its state is one of {@code from} (compare-and-set, so two
   * concurrent changes never both win).
   *
   * @return whether the state changed
   */
  public boolean setState(String key, Set<State> from, State to, String user) {
    return db.update(JOURNEY)
            .set(JOURNEY.STATE, to.wire())
            .set(JOURNEY.UPDATED_BY, user)
            .set(JOURNEY.UPDATED_AT, now())
            .where(
                JOURNEY.JOURNEY_KEY.eq(key),
                JOURNEY.STATE.in(from.stream().map(State::wire).toList()))
            .execute()
        == 1;
  }

  /**
   * The drafts and every published version of the journeys that are not stopped: what a delete of
   * something they might use must look at.
   */
  public List<Document> documentsInUse() {
    List<Document> out = new ArrayList<>();
    db.selectFrom(JOURNEY)
        .where(JOURNEY.STATE.ne(State.STOPPED.wire()))
        .orderBy(JOURNEY.JOURNEY_KEY)
        .forEach(
            r ->
                out.add(
                    new Document(
                        r.getJourneyKey(),
                        r.getName(),
                        State.of(r.getState()),
                        null,
                        r.getDraft())));
    db.select(
            JOURNEY_VERSION.JOURNEY_KEY,
            JOURNEY.NAME,
            JOURNEY.STATE,
            JOURNEY_VERSION.VERSION,
            JOURNEY_VERSION.DEFINITION)
        .from(JOURNEY_VERSION)
        .join(JOURNEY)
        .on(JOURNEY.JOURNEY_KEY.eq(JOURNEY_VERSION.JOURNEY_KEY))
        .where(JOURNEY.STATE.ne(State.STOPPED.wire()))
        .orderBy(JOURNEY_VERSION.JOURNEY_KEY, JOURNEY_VERSION.VERSION)
        .forEach(
            r ->
                out.add(
                    new Document(
                        r.value1(), r.value2(), State.of(r.value3()), r.value4(), r.value5())));
    return out;
  }

  private static Journey journey(JourneyRecord r) {
    return new Journey(
        r.getJourneyKey(),
        r.getName(),
        r.getParentModel(),
        State.of(r.getState()),
        r.getDraft(),
        r.getLiveVersion(),
        r.getUnknownPeople(),
        r.getCreatedBy(),
        r.getCreatedAt(),
        r.getUpdatedBy(),
        r.getUpdatedAt());
  }

  /** The journeys whose workflow should run: live or paused. */
  public List<String> running() {
    return db.select(JOURNEY.JOURNEY_KEY)
        .from(JOURNEY)
        .where(JOURNEY.STATE.in(State.LIVE.wire(), State.PAUSED.wire()))
        .orderBy(JOURNEY.JOURNEY_KEY)
        .fetch(JOURNEY.JOURNEY_KEY);
  }

  public Optional<Version> version(String key, int version) {
    return db.selectFrom(JOURNEY_VERSION)
        .where(JOURNEY_VERSION.JOURNEY_KEY.eq(key), JOURNEY_VERSION.VERSION.eq(version))
        .fetchOptional()
        .map(
            r ->
                new Version(
                    r.getJourneyKey(),
                    r.getVersion(),
                    r.getDefinition(),
                    r.getPublishedBy(),
                    r.getPublishedAt()));
  }

  /** Every published version, oldest first. */
  public List<Version> versions(String key) {
    return db.selectFrom(JOURNEY_VERSION)
        .where(JOURNEY_VERSION.JOURNEY_KEY.eq(key))
        .orderBy(JOURNEY_VERSION.VERSION)
        .fetch(
            r ->
                new Version(
                    r.getJourneyKey(),
                    r.getVersion(),
                    r.getDefinition(),
                    r.getPublishedBy(),
                    r.getPublishedAt()));
  }

  OffsetDateTime now() {
    return OffsetDateTime.now(clock);
  }
}
