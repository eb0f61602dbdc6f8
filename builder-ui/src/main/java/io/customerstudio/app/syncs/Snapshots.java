package io.customerstudio.app.syncs;

import io.customerstudio.activities.sync.MembershipLog;
import io.customerstudio.activities.sync.SyncEngine;
import io.customerstudio.app.errors.NotFoundException;
import io.customerstudio.infra.store.AudienceStore;
import io.customerstudio.infra.store.SnapshotStore;
import io.customerstudio.query.ValidationException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.List;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVPrinter;
import org.springframework.stereotype.Service;

/**
 * An audience's membership over time: snapshots (taken on demand, or after every run of a sync that
 * keeps them), their member keys as CSV, and who was a member at a time, from the enter/exit log
 * every run and snapshot writes.
 */
@Service
public class Snapshots {

  /** The members of an audience kept at one moment: how many, of which version, by whom. */
  public record Snapshot(
      long id,
      String audience,
      int audienceVersion,
      String runId,
      long members,
      String takenBy,
      OffsetDateTime takenAt) {

    static Snapshot of(SnapshotStore.Snapshot s) {
      return new Snapshot(
          s.id(),
          s.audience(),
          s.audienceVersion(),
          s.runId(),
          s.members(),
          s.takenBy(),
          s.takenAt());
    }
  }

  public record Membership(
      String audience, Instant at, long members, List<MembershipLog.Membership> page) {}

  private final SnapshotStore snapshots;
  private final AudienceStore audiences;
  private final SyncEngine engine;

  public Snapshots(SnapshotStore snapshots, AudienceStore audiences, SyncEngine engine) {
    this.snapshots = snapshots;
    this.audiences = audiences;
    this.engine = engine;
  }

  /**
   * Evaluates the audience now and keeps its members.
   *
   * @throws NotFoundException when there is no such audience
   * @throws ValidationException when its definition no longer compiles
   */
  public Snapshot take(String audience, String user) {
    findAudience(audience);
    return Snapshot.of(engine.snapshot(audience, user));
  }

  /** The audience's snapshots, newest first. */
  public List<Snapshot> list(String audience) {
    findAudience(audience);
    return snapshots.snapshots(audience).stream().map(Snapshot::of).toList();
  }

  public Snapshot find(long id) {
    return snapshots
        .snapshot(id)
        .map(Snapshot::of)
        .orElseThrow(() -> new NotFoundException("Snapshot " + id + " not found"));
  }

  /** A snapshot's member keys as CSV with a "key" header, streamed to {@code out}. */
  public void writeCsv(long id, Writer out) throws IOException {
    find(id);
    try (CSVPrinter csv = CSVFormat.RFC4180.builder().setHeader("key").get().print(out)) {
      engine
          .membershipLog()
          .snapshotMembers(
              id,
              key -> {
                try {
                  csv.printRecord(key);
                } catch (IOException e) {
                  throw new UncheckedIOException(e);
                }
              });
    }
  }

  /** Who was a member at {@code at}: how many, and a page of them (at most 1,000). */
  public Membership membership(String audience, Instant at, int offset, int limit) {
    findAudience(audience);
    MembershipLog log = engine.membershipLog();
    return new Membership(
        audience,
        at,
        log.membershipCountAt(audience, at),
        log.membershipAt(audience, at, Math.max(0, offset), Math.max(1, Math.min(limit, 1000))));
  }

  private void findAudience(String key) {
    if (audiences.find(key).isEmpty()) {
      throw new NotFoundException("Audience '" + key + "' not found");
    }
  }
}
