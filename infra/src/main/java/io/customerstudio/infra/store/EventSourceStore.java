package io.customerstudio.infra.store;

import static io.customerstudio.infra.store.jooq.Tables.EVENT_SOURCE;

import io.customerstudio.infra.store.jooq.tables.records.EventSourceRecord;
import java.time.Clock;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Optional;
import org.jooq.DSLContext;

/**
 * Event sources: the signed webhook door of the event stream. The secret is stored as the caller
 * sealed it (SecretBox), like sync trigger secrets; this class never sees it in the clear.
 */
public class EventSourceStore {

  /** A source as stored; {@code secret} is sealed. */
  public record Source(
      String key, String name, String secret, String createdBy, OffsetDateTime createdAt) {}

  private final DSLContext db;
  private final Clock clock;

  public EventSourceStore(DSLContext db, Clock clock) {
    this.db = db;
    this.clock = clock;
  }

  public List<Source> list() {
    return db.selectFrom(EVENT_SOURCE)
        .orderBy(EVENT_SOURCE.SOURCE_KEY)
        .fetch(EventSourceStore::toSource);
  }

  public Optional<Source> find(String key) {
    return db.selectFrom(EVENT_SOURCE)
        .where(EVENT_SOURCE.SOURCE_KEY.eq(key))
        .fetchOptional()
        .map(EventSourceStore::toSource);
  }

  /** Creates it; false when the key is taken. */
  public boolean create(String key, String name, String sealedSecret, String user) {
    return db.insertInto(EVENT_SOURCE)
            .set(EVENT_SOURCE.SOURCE_KEY, key)
            .set(EVENT_SOURCE.NAME, name)
            .set(EVENT_SOURCE.SECRET, sealedSecret)
            .set(EVENT_SOURCE.CREATED_BY, user)
            .set(EVENT_SOURCE.CREATED_AT, OffsetDateTime.now(clock))
            .onConflictDoNothing()
            .execute()
        == 1;
  }

  /** Replaces the secret; false when there is no such source. */
  public boolean setSecret(String key, String sealedSecret) {
    return db.update(EVENT_SOURCE)
            .set(EVENT_SOURCE.SECRET, sealedSecret)
            .where(EVENT_SOURCE.SOURCE_KEY.eq(key))
            .execute()
        == 1;
  }

  public boolean delete(String key) {
    return db.deleteFrom(EVENT_SOURCE).where(EVENT_SOURCE.SOURCE_KEY.eq(key)).execute() == 1;
  }

  private static Source toSource(EventSourceRecord r) {
    return new Source(
        r.getSourceKey(), r.getName(), r.getSecret(), r.getCreatedBy(), r.getCreatedAt());
  }
}
