package io.customerstudio.infra.store;

import static io.customerstudio.infra.store.jooq.Tables.AUDIENCE;
import static io.customerstudio.infra.store.jooq.Tables.AUDIENCE_SNAPSHOT;
import static io.customerstudio.infra.store.jooq.Tables.AUDIENCE_VERSION;
import static io.customerstudio.infra.store.jooq.Tables.SYNC;
import static io.customerstudio.infra.store.jooq.Tables.SYNC_RUN;

import io.customerstudio.infra.store.jooq.tables.records.AudienceRecord;
import java.time.Clock;
import java.time.OffsetDateTime;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jooq.Condition;
import org.jooq.DSLContext;
import org.jooq.impl.DSL;

/**
 * Saved audiences with versioned definitions: every save appends a version, the audience row
 * carries the current one. Saves of one audience serialize on its row lock.
 */
public class AudienceStore {

  public record Audience(
      long id,
      String key,
      String name,
      String description,
      String parentModel,
      String definition,
      int version,
      Long lastCount,
      OffsetDateTime lastCountedAt,
      String createdBy,
      OffsetDateTime createdAt,
      String updatedBy,
      OffsetDateTime updatedAt) {}

  public record Version(
      int version,
      String name,
      String description,
      String definition,
      String createdBy,
      OffsetDateTime createdAt) {}

  /** What a save writes. */
  public record Draft(String name, String description, String parentModel, String definition) {}

  /** Where a known size of an audience was counted. */
  public enum SizeSource {
    /** The builder's (or the API's) exact count of the saved definition. */
    LIVE_COUNT,
    /** A sync run's materialized members. */
    SYNC_RUN,
    /** A membership snapshot. */
    SNAPSHOT
  }

  /**
   * A size counted for an audience's current definition: how many, when, where ({@code detail}
   * names the sync of a sync run).
   */
  public record KnownSize(long members, OffsetDateTime at, SizeSource source, String detail) {}

  private final DSLContext db;
  private final Clock clock;

  public AudienceStore(DSLContext db, Clock clock) {
    this.db = db;
    this.clock = clock;
  }

  public Optional<Audience> find(String key) {
    return db.selectFrom(AUDIENCE)
        .where(AUDIENCE.AUDIENCE_KEY.eq(key))
        .fetchOptional()
        .map(AudienceStore::toAudience);
  }

  /** All audiences, or those whose key or name contains {@code search} (any case). */
  public List<Audience> list(String search) {
    Condition where =
        search == null || search.isBlank()
            ? DSL.noCondition()
            : AUDIENCE
                .AUDIENCE_KEY
                .containsIgnoreCase(search)
                .or(AUDIENCE.NAME.containsIgnoreCase(search));
    return db.selectFrom(AUDIENCE)
        .where(where)
        .orderBy(AUDIENCE.NAME)
        .fetch()
        .map(AudienceStore::toAudience);
  }

  public long count() {
    return db.fetchCount(AUDIENCE);
  }

  public Audience create(String key, Draft draft, String user) {
    OffsetDateTime now = OffsetDateTime.now(clock);
    return db.transactionResult(
        tx -> {
          AudienceRecord r =
              tx.dsl()
                  .insertInto(AUDIENCE)
                  .set(AUDIENCE.AUDIENCE_KEY, key)
                  .set(AUDIENCE.NAME, draft.name())
                  .set(AUDIENCE.DESCRIPTION, draft.description())
                  .set(AUDIENCE.PARENT_MODEL, draft.parentModel())
                  .set(AUDIENCE.DEFINITION, draft.definition())
                  .set(AUDIENCE.CURRENT_VERSION, 1)
                  .set(AUDIENCE.CREATED_BY, user)
                  .set(AUDIENCE.CREATED_AT, now)
                  .set(AUDIENCE.UPDATED_BY, user)
                  .set(AUDIENCE.UPDATED_AT, now)
                  .returning()
                  .fetchSingle();
          insertVersion(tx.dsl(), r.getId(), 1, draft, user, now);
          return toAudience(r);
        });
  }

  /** Saves a new version; empty when the audience does not exist. */
  public Optional<Audience> update(String key, Draft draft, String user) {
    OffsetDateTime now = OffsetDateTime.now(clock);
    return db.transactionResult(
        tx -> {
          Optional<AudienceRecord> current =
              tx.dsl()
                  .selectFrom(AUDIENCE)
                  .where(AUDIENCE.AUDIENCE_KEY.eq(key))
                  .forUpdate()
                  .fetchOptional();
          if (current.isEmpty()) {
            return Optional.empty();
          }
          int next = current.get().getCurrentVersion() + 1;
          boolean sameDefinition = current.get().getDefinition().equals(draft.definition());
          AudienceRecord r =
              tx.dsl()
                  .update(AUDIENCE)
                  .set(AUDIENCE.NAME, draft.name())
                  .set(AUDIENCE.DESCRIPTION, draft.description())
                  .set(AUDIENCE.PARENT_MODEL, draft.parentModel())
                  .set(AUDIENCE.DEFINITION, draft.definition())
                  .set(AUDIENCE.CURRENT_VERSION, next)
                  .set(AUDIENCE.UPDATED_BY, user)
                  .set(AUDIENCE.UPDATED_AT, now)
                  // a size computed for another definition would mislead
                  .set(AUDIENCE.LAST_COUNT, sameDefinition ? current.get().getLastCount() : null)
                  .set(
                      AUDIENCE.LAST_COUNTED_AT,
                      sameDefinition ? current.get().getLastCountedAt() : null)
                  .where(AUDIENCE.ID.eq(current.get().getId()))
                  .returning()
                  .fetchSingle();
          insertVersion(tx.dsl(), r.getId(), next, draft, user, now);
          return Optional.of(toAudience(r));
        });
  }

  public List<Version> versions(String key) {
    return versions(key, DSL.noCondition());
  }

  /** One version of the audience's definition. */
  public Optional<Version> version(String key, int version) {
    return versions(key, AUDIENCE_VERSION.VERSION.eq(version)).stream().findFirst();
  }

  private List<Version> versions(String key, Condition which) {
    return db.select(AUDIENCE_VERSION.fields())
        .from(AUDIENCE_VERSION)
        .join(AUDIENCE)
        .on(AUDIENCE.ID.eq(AUDIENCE_VERSION.AUDIENCE_ID))
        .where(AUDIENCE.AUDIENCE_KEY.eq(key), which)
        .orderBy(AUDIENCE_VERSION.VERSION.desc())
        .fetch(
            r ->
                new Version(
                    r.get(AUDIENCE_VERSION.VERSION),
                    r.get(AUDIENCE_VERSION.NAME),
                    r.get(AUDIENCE_VERSION.DESCRIPTION),
                    r.get(AUDIENCE_VERSION.DEFINITION),
                    r.get(AUDIENCE_VERSION.CREATED_BY),
                    r.get(AUDIENCE_VERSION.CREATED_AT)));
  }

  public boolean delete(String key) {
    return db.deleteFrom(AUDIENCE).where(AUDIENCE.AUDIENCE_KEY.eq(key)).execute() == 1;
  }

  /** Records a size computed for the current definition. */
  public void recordCount(String key, String definition, long count) {
    db.update(AUDIENCE)
        .set(AUDIENCE.LAST_COUNT, count)
        .set(AUDIENCE.LAST_COUNTED_AT, OffsetDateTime.now(clock))
        .where(AUDIENCE.AUDIENCE_KEY.eq(key))
        .and(AUDIENCE.DEFINITION.eq(definition))
        .execute();
  }

  /**
   * For every audience with one, the newest size counted for its current definition: its last live
   * count, its syncs' latest run that materialized its members, or its latest snapshot, whichever
   * is newest. A count of another version's definition is skipped (it would mislead); a version
   * saved with the same definition (a rename) still counts.
   */
  public Map<String, KnownSize> knownSizes() {
    Map<String, KnownSize> newest = new HashMap<>();
    for (Audience a : list(null)) {
      if (a.lastCount() != null && a.lastCountedAt() != null) {
        newest.put(
            a.key(), new KnownSize(a.lastCount(), a.lastCountedAt(), SizeSource.LIVE_COUNT, null));
      }
    }
    // members are counted when a run materializes, its first step: the run's start is their time
    db.selectDistinct(SYNC.AUDIENCE_KEY, SYNC_RUN.MEMBERS, SYNC_RUN.STARTED_AT, SYNC.NAME)
        .on(SYNC.AUDIENCE_KEY)
        .from(SYNC_RUN)
        .join(SYNC)
        .on(SYNC.SYNC_KEY.eq(SYNC_RUN.SYNC_KEY))
        .join(AUDIENCE)
        .on(AUDIENCE.AUDIENCE_KEY.eq(SYNC.AUDIENCE_KEY))
        .join(AUDIENCE_VERSION)
        .on(
            AUDIENCE_VERSION.AUDIENCE_ID.eq(AUDIENCE.ID),
            AUDIENCE_VERSION.VERSION.eq(SYNC_RUN.AUDIENCE_VERSION))
        .where(
            SYNC_RUN.MEMBERS.isNotNull(),
            SYNC_RUN.STARTED_AT.isNotNull(),
            AUDIENCE_VERSION.DEFINITION.eq(AUDIENCE.DEFINITION))
        .orderBy(SYNC.AUDIENCE_KEY, SYNC_RUN.STARTED_AT.desc())
        .fetch()
        .forEach(
            r ->
                keepNewest(
                    newest,
                    r.value1(),
                    new KnownSize(r.value2(), r.value3(), SizeSource.SYNC_RUN, r.value4())));
    db.selectDistinct(
            AUDIENCE_SNAPSHOT.AUDIENCE_KEY, AUDIENCE_SNAPSHOT.MEMBERS, AUDIENCE_SNAPSHOT.TAKEN_AT)
        .on(AUDIENCE_SNAPSHOT.AUDIENCE_KEY)
        .from(AUDIENCE_SNAPSHOT)
        .join(AUDIENCE)
        .on(AUDIENCE.AUDIENCE_KEY.eq(AUDIENCE_SNAPSHOT.AUDIENCE_KEY))
        .join(AUDIENCE_VERSION)
        .on(
            AUDIENCE_VERSION.AUDIENCE_ID.eq(AUDIENCE.ID),
            AUDIENCE_VERSION.VERSION.eq(AUDIENCE_SNAPSHOT.AUDIENCE_VERSION))
        .where(AUDIENCE_VERSION.DEFINITION.eq(AUDIENCE.DEFINITION))
        .orderBy(AUDIENCE_SNAPSHOT.AUDIENCE_KEY, AUDIENCE_SNAPSHOT.TAKEN_AT.desc())
        .fetch()
        .forEach(
            r ->
                keepNewest(
                    newest,
                    r.value1(),
                    new KnownSize(r.value2(), r.value3(), SizeSource.SNAPSHOT, null)));
    return newest;
  }

  private static void keepNewest(Map<String, KnownSize> newest, String key, KnownSize size) {
    KnownSize known = newest.get(key);
    if (known == null || size.at().isAfter(known.at())) {
      newest.put(key, size);
    }
  }

  private static void insertVersion(
      DSLContext db, long id, int version, Draft d, String user, OffsetDateTime now) {
    db.insertInto(AUDIENCE_VERSION)
        .set(AUDIENCE_VERSION.AUDIENCE_ID, id)
        .set(AUDIENCE_VERSION.VERSION, version)
        .set(AUDIENCE_VERSION.NAME, d.name())
        .set(AUDIENCE_VERSION.DESCRIPTION, d.description())
        .set(AUDIENCE_VERSION.DEFINITION, d.definition())
        .set(AUDIENCE_VERSION.CREATED_BY, user)
        .set(AUDIENCE_VERSION.CREATED_AT, now)
        .execute();
  }

  private static Audience toAudience(AudienceRecord r) {
    return new Audience(
        r.getId(),
        r.getAudienceKey(),
        r.getName(),
        r.getDescription(),
        r.getParentModel(),
        r.getDefinition(),
        r.getCurrentVersion(),
        r.getLastCount(),
        r.getLastCountedAt(),
        r.getCreatedBy(),
        r.getCreatedAt(),
        r.getUpdatedBy(),
        r.getUpdatedAt());
  }
}
