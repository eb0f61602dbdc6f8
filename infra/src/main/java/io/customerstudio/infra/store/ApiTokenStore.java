package io.customerstudio.infra.store;

import static io.customerstudio.infra.store.jooq.Tables.API_TOKEN;
import static io.customerstudio.infra.store.jooq.Tables.APP_USER;

import java.time.Clock;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Optional;
import org.jooq.DSLContext;
import org.jooq.Record;

/**
 * API tokens, stored as SHA-256 digests: the plain token exists only in the response that created
 * it. A token acts as its user, with that user's role.
 */
public class ApiTokenStore {

  public record ApiToken(
      long id,
      String name,
      String prefix,
      String username,
      String createdBy,
      OffsetDateTime createdAt,
      OffsetDateTime expiresAt,
      OffsetDateTime lastUsedAt,
      OffsetDateTime revokedAt) {

    public boolean active(OffsetDateTime now) {
      return revokedAt == null && (expiresAt == null || expiresAt.isAfter(now));
    }
  }

  private final DSLContext db;
  private final Clock clock;

  public ApiTokenStore(DSLContext db, Clock clock) {
    this.db = db;
    this.clock = clock;
  }

  public ApiToken create(
      String name,
      String tokenHash,
      String prefix,
      long userId,
      String createdBy,
      OffsetDateTime expiresAt) {
    long id =
        db.insertInto(API_TOKEN)
            .set(API_TOKEN.NAME, name)
            .set(API_TOKEN.TOKEN_HASH, tokenHash)
            .set(API_TOKEN.TOKEN_PREFIX, prefix)
            .set(API_TOKEN.USER_ID, userId)
            .set(API_TOKEN.CREATED_BY, createdBy)
            .set(API_TOKEN.CREATED_AT, OffsetDateTime.now(clock))
            .set(API_TOKEN.EXPIRES_AT, expiresAt)
            .returning(API_TOKEN.ID)
            .fetchSingle()
            .getId();
    return find(id).orElseThrow();
  }

  public Optional<ApiToken> find(long id) {
    return select().where(API_TOKEN.ID.eq(id)).fetchOptional().map(ApiTokenStore::toToken);
  }

  public List<ApiToken> list() {
    return select().orderBy(API_TOKEN.CREATED_AT.desc()).fetch().map(ApiTokenStore::toToken);
  }

  /**
   * The username a live (not revoked, not expired, enabled user) token acts as, recording its use.
   */
  public Optional<String> authenticate(String tokenHash) {
    OffsetDateTime now = OffsetDateTime.now(clock);
    Optional<org.jooq.Record2<Long, String>> row =
        db.select(API_TOKEN.ID, APP_USER.USERNAME)
            .from(API_TOKEN)
            .join(APP_USER)
            .on(APP_USER.ID.eq(API_TOKEN.USER_ID))
            .where(API_TOKEN.TOKEN_HASH.eq(tokenHash))
            .and(API_TOKEN.REVOKED_AT.isNull())
            .and(API_TOKEN.EXPIRES_AT.isNull().or(API_TOKEN.EXPIRES_AT.gt(now)))
            .and(APP_USER.ENABLED.isTrue())
            .fetchOptional();
    row.ifPresent(
        r ->
            db.update(API_TOKEN)
                .set(API_TOKEN.LAST_USED_AT, now)
                .where(API_TOKEN.ID.eq(r.value1()))
                .execute());
    return row.map(org.jooq.Record2::value2);
  }

  /** Revokes a token; false when it does not exist or was already revoked. */
  public boolean revoke(long id) {
    return db.update(API_TOKEN)
            .set(API_TOKEN.REVOKED_AT, OffsetDateTime.now(clock))
            .where(API_TOKEN.ID.eq(id))
            .and(API_TOKEN.REVOKED_AT.isNull())
            .execute()
        == 1;
  }

  private org.jooq.SelectOnConditionStep<Record> select() {
    return db.select(API_TOKEN.fields())
        .select(APP_USER.USERNAME)
        .from(API_TOKEN)
        .join(APP_USER)
        .on(APP_USER.ID.eq(API_TOKEN.USER_ID));
  }

  private static ApiToken toToken(Record r) {
    return new ApiToken(
        r.get(API_TOKEN.ID),
        r.get(API_TOKEN.NAME),
        r.get(API_TOKEN.TOKEN_PREFIX),
        r.get(APP_USER.USERNAME),
        r.get(API_TOKEN.CREATED_BY),
        r.get(API_TOKEN.CREATED_AT),
        r.get(API_TOKEN.EXPIRES_AT),
        r.get(API_TOKEN.LAST_USED_AT),
        r.get(API_TOKEN.REVOKED_AT));
  }
}
