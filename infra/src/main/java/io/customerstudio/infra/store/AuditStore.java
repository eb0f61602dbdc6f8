package io.customerstudio.infra.store;

import static io.customerstudio.infra.store.jooq.Tables.AUDIT_LOG;

import io.customerstudio.infra.store.jooq.tables.records.AuditLogRecord;
import java.time.Clock;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import org.jooq.Condition;
import org.jooq.DSLContext;
import org.jooq.impl.DSL;

/**
 * The audit log: every change to a governed thing, who made it and when, with its JSON before and
 * after. Append-only: nothing here updates or deletes an entry. Callers strip secrets first.
 */
public class AuditStore {

  /** One change. {@code before} is null for a creation, {@code after} for a deletion. */
  public record Entry(
      long id,
      OffsetDateTime at,
      String actor,
      String entity,
      String key,
      String action,
      String before,
      String after) {}

  /**
   * What to list: each filter is optional (null). {@code afterId} pages by the last id seen, {@code
   * afterAt} keeps entries made after that moment; {@code offset} skips entries (for a grid's
   * pages); {@code newestFirst} reverses the order (by id).
   */
  public record Query(
      String entity,
      String key,
      String actor,
      Long afterId,
      Instant afterAt,
      int offset,
      int limit,
      boolean newestFirst) {

    /** Oldest first from the start, no filter. */
    public static Query all(int limit) {
      return new Query(null, null, null, null, null, 0, limit, false);
    }
  }

  private final DSLContext db;
  private final Clock clock;

  public AuditStore(DSLContext db, Clock clock) {
    this.db = db;
    this.clock = clock;
  }

  public Entry append(
      String actor, String entity, String key, String action, String before, String after) {
    return entry(
        db.insertInto(AUDIT_LOG)
            .set(AUDIT_LOG.AT, OffsetDateTime.now(clock))
            .set(AUDIT_LOG.ACTOR, actor)
            .set(AUDIT_LOG.ENTITY, entity)
            .set(AUDIT_LOG.ENTITY_KEY, key)
            .set(AUDIT_LOG.ACTION, action)
            .set(AUDIT_LOG.BEFORE, before)
            .set(AUDIT_LOG.AFTER, after)
            .returning()
            .fetchSingle());
  }

  /** Entries in the order they were made (by id), or newest first, filtered. */
  public List<Entry> list(Query q) {
    List<Condition> where = new ArrayList<>();
    if (q.entity() != null) {
      where.add(AUDIT_LOG.ENTITY.eq(q.entity()));
    }
    if (q.key() != null) {
      where.add(AUDIT_LOG.ENTITY_KEY.eq(q.key()));
    }
    if (q.actor() != null) {
      where.add(AUDIT_LOG.ACTOR.eq(q.actor()));
    }
    if (q.afterId() != null) {
      where.add(AUDIT_LOG.ID.gt(q.afterId()));
    }
    if (q.afterAt() != null) {
      where.add(AUDIT_LOG.AT.gt(q.afterAt().atOffset(ZoneOffset.UTC)));
    }
    return db.selectFrom(AUDIT_LOG)
        .where(DSL.and(where))
        .orderBy(q.newestFirst() ? AUDIT_LOG.ID.desc() : AUDIT_LOG.ID.asc())
        .offset(q.offset())
        .limit(q.limit())
        .fetch(AuditStore::entry);
  }

  private static Entry entry(AuditLogRecord r) {
    return new Entry(
        r.getId(),
        r.getAt(),
        r.getActor(),
        r.getEntity(),
        r.getEntityKey(),
        r.getAction(),
        r.getBefore(),
        r.getAfter());
  }
}
