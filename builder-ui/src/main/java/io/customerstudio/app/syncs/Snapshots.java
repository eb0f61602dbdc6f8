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
  private final io.customerstudio.infra.workspace.Workspace workspace;
  private final io.customerstudio.app.security.CurrentRestriction restriction;

  public Snapshots(
      SnapshotStore snapshots,
      AudienceStore audiences,
      SyncEngine engine,
      io.customerstudio.infra.workspace.Workspace workspace,
      io.customerstudio.app.security.CurrentRestriction restriction) {
    this.workspace = workspace;
    this.restriction = restriction;
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
    if (restriction.restricted()) {
      // only her rows are kept
      return Snapshot.of(engine.snapshot(audience, user, restriction.apply(workspace.engine())));
    }
    return Snapshot.of(engine.snapshot(audience, user));
  }

  /** The audience's snapshots, newest first. */
  public List<Snapshot> list(String audience) {
    org.jooq.Condition only = visible(audience);
    return snapshots.snapshots(audience).stream().map(s -> counted(s, only)).toList();
  }

  public Snapshot find(long id) {
    SnapshotStore.Snapshot s =
        snapshots
            .snapshot(id)
            .orElseThrow(() -> new NotFoundException("Snapshot " + id + " not found"));
    return counted(s, visible(s.audience()));
  }

  /** The snapshot with its members counted as the caller may see them. */
  private Snapshot counted(SnapshotStore.Snapshot s, org.jooq.Condition only) {
    Snapshot all = Snapshot.of(s);
    if (only == null) {
      return all;
    }
    long members = engine.membershipLog().snapshotCount(s.id(), only);
    return new Snapshot(
        all.id(),
        all.audience(),
        all.audienceVersion(),
        all.runId(),
        members,
        all.takenBy(),
        all.takenAt());
  }

  /**
   * A condition on {@code member_key}: the keys of the audience's parent the caller may see; null
   * when she may see them all.
   */
  private org.jooq.Condition visible(String audience) {
    AudienceStore.Audience a =
        audiences
            .find(audience)
            .orElseThrow(() -> new NotFoundException("Audience '" + audience + "' not found"));
    if (!restriction.restricted()) {
      return null;
    }
    return restriction
        .apply(workspace.engine())
        .visibleKeys(a.parentModel())
        .<org.jooq.Condition>map(
            keys ->
                org.jooq
                    .impl
                    .DSL
                    .field(org.jooq.impl.DSL.name("member_key"), String.class)
                    .in(keys))
        .orElse(null);
  }

  /** A snapshot's member keys as CSV with a "key" header, streamed to {@code out}. */
  public void writeCsv(long id, Writer out) throws IOException {
    csv(id).writeTo(out);
  }

  /** A CSV export, prepared as the calling user (her subsets resolved now) and written later. */
  public interface CsvExport {
    void writeTo(Writer out) throws IOException;
  }

  /**
   * {@link #writeCsv} prepared on the calling thread, for a response streamed from another thread.
   */
  public CsvExport csv(long id) {
    org.jooq.Condition only = visible(find(id).audience());
    return out -> writeCsv(id, only, out);
  }

  private void writeCsv(long id, org.jooq.Condition only, Writer out) throws IOException {
    try (CSVPrinter csv = CSVFormat.RFC4180.builder().setHeader("key").get().print(out)) {
      engine
          .membershipLog()
          .snapshotMembers(
              id,
              only == null ? org.jooq.impl.DSL.noCondition() : only,
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
    org.jooq.Condition only = visible(audience);
    org.jooq.Condition where = only == null ? org.jooq.impl.DSL.trueCondition() : only;
    MembershipLog log = engine.membershipLog();
    return new Membership(
        audience,
        at,
        log.membershipCountAt(audience, at, where),
        log.membershipAt(
            audience, at, Math.max(0, offset), Math.max(1, Math.min(limit, 1000)), where));
  }

  private void findAudience(String key) {
    if (audiences.find(key).isEmpty()) {
      throw new NotFoundException("Audience '" + key + "' not found");
    }
  }
}
