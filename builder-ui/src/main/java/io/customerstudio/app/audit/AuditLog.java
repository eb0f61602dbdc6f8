package io.customerstudio.app.audit;

import com.fasterxml.jackson.databind.JsonNode;
import io.customerstudio.app.api.Json;
import io.customerstudio.infra.store.AuditStore;
import io.customerstudio.query.ValidationException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.List;
import org.springframework.stereotype.Service;

/**
 * Reads the audit log (spec governance.md, section 8) for the API and the admin page: entries with
 * their before and after as JSON values. Writing is {@link AuditTrail}'s job; nothing here changes
 * an entry.
 */
@Service
public class AuditLog {

  public static final int DEFAULT_LIMIT = 100;
  public static final int MAX_LIMIT = 1000;

  /** One change as the API shows it; {@code before}/{@code after} are null where nothing was. */
  public record Entry(
      long id,
      OffsetDateTime at,
      String actor,
      AuditTrail.Entity entity,
      String key,
      AuditTrail.Action action,
      JsonNode before,
      JsonNode after) {}

  /**
   * What to list; every filter is optional (null). At most one of {@code afterId} (the last id of
   * the previous page) and {@code afterAt} (entries made after that moment) is given.
   */
  public record Query(
      AuditTrail.Entity entity,
      String key,
      String actor,
      Long afterId,
      Instant afterAt,
      int limit) {

    public static Query all() {
      return new Query(null, null, null, null, null, DEFAULT_LIMIT);
    }
  }

  private final AuditStore store;

  public AuditLog(AuditStore store) {
    this.store = store;
  }

  /**
   * Entries oldest first, after the cursor.
   *
   * @throws ValidationException naming {@code limit} when it is not 1 to {@value #MAX_LIMIT}
   */
  public List<Entry> list(Query q) {
    if (q.limit() < 1 || q.limit() > MAX_LIMIT) {
      throw ValidationException.of("limit", "give 1 to " + MAX_LIMIT + " (was " + q.limit() + ")");
    }
    return store
        .list(
            new AuditStore.Query(
                q.entity() == null ? null : q.entity().wire(),
                q.key(),
                q.actor(),
                q.afterId(),
                q.afterAt(),
                0,
                q.limit(),
                false))
        .stream()
        .map(AuditLog::entry)
        .toList();
  }

  /** A page of entries newest first, for a grid that pages by offset. */
  public List<Entry> newestFirst(Query q, int offset, int limit) {
    return store
        .list(
            new AuditStore.Query(
                q.entity() == null ? null : q.entity().wire(),
                q.key(),
                q.actor(),
                q.afterId(),
                q.afterAt(),
                offset,
                limit,
                true))
        .stream()
        .map(AuditLog::entry)
        .toList();
  }

  private static Entry entry(AuditStore.Entry e) {
    return new Entry(
        e.id(),
        e.at(),
        e.actor(),
        AuditTrail.Entity.of(e.entity()).orElseThrow(),
        e.key(),
        AuditTrail.Action.of(e.action()),
        e.before() == null ? null : Json.parse(e.before()),
        e.after() == null ? null : Json.parse(e.after()));
  }
}
