package io.customerstudio.infra.store;

import static io.customerstudio.infra.store.jooq.Tables.JOURNEY;
import static io.customerstudio.infra.store.jooq.Tables.JOURNEY_VERSION;

import java.time.Clock;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.jooq.DSLContext;

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

  public Optional<Journey> find(String key) {
    return db.selectFrom(JOURNEY)
        .where(JOURNEY.JOURNEY_KEY.eq(key))
        .fetchOptional()
        .map(
            r ->
                new Journey(
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
                    r.getUpdatedAt()));
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
