package io.customerstudio.activities.sync;

import io.customerstudio.activities.delivery.BatchRef;
import io.customerstudio.activities.delivery.Delivery;
import io.customerstudio.activities.delivery.DestinationRuntimes;
import io.customerstudio.infra.store.AudienceStore;
import io.customerstudio.infra.store.BatchLedger;
import io.customerstudio.infra.store.DestinationStore;
import io.customerstudio.infra.store.RowErrors;
import io.customerstudio.infra.store.RunStatus;
import io.customerstudio.infra.store.RunStore;
import io.customerstudio.infra.store.SnapshotStore;
import io.customerstudio.infra.store.SyncStore;
import io.customerstudio.infra.workspace.Workspace;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.UUID;

/**
 * The steps of a sync run, each safe to repeat, each owned by its own class: {@link RunLifecycle}
 * (begin, commit, end, retention), {@link Materializer}, {@link Differ}, {@link SyncDelivery}
 * (through the {@link Delivery} core) and {@link MembershipRecorder} (enter/exit log, snapshots);
 * plus the dry run. The Temporal activities call these; the UI and API call dry runs, snapshots and
 * state resets. Progress lives in the app store (run status, batch ledger) and the warehouse (run,
 * diff and state tables), never in memory, so a retried step or a replayed run picks up where it
 * stopped.
 */
public class SyncEngine {

  /** Where a run stands when an attempt begins. */
  public record Progress(
      boolean go,
      String sync,
      boolean materialized,
      boolean governed,
      boolean diffed,
      int batches) {}

  /** The diff's counts and how it is cut into batches. */
  public record DiffResult(long added, long changed, long removed, int batches, int batchSize) {}

  /** A dry run: the exact diff, a sample of each kind, nothing sent. */
  public record DryRun(
      long members,
      java.util.Map<String, Long> excluded,
      long added,
      long changed,
      long removed,
      List<RunTables.DiffRow> addedSample,
      List<RunTables.DiffRow> changedSample,
      List<RunTables.DiffRow> removedSample) {}

  /** A top-level condition of the audience and whether the member matches it now. */
  public record ConditionMatch(String path, boolean matched) {}

  /** The subsets a send requires and whether the member is inside them now. */
  public record SubsetAnswer(String required, boolean matched) {}

  /**
   * A consent purpose: the latest receipt's status (or NO_RECEIPT, TIE), when, whether it allows.
   */
  public record ConsentAnswer(
      String purpose, String status, java.time.OffsetDateTime at, boolean allows) {}

  /** The member's priority list and the higher-ranked audience that wins it, if any. */
  public record PriorityAnswer(String list, String winner) {}

  public record SplitAnswer(String group, boolean holdout) {}

  public record LastDelivery(String runId, java.time.OffsetDateTime at, String op) {}

  /** A result ("sent" or "suppressed") and its reason. */
  public record Decision(String result, String reason) {}

  /**
   * Why a member was sent or not (governance spec, section 7): {@code result}, {@code reason} and
   * {@code detail} are what the last governed run ({@code runId}) did; the rest is evaluated now,
   * and {@code now} is what a run starting now would decide.
   */
  public record WhyAnswer(
      boolean member,
      List<ConditionMatch> conditions,
      SubsetAnswer subset,
      List<ConsentAnswer> consent,
      Boolean rule,
      PriorityAnswer priority,
      SplitAnswer split,
      String result,
      String reason,
      String detail,
      LastDelivery lastDelivery,
      String runId,
      java.time.OffsetDateTime evaluatedAt,
      Decision now) {}

  /** What a delivery call did. */
  public record Delivered(int batches, long accepted, long rejected) {}

  /** How long rejected rows and ended runs' working tables and batch records are kept. */
  public record Retention(Duration rowErrors, Duration runs) {}

  private final RunContext ctx;
  private final RunLifecycle lifecycle;
  private final Materializer materializer;
  private final Differ differ;
  private final SyncDelivery delivery;
  private final MembershipRecorder membership;
  private final Governor governor;
  private final ExclusionLog exclusions;
  private final Why why;

  public SyncEngine(
      SyncStore syncs,
      RunStore runs,
      BatchLedger ledger,
      RowErrors rowErrors,
      SnapshotStore snapshots,
      AudienceStore audiences,
      DestinationStore destinations,
      DestinationRuntimes runtimes,
      Delivery delivery,
      Workspace workspace,
      RunTables tables,
      DeliveredState state,
      MembershipLog membershipLog,
      io.customerstudio.activities.governance.Policies policies,
      ExclusionLog exclusions,
      Retention retention,
      Clock clock) {
    this.ctx =
        new RunContext(
            syncs,
            runs,
            ledger,
            rowErrors,
            snapshots,
            audiences,
            destinations,
            runtimes,
            workspace,
            tables,
            state,
            membershipLog,
            clock);
    this.exclusions = exclusions;
    this.lifecycle = new RunLifecycle(ctx, exclusions, retention.rowErrors(), retention.runs());
    this.materializer = new Materializer(ctx, policies);
    this.governor = new Governor(ctx, policies, exclusions);
    this.differ = new Differ(ctx, governor);
    this.why = new Why(ctx, policies, exclusions, tables.dsl());
    this.delivery = new SyncDelivery(ctx, delivery);
    this.membership = new MembershipRecorder(ctx);
  }

  /** The audiences' enter/exit log and snapshot contents. */
  public MembershipLog membershipLog() {
    return ctx.membership;
  }

  public Progress begin(String runId, String workflowId) {
    return lifecycle.begin(runId, workflowId);
  }

  /** Runs the audience into the run table; returns its member count. */
  public long materialize(String runId) {
    return materializer.materialize(runId);
  }

  /**
   * Decides who of the run's members may be sent (subset, consent, rule, priority, split), logs the
   * excluded and the held out; returns the count per reason.
   */
  public java.util.Map<String, Long> govern(String runId) {
    return governor.govern(runId);
  }

  /** Why the sync sent the member or not: the last run's decision and today's details. */
  public WhyAnswer why(String syncKey, String memberKey) {
    return why.explain(syncKey, memberKey);
  }

  /** What governance excluded, kept past the run's working tables. */
  public ExclusionLog exclusions() {
    return exclusions;
  }

  /** Diffs the run against the sync's delivered state and cuts it into batches. */
  public DiffResult diff(String runId) {
    return differ.diff(runId);
  }

  /**
   * Delivers the given batches that are not yet recorded as delivered, then advances the state.
   *
   * @param holder this attempt, unique among attempts (it holds the run's delivery lease)
   * @param heartbeat tells Temporal the attempt lives; throws when it must stop
   */
  public Delivered deliver(
      String runId, List<BatchRef> batches, String holder, Runnable heartbeat) {
    return delivery.deliver(runId, batches, holder, heartbeat);
  }

  public RunStatus commit(String runId) {
    return lifecycle.commit(runId);
  }

  public void recordMembership(String runId) {
    membership.record(runId);
  }

  public void end(String runId, RunStatus status, String error) {
    lifecycle.end(runId, status, error);
  }

  /** Applies the retentions now (also done after every commit). */
  public int purge() {
    return lifecycle.purge();
  }

  /** The exact diff the next run would send, with samples, in throw-away tables; nothing sent. */
  public DryRun dryRun(String syncKey, int sample) {
    SyncStore.Sync sync = ctx.sync(syncKey);
    AudienceStore.Audience audience = ctx.audience(sync);
    String id = "dry" + UUID.randomUUID().toString().replace("-", "");
    try {
      java.time.Instant asOf = ctx.clock.instant();
      var definition = Workspace.definition(audience.definition());
      long members = materializer.into(id, sync, definition, asOf);
      java.util.Map<String, Long> excluded = governor.into(id, sync, definition, asOf, null);
      RunTables.DiffCounts c =
          ctx.tables.diff(
              id,
              sync.key(),
              sync.mode(),
              ctx.keyIsMember(sync, audience.definition()),
              SyncSpec.of(sync));
      return new DryRun(
          members,
          excluded,
          c.added(),
          c.changed(),
          c.removed(),
          ctx.tables.sample(id, RunTables.DiffKind.ADDED, sample),
          ctx.tables.sample(id, RunTables.DiffKind.CHANGED, sample),
          ctx.tables.sample(id, RunTables.DiffKind.REMOVED, sample));
    } finally {
      ctx.tables.dropRun(id);
    }
  }

  /** Evaluates the audience now and keeps its member keys as a snapshot. */
  public SnapshotStore.Snapshot snapshot(String audienceKey, String user) {
    return membership.snapshot(audienceKey, user);
  }

  /**
   * As above, evaluated by {@code engine} (a restricted user's: only her rows are kept, and the
   * audience's enter/exit log is left alone).
   */
  public SnapshotStore.Snapshot snapshot(
      String audienceKey, String user, io.customerstudio.query.engine.AudienceEngine engine) {
    return membership.snapshot(audienceKey, user, engine);
  }

  /** Forgets what a sync delivered (its destination changed, or it is deleted). */
  public void resetState(String syncKey) {
    ctx.state.reset(syncKey);
  }
}
