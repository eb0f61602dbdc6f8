package io.customerstudio.infra.store;

import static io.customerstudio.infra.store.jooq.Tables.AUDIT_LOG;

import java.time.Clock;
import java.time.OffsetDateTime;
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

  /** What to list: each filter is optional (null); {@code afterId} pages by the last id seen. */
  public record Query(String entity, String key, String actor, Long afterId, int limit) {}

  private final DSLContext db;
  private final Clock clock;

  public AuditStore(DSLContext db, Clock clock) {
    this.db = db;
    this.clock = clock;
  }

  public Entry append(
      String actor, String entity, String key, String action, String before, String after) {
    return db.insertInto(AUDIT_LOG)
        .set(AUDIT_LOG.AT, OffsetDateTime.now(clock))
        .set(AUDIT_LOG.ACTOR, actor)
        .set(AUDIT_LOG.ENTITY, entity)
        .set(AUDIT_LOG.ENTITY_KEY, key)
        .set(AUDIT_LOG.ACTION, action)
        .set(AUDIT_LOG.BEFORE, before)
        .set(AUDIT_LOG.AFTER, after)
        .returning()
        .fetchSingle()
        .map(
            r ->
                new Entry(
                    r.get(AUDIT_LOG.ID),
                    r.get(AUDIT_LOG.AT),
                    r.get(AUDIT_LOG.ACTOR),
                    r.get(AUDIT_LOG.ENTITY),
                    r.get(AUDIT_LOG.ENTITY_KEY),
                    r.get(AUDIT_LOG.ACTION),
                    r.get(AUDIT_LOG.BEFORE),
                    r.get(AUDIT_LOG.AFTER)));
  }

  /** Entries in the order they were made (by id), filtered, after {@code afterId}. */
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
    return db.selectFrom(AUDIT_LOG)
        .where(DSL.and(where))
        .orderBy(AUDIT_LOG.ID)
        .limit(q.limit())
        .fetch(
            r ->
                new Entry(
                    r.getId(),
                    r.getAt(),
                    r.getActor(),
                    r.getEntity(),
                    r.getEntityKey(),
                    r.getAction(),
                    r.getBefore(),
                    r.getAfter()));
  }
}
