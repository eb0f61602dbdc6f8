package io.customerstudio.infra.store;

import static io.customerstudio.infra.store.jooq.Tables.PRIORITY_LIST;
import static io.customerstudio.infra.store.jooq.Tables.PRIORITY_LIST_MEMBER;

import io.customerstudio.infra.store.jooq.tables.records.PriorityListRecord;
import java.time.Clock;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jooq.DSLContext;

/**
 * Priority lists (governance spec, section 2): audiences of one parent in rank order, highest
 * first. "An audience is in at most one list" is the member table's primary key, so two concurrent
 * saves that claim one audience cannot both succeed; a save replaces a list's audiences in one
 * transaction, so a run never sees half a reorder.
 */
public class PriorityListStore {

  /** A list; {@code audiences} in rank order, highest first. */
  public record PriorityList(
      String key,
      String name,
      String parent,
      List<String> audiences,
      String createdBy,
      OffsetDateTime createdAt,
      String updatedBy,
      OffsetDateTime updatedAt) {

    public PriorityList {
      audiences = List.copyOf(audiences);
    }
  }

  /** What a save writes; {@code audiences} highest first. */
  public record Draft(String name, String parent, List<String> audiences) {

    public Draft {
      audiences = List.copyOf(audiences);
    }
  }

  private final DSLContext db;
  private final Clock clock;

  public PriorityListStore(DSLContext db, Clock clock) {
    this.db = db;
    this.clock = clock;
  }

  /** Every list, by name. */
  public List<PriorityList> list() {
    Map<String, List<String>> members = new LinkedHashMap<>();
    db.selectFrom(PRIORITY_LIST_MEMBER)
        .orderBy(PRIORITY_LIST_MEMBER.LIST_KEY, PRIORITY_LIST_MEMBER.RANK)
        .forEach(
            m ->
                members
                    .computeIfAbsent(m.getListKey(), k -> new ArrayList<>())
                    .add(m.getAudienceKey()));
    return db.selectFrom(PRIORITY_LIST)
        .orderBy(PRIORITY_LIST.NAME, PRIORITY_LIST.LIST_KEY)
        .fetch()
        .map(r -> toList(r, members.getOrDefault(r.getListKey(), List.of())));
  }

  public Optional<PriorityList> find(String key) {
    return find(db, key);
  }

  /** The list that ranks {@code audienceKey}, if any: what a sync run of that audience applies. */
  public Optional<PriorityList> containing(String audienceKey) {
    return db.select(PRIORITY_LIST_MEMBER.LIST_KEY)
        .from(PRIORITY_LIST_MEMBER)
        .where(PRIORITY_LIST_MEMBER.AUDIENCE_KEY.eq(audienceKey))
        .fetchOptional(PRIORITY_LIST_MEMBER.LIST_KEY)
        .flatMap(this::find);
  }

  /**
   * Creates a list.
   *
   * @throws org.jooq.exception.IntegrityConstraintViolationException when the key is taken or an
   *     audience is in another list (callers check both first; this is the race's last word)
   */
  public PriorityList create(String key, Draft draft, String user) {
    OffsetDateTime now = OffsetDateTime.now(clock);
    return db.transactionResult(
        tx -> {
          tx.dsl()
              .insertInto(PRIORITY_LIST)
              .set(PRIORITY_LIST.LIST_KEY, key)
              .set(PRIORITY_LIST.NAME, draft.name())
              .set(PRIORITY_LIST.PARENT_MODEL, draft.parent())
              .set(PRIORITY_LIST.CREATED_BY, user)
              .set(PRIORITY_LIST.CREATED_AT, now)
              .set(PRIORITY_LIST.UPDATED_BY, user)
              .set(PRIORITY_LIST.UPDATED_AT, now)
              .execute();
          insertMembers(tx.dsl(), key, draft.audiences());
          return find(tx.dsl(), key).orElseThrow();
        });
  }

  /**
   * Renames, re-parents and replaces the audiences of a list, all or nothing; empty when there is
   * no such list.
   */
  public Optional<PriorityList> update(String key, Draft draft, String user) {
    OffsetDateTime now = OffsetDateTime.now(clock);
    return db.transactionResult(
        tx -> {
          int updated =
              tx.dsl()
                  .update(PRIORITY_LIST)
                  .set(PRIORITY_LIST.NAME, draft.name())
                  .set(PRIORITY_LIST.PARENT_MODEL, draft.parent())
                  .set(PRIORITY_LIST.UPDATED_BY, user)
                  .set(PRIORITY_LIST.UPDATED_AT, now)
                  .where(PRIORITY_LIST.LIST_KEY.eq(key))
                  .execute();
          if (updated == 0) {
            return Optional.empty();
          }
          tx.dsl()
              .deleteFrom(PRIORITY_LIST_MEMBER)
              .where(PRIORITY_LIST_MEMBER.LIST_KEY.eq(key))
              .execute();
          insertMembers(tx.dsl(), key, draft.audiences());
          return find(tx.dsl(), key);
        });
  }

  /** Deletes a list and its ranks; false when there was none. */
  public boolean delete(String key) {
    return db.deleteFrom(PRIORITY_LIST).where(PRIORITY_LIST.LIST_KEY.eq(key)).execute() == 1;
  }

  private static void insertMembers(DSLContext tx, String key, List<String> audiences) {
    var insert =
        tx.insertInto(
            PRIORITY_LIST_MEMBER,
            PRIORITY_LIST_MEMBER.AUDIENCE_KEY,
            PRIORITY_LIST_MEMBER.LIST_KEY,
            PRIORITY_LIST_MEMBER.RANK);
    for (int rank = 0; rank < audiences.size(); rank++) {
      insert = insert.values(audiences.get(rank), key, rank);
    }
    if (!audiences.isEmpty()) {
      insert.execute();
    }
  }

  private static Optional<PriorityList> find(DSLContext db, String key) {
    return db.selectFrom(PRIORITY_LIST)
        .where(PRIORITY_LIST.LIST_KEY.eq(key))
        .fetchOptional()
        .map(
            r ->
                toList(
                    r,
                    db.select(PRIORITY_LIST_MEMBER.AUDIENCE_KEY)
                        .from(PRIORITY_LIST_MEMBER)
                        .where(PRIORITY_LIST_MEMBER.LIST_KEY.eq(key))
                        .orderBy(PRIORITY_LIST_MEMBER.RANK)
                        .fetch(PRIORITY_LIST_MEMBER.AUDIENCE_KEY)));
  }

  private static PriorityList toList(PriorityListRecord r, List<String> audiences) {
    return new PriorityList(
        r.getListKey(),
        r.getName(),
        r.getParentModel(),
        audiences,
        r.getCreatedBy(),
        r.getCreatedAt(),
        r.getUpdatedBy(),
        r.getUpdatedAt());
  }
}
