package io.customerstudio.activities.sync;

import io.customerstudio.infra.store.AudienceStore;
import io.customerstudio.infra.store.RunStore;
import io.customerstudio.infra.store.SnapshotStore;
import io.customerstudio.infra.store.SyncMode;
import io.customerstudio.infra.store.SyncStore;
import io.customerstudio.infra.workspace.Workspace;
import io.customerstudio.query.audience.AudienceDefinition;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

/**
 * The membership step and snapshots: a run's members go into the audience's enter/exit log (at the
 * time the warehouse evaluated them, with the definition version) and, if the sync keeps them, a
 * snapshot; an on-demand snapshot evaluates the audience now. Safe to repeat.
 */
final class MembershipRecorder {

  private final RunContext ctx;

  MembershipRecorder(RunContext ctx) {
    this.ctx = ctx;
  }

  void record(String runId) {
    RunStore.Run run = ctx.run(runId);
    SyncStore.Sync sync = ctx.sync(run.sync());
    Instant evaluated =
        run.evaluatedAt() != null ? run.evaluatedAt().toInstant() : run.startedAt().toInstant();
    ctx.membership.recordMembership(
        sync.audience(), run.audienceVersion(), runId, RunTables.runTable(runId), evaluated);
    if (sync.snapshots()
        && ctx.snapshots.snapshots(sync.audience()).stream()
            .noneMatch(s -> runId.equals(s.runId()))) {
      long snapshot =
          ctx.snapshots.addSnapshot(
              sync.audience(), run.audienceVersion(), runId, run.members(), "sync " + sync.key());
      ctx.membership.snapshot(snapshot, RunTables.runTable(runId));
    }
  }

  /** Evaluates the audience now and keeps its member keys as a snapshot (and in the log). */
  SnapshotStore.Snapshot snapshot(String audienceKey, String user) {
    return snapshot(audienceKey, user, ctx.workspace.engine());
  }

  /**
   * As above, evaluated by {@code engine}: a restricted user's engine keeps only her rows, and such
   * a partial evaluation is not written to the audience's enter/exit log (it would mark everyone
   * else as having left).
   */
  SnapshotStore.Snapshot snapshot(
      String audienceKey, String user, io.customerstudio.query.engine.AudienceEngine engine) {
    AudienceStore.Audience audience =
        ctx.audiences
            .find(audienceKey)
            .orElseThrow(() -> new SyncException("audience " + audienceKey + " does not exist"));
    AudienceDefinition definition = Workspace.definition(audience.definition());
    Instant now = ctx.clock.instant();
    String key = ctx.memberKey(definition);
    String id = "snap" + UUID.randomUUID().toString().replace("-", "");
    try {
      SyncSpec keyOnly = new SyncSpec(SyncMode.UPSERT, List.of(), new SyncSpec.Field(key, "key"));
      Instant evaluated = ctx.tables.now();
      long members =
          ctx.tables.materialize(
              id, engine.memberQuery(definition, "$.definition", now, List.of(key)), key, keyOnly);
      if (!engine.restricted()) {
        ctx.membership.recordMembership(
            audienceKey, audience.version(), null, RunTables.runTable(id), evaluated);
      }
      long snapshotId =
          ctx.snapshots.addSnapshot(audienceKey, audience.version(), null, members, user);
      ctx.membership.snapshot(snapshotId, RunTables.runTable(id));
      return ctx.snapshots.snapshot(snapshotId).orElseThrow();
    } finally {
      ctx.tables.dropRun(id);
    }
  }
}
