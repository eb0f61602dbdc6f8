package io.customerstudio.infra.store;

import static io.customerstudio.infra.store.jooq.Tables.AUDIENCE_SPLIT;

import java.time.Clock;
import java.time.OffsetDateTime;
import java.util.Optional;
import org.jooq.DSLContext;

/**
 * Audiences' splits: salt, groups (the API's JSON array) and the optional stratum. A split goes
 * with its audience (deleted with it).
 */
public class SplitStore {

  public record StoredSplit(
      String audience,
      String salt,
      String groups,
      String stratifyBy,
      String updatedBy,
      OffsetDateTime updatedAt) {}

  private final DSLContext db;
  private final Clock clock;

  public SplitStore(DSLContext db, Clock clock) {
    this.db = db;
    this.clock = clock;
  }

  public Optional<StoredSplit> find(String audience) {
    return db.selectFrom(AUDIENCE_SPLIT)
        .where(AUDIENCE_SPLIT.AUDIENCE_KEY.eq(audience))
        .fetchOptional()
        .map(
            r ->
                new StoredSplit(
                    r.getAudienceKey(),
                    r.getSalt(),
                    r.getGroups(),
                    r.getStratifyBy(),
                    r.getUpdatedBy(),
                    r.getUpdatedAt()));
  }

  /** Creates or replaces the audience's split. */
  public void put(String audience, String salt, String groups, String stratifyBy, String user) {
    OffsetDateTime now = OffsetDateTime.now(clock);
    db.insertInto(AUDIENCE_SPLIT)
        .set(AUDIENCE_SPLIT.AUDIENCE_KEY, audience)
        .set(AUDIENCE_SPLIT.SALT, salt)
        .set(AUDIENCE_SPLIT.GROUPS, groups)
        .set(AUDIENCE_SPLIT.STRATIFY_BY, stratifyBy)
        .set(AUDIENCE_SPLIT.UPDATED_BY, user)
        .set(AUDIENCE_SPLIT.UPDATED_AT, now)
        .onConflict(AUDIENCE_SPLIT.AUDIENCE_KEY)
        .doUpdate()
        .set(AUDIENCE_SPLIT.SALT, salt)
        .set(AUDIENCE_SPLIT.GROUPS, groups)
        .set(AUDIENCE_SPLIT.STRATIFY_BY, stratifyBy)
        .set(AUDIENCE_SPLIT.UPDATED_BY, user)
        .set(AUDIENCE_SPLIT.UPDATED_AT, now)
        .execute();
  }

  public boolean delete(String audience) {
    return db.deleteFrom(AUDIENCE_SPLIT).where(AUDIENCE_SPLIT.AUDIENCE_KEY.eq(audience)).execute()
        == 1;
  }
}
