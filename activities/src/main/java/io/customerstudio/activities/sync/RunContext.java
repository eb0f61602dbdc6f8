package io.customerstudio.activities.sync;

import io.customerstudio.activities.delivery.DestinationRuntime;
import io.customerstudio.activities.delivery.DestinationRuntimes;
import io.customerstudio.infra.store.AudienceStore;
import io.customerstudio.infra.store.BatchLedger;
import io.customerstudio.infra.store.DestinationStore;
import io.customerstudio.infra.store.RowErrors;
import io.customerstudio.infra.store.RunStore;
import io.customerstudio.infra.store.SnapshotStore;
import io.customerstudio.infra.store.SyncStore;
import io.customerstudio.infra.workspace.Workspace;
import io.customerstudio.query.audience.AudienceDefinition;
import java.time.Clock;

/**
 * What every step of a run looks up: the run, its sync, the audience version it pinned, the
 * members' key, the destination's shared runtime. A missing one is a {@link SyncException}: the run
 * cannot go on, and retrying will not change that.
 */
final class RunContext {

  final SyncStore syncs;
  final RunStore runs;
  final BatchLedger ledger;
  final RowErrors rowErrors;
  final SnapshotStore snapshots;
  final AudienceStore audiences;
  final DestinationStore destinations;
  final DestinationRuntimes runtimes;
  final Workspace workspace;
  final RunTables tables;
  final DeliveredState state;
  final MembershipLog membership;
  final Clock clock;

  RunContext(
      SyncStore syncs,
      RunStore runs,
      BatchLedger ledger,
      RowErrors rowErrors,
      SnapshotStore snapshots,
      AudienceStore audiences,
      DestinationStore destinations,
      DestinationRuntimes runtimes,
      Workspace workspace,
      RunTables tables,
      DeliveredState state,
      MembershipLog membership,
      Clock clock) {
    this.syncs = syncs;
    this.runs = runs;
    this.ledger = ledger;
    this.rowErrors = rowErrors;
    this.snapshots = snapshots;
    this.audiences = audiences;
    this.destinations = destinations;
    this.runtimes = runtimes;
    this.workspace = workspace;
    this.tables = tables;
    this.state = state;
    this.membership = membership;
    this.clock = clock;
  }

  RunStore.Run run(String runId) {
    return runs.find(runId).orElseThrow(() -> new SyncException("run " + runId + " not found"));
  }

  SyncStore.Sync sync(String key) {
    return syncs.find(key).orElseThrow(() -> new SyncException("sync " + key + " not found"));
  }

  AudienceStore.Audience audience(SyncStore.Sync sync) {
    return audiences
        .find(sync.audience())
        .orElseThrow(() -> new SyncException("audience " + sync.audience() + " no longer exists"));
  }

  /** The definition the run pinned on its first attempt. */
  String definition(SyncStore.Sync sync, int version) {
    return audiences
        .version(sync.audience(), version)
        .map(AudienceStore.Version::definition)
        .orElseThrow(
            () -> new SyncException("audience " + sync.audience() + " has no version " + version));
  }

  /** The primary key of the audience's model: what identifies a member. */
  String memberKey(AudienceDefinition definition) {
    return workspace
        .catalog()
        .model(definition.parent())
        .orElseThrow(
            () -> new SyncException("model " + definition.parent() + " is not in the schema"))
        .def()
        .primaryKey();
  }

  /** Whether the sync's identifier is the audience model's primary key: unique and never null. */
  boolean keyIsMember(SyncStore.Sync sync, String definition) {
    return memberKey(Workspace.definition(definition))
        .equals(SyncSpec.of(sync).identifier().from());
  }

  DestinationRuntime destination(SyncStore.Sync sync) {
    DestinationStore.Destination d =
        destinations
            .find(sync.destination())
            .orElseThrow(
                () -> new SyncException("destination " + sync.destination() + " no longer exists"));
    return runtimes.of(d);
  }

  /**
   * Applies the accepted rows of every batch the ledger has and the state does not yet: after a
   * slice, at commit, and before an ended run's tables go, so what was delivered is never sent
   * again, whatever stopped the run.
   */
  void advanceState(String runId) {
    // the ledger first: most calls (a commit after the last slice, an end) find nothing to do
    var batches = ledger.unadvancedBatches(runId);
    if (batches.isEmpty()) {
      return;
    }
    RunStore.Run run = run(runId);
    if (run.batchSize() == null || !tables.exists(RunTables.diffTable(runId))) {
      return;
    }
    state.advance(
        runId,
        run.sync(),
        run.batchSize(),
        batches,
        rowErrors.rejectedKeys(runId),
        clock.instant());
    ledger.markAdvanced(runId, batches);
  }
}
