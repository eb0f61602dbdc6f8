package io.customerstudio.activities.sync;

import io.customerstudio.activities.destinations.Batch;
import io.customerstudio.activities.destinations.Connector;
import io.customerstudio.activities.destinations.Connectors;
import io.customerstudio.activities.destinations.DeliveryRow;
import io.customerstudio.activities.destinations.RowOutcome;
import io.customerstudio.infra.secrets.SecretBox;
import io.customerstudio.infra.store.AudienceStore;
import io.customerstudio.infra.store.DestinationStore;
import io.customerstudio.infra.store.RunStatus;
import io.customerstudio.infra.store.RunStore;
import io.customerstudio.infra.store.SyncStore;
import io.customerstudio.infra.workspace.Workspace;
import io.customerstudio.query.audience.AudienceDefinition;
import io.customerstudio.query.engine.AudienceEngine;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.function.IntConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The steps of a sync run, each safe to repeat: plan, materialize, diff, deliver batch by batch,
 * commit. The Temporal activities call these; so does a dry run, which stops after the diff.
 * Progress lives in the app store (run status, delivered batches) and the warehouse (run, diff and
 * state tables), never in memory, so a retried step or a replayed run picks up where it stopped.
 */
public class SyncEngine {

  private static final Logger log = LoggerFactory.getLogger(SyncEngine.class);

  /** Where a run stands when an attempt begins. */
  public record Progress(
      boolean go, String sync, boolean materialized, boolean diffed, int batches) {}

  /** The diff's counts and how it is cut into batches. */
  public record DiffResult(long added, long changed, long removed, int batches, int batchSize) {}

  /** A dry run: the exact diff, a sample of each kind, nothing sent. */
  public record DryRun(
      long members,
      long added,
      long changed,
      long removed,
      List<SyncTables.DiffRow> addedSample,
      List<SyncTables.DiffRow> changedSample,
      List<SyncTables.DiffRow> removedSample) {}

  /** What a delivery call did. */
  public record Delivered(int batches, long accepted, long rejected) {}

  private final SyncStore syncs;
  private final RunStore runs;
  private final AudienceStore audiences;
  private final DestinationStore destinations;
  private final SecretBox secrets;
  private final Workspace workspace;
  private final SyncTables tables;
  private final Path exportRoot;
  private final Duration errorRetention;
  private final Clock clock;

  public SyncEngine(
      SyncStore syncs,
      RunStore runs,
      AudienceStore audiences,
      DestinationStore destinations,
      SecretBox secrets,
      Workspace workspace,
      SyncTables tables,
      Path exportRoot,
      Duration errorRetention,
      Clock clock) {
    this.syncs = syncs;
    this.runs = runs;
    this.audiences = audiences;
    this.destinations = destinations;
    this.secrets = secrets;
    this.workspace = workspace;
    this.tables = tables;
    this.exportRoot = exportRoot;
    this.errorRetention = errorRetention;
    this.clock = clock;
  }

  public SyncTables tables() {
    return tables;
  }

  /**
   * Starts an attempt: pins the audience version on the first one and reports which steps are
   * already done. A run that is no longer queued (cancelled meanwhile) does not go.
   */
  public Progress begin(String runId, String workflowId) {
    RunStore.Run run = run(runId);
    SyncStore.Sync sync = sync(run.sync());
    AudienceStore.Audience audience =
        audiences
            .find(sync.audience())
            .orElseThrow(
                () -> new SyncException("audience " + sync.audience() + " no longer exists"));
    boolean fresh = run.attempts() == 0;
    if (!runs.start(runId, workflowId, audience.version())) {
      return new Progress(false, run.sync(), false, false, 0);
    }
    tables.ensureSchema();
    tables.ensureState(sync.key());
    if (fresh) {
      // older runs that stopped part way can no longer be replayed: this run supersedes them
      for (RunStore.Run older : runs.list(sync.key(), 20)) {
        if (!older.runId().equals(runId) && older.status().replayable()) {
          tables.dropRun(older.runId());
        }
      }
    }
    run = run(runId);
    boolean materialized = run.members() != null && tables.exists(SyncTables.runTable(runId));
    boolean diffed =
        materialized && run.batches() != null && tables.exists(SyncTables.diffTable(runId));
    runs.phase(
        runId,
        diffed ? RunStatus.DELIVERING : materialized ? RunStatus.DIFFING : RunStatus.QUERYING);
    return new Progress(true, sync.key(), materialized, diffed, diffed ? run.batches() : 0);
  }

  /** Runs the audience into the run table; returns its member count. */
  public long materialize(String runId) {
    RunStore.Run run = run(runId);
    SyncStore.Sync sync = sync(run.sync());
    int version = run.audienceVersion();
    AudienceStore.Version v =
        audiences
            .version(sync.audience(), version)
            .orElseThrow(
                () ->
                    new SyncException(
                        "audience " + sync.audience() + " has no version " + version));
    Instant asOf = run.startedAt().toInstant();
    long members = materialize(runId, sync, Workspace.definition(v.definition()), asOf);
    runs.materialized(runId, members);
    log.atInfo()
        .addKeyValue("run", runId)
        .addKeyValue("sync", sync.key())
        .addKeyValue("members", members)
        .log("materialized run {}", runId);
    return members;
  }

  private long materialize(
      String runId, SyncStore.Sync sync, AudienceDefinition definition, Instant asOf) {
    SyncSpec spec = SyncSpec.of(sync);
    return tables.materialize(
        runId,
        workspace.engine().memberQuery(definition, "$.definition", asOf, spec.sources()),
        memberKey(definition),
        spec);
  }

  /** Diffs the run against the sync's delivered state and cuts it into batches. */
  public DiffResult diff(String runId) {
    RunStore.Run run = run(runId);
    SyncStore.Sync sync = sync(run.sync());
    runs.phase(runId, RunStatus.DIFFING);
    String definition =
        audiences
            .version(sync.audience(), run.audienceVersion())
            .map(AudienceStore.Version::definition)
            .orElseThrow(() -> new SyncException("audience " + sync.audience() + " is gone"));
    SyncTables.DiffCounts c =
        tables.diff(
            runId, sync.key(), sync.mode(), keyIsMember(sync, definition), SyncSpec.of(sync));
    int batchSize = connector(sync).batchSize();
    int batches = (int) ((c.total() + batchSize - 1) / batchSize);
    runs.diffed(runId, c.added(), c.changed(), c.removed(), batches, batchSize);
    runs.phase(runId, RunStatus.DELIVERING);
    return new DiffResult(c.added(), c.changed(), c.removed(), batches, batchSize);
  }

  /**
   * Delivers the given batches that are not yet recorded as delivered. After each one, the state
   * advances by the accepted rows, the batch and its rejected rows are recorded, and {@code
   * checkpoint} hears the batch number.
   */
  public Delivered deliver(String runId, List<BatchRef> batches, IntConsumer checkpoint) {
    RunStore.Run run = run(runId);
    SyncStore.Sync sync = sync(run.sync());
    Set<Integer> done = runs.deliveredBatches(runId);
    Connector connector = connector(sync);
    int size = run.batchSize();
    List<BatchRef> todo = batches.stream().filter(b -> !done.contains(b.number())).toList();
    java.util.concurrent.atomic.AtomicLong accepted = new java.util.concurrent.atomic.AtomicLong();
    java.util.concurrent.atomic.AtomicLong rejected = new java.util.concurrent.atomic.AtomicLong();
    int threads = Math.max(1, Math.min(connector.parallelism(), todo.size()));
    java.util.concurrent.ExecutorService pool =
        java.util.concurrent.Executors.newFixedThreadPool(threads);
    List<java.util.concurrent.Future<?>> futures = new ArrayList<>();
    try {
      for (BatchRef ref : todo) {
        futures.add(
            pool.submit(
                () -> {
                  int[] sent = deliverBatch(runId, sync, connector, size, ref);
                  accepted.addAndGet(sent[0] - sent[1]);
                  rejected.addAndGet(sent[1]);
                  synchronized (checkpoint) {
                    checkpoint.accept(ref.number());
                  }
                  return null;
                }));
      }
      for (var f : futures) {
        f.get();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      pool.shutdownNow();
      throw new DeliveryInterrupted(e);
    } catch (java.util.concurrent.ExecutionException e) {
      // a failure or a cancellation: batches not started stay unsent, and those in flight are
      // let finish, so each one is either not sent or sent and recorded (never sent and
      // forgotten, which the next run would send again)
      futures.forEach(f -> f.cancel(false));
      pool.shutdown();
      try {
        pool.awaitTermination(10, java.util.concurrent.TimeUnit.MINUTES);
      } catch (InterruptedException ie) {
        Thread.currentThread().interrupt();
      }
      if (e.getCause() instanceof RuntimeException r) {
        throw r;
      }
      throw new IllegalStateException(e.getCause());
    } finally {
      pool.shutdown();
    }
    return new Delivered(todo.size(), accepted.get(), rejected.get());
  }

  /**
   * Sends one batch; the state advances by the accepted rows, and the batch with its rejected rows
   * is recorded. Returns the rows sent and how many of them were rejected.
   */
  private int[] deliverBatch(
      String runId, SyncStore.Sync sync, Connector connector, int size, BatchRef ref) {
    long from = (long) ref.number() * size;
    long to = from + size;
    List<DeliveryRow> rows = tables.deliveryRows(runId, from, to);
    List<RowOutcome> outcomes =
        connector.deliver(new Batch(sync.key(), runId, ref.number(), ref.idempotencyKey(), rows));
    List<RunStore.RowError> errors = new ArrayList<>();
    List<String> rejectedKeys = new ArrayList<>();
    for (RowOutcome o : outcomes) {
      if (!o.accepted()) {
        rejectedKeys.add(o.key());
        errors.add(new RunStore.RowError(runId, o.key(), o.reason(), null));
      }
    }
    tables.advance(runId, sync.key(), from, to, rows, rejectedKeys, clock.instant());
    runs.batchDelivered(runId, ref.number(), ref.idempotencyKey(), rows.size(), errors);
    return new int[] {rows.size(), errors.size()};
  }

  /** The worker stopped this delivery; Temporal retries it, skipping recorded batches. */
  public static class DeliveryInterrupted extends RuntimeException {
    DeliveryInterrupted(InterruptedException cause) {
      super("delivery interrupted", cause);
    }
  }

  /**
   * Ends a run whose batches are all delivered: the destination's finishing step (a file export
   * writes its file) and the final status; then the working tables go.
   */
  public RunStatus commit(String runId) {
    RunStore.Run run = run(runId);
    SyncStore.Sync sync = sync(run.sync());
    runs.step(runId, "committing");
    connector(sync).finish(sync.key(), runId);
    run = run(runId);
    RunStatus status = run.rejected() > 0 ? RunStatus.SUCCEEDED_WITH_ERRORS : RunStatus.SUCCEEDED;
    runs.finish(runId, status, null);
    tables.dropRun(runId);
    runs.purgeErrors(OffsetDateTime.now(clock).minus(errorRetention));
    return status;
  }

  /**
   * Records the run's members in the audience's enter/exit log (as of the run's start, with its
   * definition version) and, if the sync keeps them, as a snapshot. Independent of delivery, so the
   * workflow runs it alongside; safe to repeat.
   */
  public void recordMembership(String runId) {
    RunStore.Run run = run(runId);
    SyncStore.Sync sync = sync(run.sync());
    tables.recordMembership(
        sync.audience(),
        run.audienceVersion(),
        runId,
        SyncTables.runTable(runId),
        run.startedAt().toInstant());
    if (sync.snapshots()
        && runs.snapshots(sync.audience()).stream().noneMatch(s -> runId.equals(s.runId()))) {
      long snapshot =
          runs.addSnapshot(
              sync.audience(), run.audienceVersion(), runId, run.members(), "sync " + sync.key());
      tables.snapshot(snapshot, SyncTables.runTable(runId));
    }
  }

  /** Ends a run that did not succeed. A cancelled run's tables go; a failed one keeps them. */
  public void end(String runId, RunStatus status, String error) {
    runs.finish(runId, status, error);
    if (status == RunStatus.CANCELLED) {
      tables.dropRun(runId);
    }
  }

  /** The exact diff the next run would send, with samples, in temporary tables; nothing sent. */
  public DryRun dryRun(String syncKey, int sample) {
    SyncStore.Sync sync = sync(syncKey);
    AudienceStore.Audience audience =
        audiences
            .find(sync.audience())
            .orElseThrow(
                () -> new SyncException("audience " + sync.audience() + " no longer exists"));
    tables.ensureSchema();
    tables.ensureState(sync.key());
    String id = "dry" + UUID.randomUUID().toString().replace("-", "");
    try {
      long members =
          materialize(id, sync, Workspace.definition(audience.definition()), clock.instant());
      SyncTables.DiffCounts c =
          tables.diff(
              id,
              sync.key(),
              sync.mode(),
              keyIsMember(sync, audience.definition()),
              SyncSpec.of(sync));
      return new DryRun(
          members,
          c.added(),
          c.changed(),
          c.removed(),
          tables.sample(id, "added", sample),
          tables.sample(id, "changed", sample),
          tables.sample(id, "removed", sample));
    } finally {
      tables.dropRun(id);
    }
  }

  /**
   * Evaluates the audience now and keeps its member keys as a snapshot (recorded in the enter/exit
   * log too).
   */
  public RunStore.Snapshot snapshot(String audienceKey, String user) {
    AudienceStore.Audience audience =
        audiences
            .find(audienceKey)
            .orElseThrow(() -> new SyncException("audience " + audienceKey + " does not exist"));
    tables.ensureSchema();
    AudienceDefinition definition = Workspace.definition(audience.definition());
    AudienceEngine engine = workspace.engine();
    Instant now = clock.instant();
    String key = memberKey(definition);
    String id = "snap" + UUID.randomUUID().toString().replace("-", "");
    try {
      SyncSpec keyOnly = new SyncSpec("upsert", List.of(), new SyncSpec.Field(key, "key"));
      long members =
          tables.materialize(
              id, engine.memberQuery(definition, "$.definition", now, List.of(key)), key, keyOnly);
      tables.recordMembership(audienceKey, audience.version(), null, SyncTables.runTable(id), now);
      long snapshotId = runs.addSnapshot(audienceKey, audience.version(), null, members, user);
      tables.snapshot(snapshotId, SyncTables.runTable(id));
      return runs.snapshot(snapshotId).orElseThrow();
    } finally {
      tables.dropRun(id);
    }
  }

  /** Whether the sync's identifier is the audience model's primary key: unique and never null. */
  private boolean keyIsMember(SyncStore.Sync sync, String definition) {
    return memberKey(Workspace.definition(definition))
        .equals(SyncSpec.of(sync).identifier().from());
  }

  /** The primary key of the audience's model: what identifies a member. */
  private String memberKey(AudienceDefinition definition) {
    return workspace
        .catalog()
        .model(definition.parent())
        .orElseThrow(
            () -> new SyncException("model " + definition.parent() + " is not in the schema"))
        .def()
        .primaryKey();
  }

  /** Forgets what a sync delivered (its destination changed, or it is deleted). */
  public void resetState(String syncKey) {
    tables.ensureSchema();
    tables.dropState(syncKey);
  }

  private Connector connector(SyncStore.Sync sync) {
    DestinationStore.Destination d =
        destinations
            .find(sync.destination())
            .orElseThrow(
                () -> new SyncException("destination " + sync.destination() + " no longer exists"));
    return Connectors.open(d, secrets, exportRoot, clock);
  }

  private RunStore.Run run(String runId) {
    return runs.find(runId).orElseThrow(() -> new SyncException("run " + runId + " not found"));
  }

  private SyncStore.Sync sync(String key) {
    return syncs.find(key).orElseThrow(() -> new SyncException("sync " + key + " not found"));
  }
}
