package io.customerstudio.infra.store;

import static io.customerstudio.infra.store.jooq.Tables.SYNC;

import io.customerstudio.infra.store.jooq.tables.records.SyncRecord;
import java.time.Clock;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Optional;
import org.jooq.Condition;
import org.jooq.DSLContext;
import org.jooq.Field;
import org.jooq.UpdateSetMoreStep;
import org.jooq.impl.DSL;

/**
 * Sync definitions. {@code mapping}, {@code identifier} and {@code schedule} are the API's JSON;
 * {@code triggerSecret} is sealed by the caller (SecretBox).
 *
 * <p>It also keeps where each schedule stands, so that a restart neither shifts nor drops a tick:
 * {@code scheduleAnchor} is when the schedule in force was set (on create, on an edit that changes
 * the schedule, and on enabling the sync; an unchanged schedule saved again keeps it), and {@code
 * lastTickAt} is when a tick last queued a run ({@link #recordTick}).
 */
public class SyncStore {

  public record Sync(
      String key,
      String name,
      String audience,
      String destination,
      SyncMode mode,
      String mapping,
      String identifier,
      String schedule,
      boolean enabled,
      boolean snapshots,
      String triggerSecret,
      String createdBy,
      OffsetDateTime createdAt,
      String updatedBy,
      OffsetDateTime updatedAt,
      OffsetDateTime scheduleAnchor,
      OffsetDateTime lastTickAt) {}

  /** What a save writes; the trigger secret is set on create and by a rotation. */
  public record Draft(
      String name,
      String audience,
      String destination,
      SyncMode mode,
      String mapping,
      String identifier,
      String schedule,
      boolean enabled,
      boolean snapshots) {}

  /**
   * Which split groups the sync delivers (a JSON array; null: every group that is not a holdout)
   * and which subsets it requires (a JSON object; null: none).
   */
  public record Governance(String splitGroups, String subsets) {
    public static final Governance NONE = new Governance(null, null);
  }

  private final DSLContext db;
  private final Clock clock;

  public SyncStore(DSLContext db, Clock clock) {
    this.db = db;
    this.clock = clock;
  }

  public Optional<Sync> find(String key) {
    return db.selectFrom(SYNC).where(SYNC.SYNC_KEY.eq(key)).fetchOptional().map(SyncStore::toSync);
  }

  public Governance governance(String key) {
    return db.select(SYNC.SPLIT_GROUPS, SYNC.SUBSETS)
        .from(SYNC)
        .where(SYNC.SYNC_KEY.eq(key))
        .fetchOptional(r -> new Governance(r.value1(), r.value2()))
        .orElse(Governance.NONE);
  }

  /** Sets the split groups the sync delivers (a JSON array, or null for the default). */
  public boolean setSplitGroups(String key, String splitGroups) {
    return db.update(SYNC)
            .set(SYNC.SPLIT_GROUPS, splitGroups)
            .where(SYNC.SYNC_KEY.eq(key))
            .execute()
        == 1;
  }

  public List<Sync> list() {
    return db.selectFrom(SYNC).orderBy(SYNC.NAME).fetch().map(SyncStore::toSync);
  }

  public List<Sync> enabled() {
    return db.selectFrom(SYNC)
        .where(SYNC.ENABLED)
        .orderBy(SYNC.SYNC_KEY)
        .fetch()
        .map(SyncStore::toSync);
  }

  /** The keys of the syncs that deliver this audience. */
  public List<String> usingAudience(String audience) {
    return db.select(SYNC.SYNC_KEY)
        .from(SYNC)
        .where(SYNC.AUDIENCE_KEY.eq(audience))
        .orderBy(SYNC.SYNC_KEY)
        .fetch(SYNC.SYNC_KEY);
  }

  /** The keys of the syncs that deliver to this destination. */
  public List<String> usingDestination(String destination) {
    return db.select(SYNC.SYNC_KEY)
        .from(SYNC)
        .where(SYNC.DESTINATION_KEY.eq(destination))
        .orderBy(SYNC.SYNC_KEY)
        .fetch(SYNC.SYNC_KEY);
  }

  /** Creates it; false when the key is taken. */
  public boolean create(String key, Draft d, String sealedTriggerSecret, String user) {
    OffsetDateTime now = OffsetDateTime.now(clock);
    return db.insertInto(SYNC)
            .set(SYNC.SYNC_KEY, key)
            .set(SYNC.NAME, d.name())
            .set(SYNC.AUDIENCE_KEY, d.audience())
            .set(SYNC.DESTINATION_KEY, d.destination())
            .set(SYNC.MODE, d.mode().wire())
            .set(SYNC.MAPPING, d.mapping())
            .set(SYNC.IDENTIFIER, d.identifier())
            .set(SYNC.SCHEDULE, d.schedule())
            .set(SYNC.ENABLED, d.enabled())
            .set(SYNC.SNAPSHOTS, d.snapshots())
            .set(SYNC.TRIGGER_SECRET, sealedTriggerSecret)
            .set(SYNC.CREATED_BY, user)
            .set(SYNC.CREATED_AT, now)
            .set(SYNC.UPDATED_BY, user)
            .set(SYNC.UPDATED_AT, now)
            .set(SYNC.SCHEDULE_ANCHOR, now)
            .onConflictDoNothing()
            .execute()
        == 1;
  }

  /**
   * Replaces its settings; false when there is no such sync. A changed schedule, or enabling the
   * sync, anchors the schedule now; the same schedule saved again keeps its anchor.
   */
  public boolean update(String key, Draft d, String user) {
    OffsetDateTime now = OffsetDateTime.now(clock);
    Condition reanchor = SYNC.SCHEDULE.ne(d.schedule());
    if (d.enabled()) {
      reanchor = reanchor.or(SYNC.ENABLED.isFalse());
    }
    return db.update(SYNC)
            .set(SYNC.NAME, d.name())
            .set(SYNC.AUDIENCE_KEY, d.audience())
            .set(SYNC.DESTINATION_KEY, d.destination())
            .set(SYNC.MODE, d.mode().wire())
            .set(SYNC.MAPPING, d.mapping())
            .set(SYNC.IDENTIFIER, d.identifier())
            .set(SYNC.SCHEDULE, d.schedule())
            .set(SYNC.ENABLED, d.enabled())
            .set(SYNC.SNAPSHOTS, d.snapshots())
            .set(SYNC.UPDATED_BY, user)
            .set(SYNC.UPDATED_AT, now)
            .set(SYNC.SCHEDULE_ANCHOR, anchoredIf(reanchor, now))
            .where(SYNC.SYNC_KEY.eq(key))
            .execute()
        == 1;
  }

  /** Enabling a disabled sync anchors its schedule now: ticks while it was off are not owed. */
  public boolean setEnabled(String key, boolean enabled, String user) {
    OffsetDateTime now = OffsetDateTime.now(clock);
    UpdateSetMoreStep<SyncRecord> update =
        db.update(SYNC)
            .set(SYNC.ENABLED, enabled)
            .set(SYNC.UPDATED_BY, user)
            .set(SYNC.UPDATED_AT, now);
    if (enabled) {
      update = update.set(SYNC.SCHEDULE_ANCHOR, anchoredIf(SYNC.ENABLED.isFalse(), now));
    }
    return update.where(SYNC.SYNC_KEY.eq(key)).execute() == 1;
  }

  /**
   * Records that a tick queued its run now: every tick due up to now is served. Idempotent, and the
   * time only moves forward.
   */
  public void recordTick(String key) {
    OffsetDateTime now = OffsetDateTime.now(clock);
    db.update(SYNC)
        .set(SYNC.LAST_TICK_AT, now)
        .where(
            SYNC.SYNC_KEY.eq(key), SYNC.LAST_TICK_AT.isNull().or(SYNC.LAST_TICK_AT.lessThan(now)))
        .execute();
  }

  /**
   * The anchor after an update: {@code now} where {@code reanchor} holds, the old one elsewhere.
   */
  private static Field<OffsetDateTime> anchoredIf(Condition reanchor, OffsetDateTime now) {
    return DSL.when(reanchor, DSL.val(now)).otherwise(SYNC.SCHEDULE_ANCHOR);
  }

  public boolean setTriggerSecret(String key, String sealedTriggerSecret) {
    return db.update(SYNC)
            .set(SYNC.TRIGGER_SECRET, sealedTriggerSecret)
            .where(SYNC.SYNC_KEY.eq(key))
            .execute()
        == 1;
  }

  /** Deletes it with its run history. */
  /**
   * The subsets this sync requires (governance spec 4: other rows are excluded with reason
   * "subset"); null when it requires none, or when there is no such sync.
   */
  public java.util.Map<String, List<String>> subsets(String key) {
    return SubsetCategoryStore.readSelection(
        db.select(SYNC.SUBSETS).from(SYNC).where(SYNC.SYNC_KEY.eq(key)).fetchOne(SYNC.SUBSETS));
  }

  /** Sets the required subsets (null: none); false when there is no such sync. */
  public boolean setSubsets(String key, java.util.Map<String, List<String>> subsets) {
    return db.update(SYNC)
            .set(SYNC.SUBSETS, SubsetCategoryStore.writeSelection(subsets))
            .where(SYNC.SYNC_KEY.eq(key))
            .execute()
        == 1;
  }

  public boolean delete(String key) {
    return db.deleteFrom(SYNC).where(SYNC.SYNC_KEY.eq(key)).execute() == 1;
  }

  private static Sync toSync(SyncRecord r) {
    return new Sync(
        r.getSyncKey(),
        r.getName(),
        r.getAudienceKey(),
        r.getDestinationKey(),
        SyncMode.of(r.getMode()),
        r.getMapping(),
        r.getIdentifier(),
        r.getSchedule(),
        r.getEnabled(),
        r.getSnapshots(),
        r.getTriggerSecret(),
        r.getCreatedBy(),
        r.getCreatedAt(),
        r.getUpdatedBy(),
        r.getUpdatedAt(),
        r.getScheduleAnchor(),
        r.getLastTickAt());
  }
}
