package io.customerstudio.infra.store;

import static io.customerstudio.infra.store.jooq.Tables.AUDIENCE;
import static io.customerstudio.infra.store.jooq.Tables.AUDIENCE_VERSION;

import io.customerstudio.infra.store.jooq.tables.records.AudienceRecord;
import java.time.Clock;
import java.time.OffsetDateTime;
import java.util.List;
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
