package io.customerstudio.infra.store;

import static io.customerstudio.infra.store.jooq.Tables.AUDIENCE_SNAPSHOT;

import io.customerstudio.infra.store.jooq.tables.records.AudienceSnapshotRecord;
import java.time.Clock;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Optional;
import org.jooq.DSLContext;

/**
 * Audience snapshots: who took one, when, of which definition version and run, how many members.
 * The member keys themselves live in the warehouse ({@code cs_sync.snapshot_member}).
 */
public class SnapshotStore {

  private final DSLContext db;
  private final Clock clock;

  public SnapshotStore(DSLContext db, Clock clock) {
    this.db = db;
    this.clock = clock;
  }

  public record Snapshot(
      long id,
      String audience,
      int audienceVersion,
      String runId,
      long members,
      String takenBy,
      OffsetDateTime takenAt) {}

  public long addSnapshot(
      String audience, int audienceVersion, String runId, long members, String takenBy) {
    return db.insertInto(AUDIENCE_SNAPSHOT)
        .set(AUDIENCE_SNAPSHOT.AUDIENCE_KEY, audience)
        .set(AUDIENCE_SNAPSHOT.AUDIENCE_VERSION, audienceVersion)
        .set(AUDIENCE_SNAPSHOT.RUN_ID, runId)
        .set(AUDIENCE_SNAPSHOT.MEMBERS, members)
        .set(AUDIENCE_SNAPSHOT.TAKEN_BY, takenBy)
        .set(AUDIENCE_SNAPSHOT.TAKEN_AT, OffsetDateTime.now(clock))
        .returning(AUDIENCE_SNAPSHOT.ID)
        .fetchOne()
        .getId();
  }

  public List<Snapshot> snapshots(String audience) {
    return db.selectFrom(AUDIENCE_SNAPSHOT)
        .where(AUDIENCE_SNAPSHOT.AUDIENCE_KEY.eq(audience))
        .orderBy(AUDIENCE_SNAPSHOT.TAKEN_AT.desc(), AUDIENCE_SNAPSHOT.ID.desc())
        .fetch()
        .map(SnapshotStore::toSnapshot);
  }

  public Optional<Snapshot> snapshot(long id) {
    return db.selectFrom(AUDIENCE_SNAPSHOT)
        .where(AUDIENCE_SNAPSHOT.ID.eq(id))
        .fetchOptional()
        .map(SnapshotStore::toSnapshot);
  }

  private static Snapshot toSnapshot(AudienceSnapshotRecord r) {
    return new Snapshot(
        r.getId(),
        r.getAudienceKey(),
        r.getAudienceVersion(),
        r.getRunId(),
        r.getMembers(),
        r.getTakenBy(),
        r.getTakenAt());
  }
}
