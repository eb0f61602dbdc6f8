package io.customerstudio.infra.store;

import static io.customerstudio.infra.store.jooq.Tables.SYNC;
import static io.customerstudio.infra.store.jooq.Tables.SYNC_RUN;
import static io.customerstudio.infra.store.jooq.Tables.SYNC_RUN_BATCH;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.customerstudio.infra.store.jooq.tables.records.SyncRunRecord;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.jooq.DSLContext;
import org.jooq.impl.DSL;

/**
 * Sync runs: their status, counts and phase timings, final totals, and their retention. The batches
 * each has delivered are the {@link BatchLedger}'s, rejected rows {@link RowErrors}', snapshots the
 * {@link SnapshotStore}'s. Status changes are single statements; a run's delivered and rejected
 * counts are the sums over its own batches while it works, and kept on the run once it ends.
 */
public class RunStore {

  private static final ObjectMapper JSON = new ObjectMapper();

  public record Run(
      String runId,
      String sync,
      String trigger,
      RunStatus status,
      String workflowId,
      int attempts,
      Integer audienceVersion,
      Long members,
      Long added,
      Long changed,
      Long removed,
      long delivered,
      long rejected,
      Integer batches,
      int batchesDelivered,
      Integer batchSize,
      String phases,
      String error,
      OffsetDateTime queuedAt,
      OffsetDateTime startedAt,
      OffsetDateTime finishedAt,
      OffsetDateTime evaluatedAt,
      boolean purged,
      String excluded,
      String requestedBy) {

    /** Whether a replay can resume it: failed or interrupted, with its working tables kept. */
    public boolean replayable() {
      return status.replayable() && !purged;
    }
  }

  /** A run to start: new, or the one already queued that a trigger was coalesced into. */
  public record Enqueued(String runId, boolean coalesced) {}

  private final DSLContext db;
  private final Clock clock;

  public RunStore(DSLContext db, Clock clock) {
    this.db = db;
    this.clock = clock;
  }

  /**
   * Queues a run of the sync, or returns the run already queued: triggers that arrive while one
   * waits are coalesced into it. Serialized per sync on its row lock.
   *
   * @return empty when there is no such sync
   */
  public Optional<Enqueued> enqueue(String sync, String trigger) {
    return enqueue(sync, trigger, null);
  }

  /**
   * Queues a run asked for by a person ({@code requestedBy}, a username; null for schedules and
   * triggers), so the run can apply her subsets (governance spec 4). A request that joins a queued
   * run leaves that run's requester as it is.
   */
  public Optional<Enqueued> enqueue(String sync, String trigger, String requestedBy) {
    return db.transactionResult(
        tx -> {
          DSLContext t = tx.dsl();
          if (t.selectOne().from(SYNC).where(SYNC.SYNC_KEY.eq(sync)).forUpdate().fetchOne()
              == null) {
            return Optional.empty();
          }
          String queued =
              t.select(SYNC_RUN.RUN_ID)
                  .from(SYNC_RUN)
                  .where(SYNC_RUN.SYNC_KEY.eq(sync), SYNC_RUN.STATUS.eq(RunStatus.QUEUED.wire()))
                  .limit(1)
                  .fetchOne(SYNC_RUN.RUN_ID);
          if (queued != null) {
            return Optional.of(new Enqueued(queued, true));
          }
          String runId = UUID.randomUUID().toString().replace("-", "");
          t.insertInto(SYNC_RUN)
              .set(SYNC_RUN.RUN_ID, runId)
              .set(SYNC_RUN.SYNC_KEY, sync)
              .set(SYNC_RUN.RUN_TRIGGER, trigger)
              .set(SYNC_RUN.REQUESTED_BY, requestedBy)
              .set(SYNC_RUN.STATUS, RunStatus.QUEUED.wire())
              .set(SYNC_RUN.ATTEMPTS, 0)
              .set(SYNC_RUN.PHASES, "[]")
              .set(SYNC_RUN.QUEUED_AT, OffsetDateTime.now(clock))
              .execute();
          return Optional.of(new Enqueued(runId, false));
        });
  }

  /** Who asked for the run (a username), or empty for schedules, triggers and unknown runs. */
  public Optional<String> requestedBy(String runId) {
    return db.select(SYNC_RUN.REQUESTED_BY)
        .from(SYNC_RUN)
        .where(SYNC_RUN.RUN_ID.eq(runId))
        .fetchOptional(SYNC_RUN.REQUESTED_BY);
  }

  public Optional<Run> find(String runId) {
    return runs().where(SYNC_RUN.RUN_ID.eq(runId)).fetchOptional(RunStore::toRun);
  }

  /** The sync's runs, newest first. */
  public List<Run> list(String sync, int limit) {
    return runs()
        .where(SYNC_RUN.SYNC_KEY.eq(sync))
        .orderBy(SYNC_RUN.QUEUED_AT.desc(), SYNC_RUN.RUN_ID.desc())
        .limit(limit)
        .fetch(RunStore::toRun);
  }

  /**
   * The sync's newest run that governed its members and then ended delivering (succeeded, with
   * errors or not): what the why answer reports. Falls back to the newest governed run.
   */
  public Optional<Run> latestGoverned(String sync) {
    return runs()
        .where(SYNC_RUN.SYNC_KEY.eq(sync), SYNC_RUN.EXCLUDED.isNotNull())
        .orderBy(
            DSL.when(
                    SYNC_RUN.STATUS.in(
                        RunStatus.SUCCEEDED.wire(), RunStatus.SUCCEEDED_WITH_ERRORS.wire()),
                    0)
                .otherwise(1),
            SYNC_RUN.STARTED_AT.desc(),
            SYNC_RUN.RUN_ID.desc())
        .limit(1)
        .fetchOptional(RunStore::toRun);
  }

  /** The sync's newest run that has started (a replay is only allowed for this one). */
  public Optional<Run> latestStarted(String sync) {
    return runs()
        .where(SYNC_RUN.SYNC_KEY.eq(sync), SYNC_RUN.STARTED_AT.isNotNull())
        .orderBy(SYNC_RUN.STARTED_AT.desc(), SYNC_RUN.RUN_ID.desc())
        .limit(1)
        .fetchOptional(RunStore::toRun);
  }

  /**
   * Starts an attempt of a queued run: status querying, attempt counted, the audience version
   * pinned on the first attempt.
   *
   * @return false when the run is no longer queued (cancelled meanwhile)
   */
  public boolean start(String runId, String workflowId, int audienceVersion) {
    OffsetDateTime now = OffsetDateTime.now(clock);
    return db.update(SYNC_RUN)
            .set(SYNC_RUN.STATUS, RunStatus.QUERYING.wire())
            .set(SYNC_RUN.WORKFLOW_ID, workflowId)
            .set(SYNC_RUN.ATTEMPTS, SYNC_RUN.ATTEMPTS.plus(1))
            .set(
                SYNC_RUN.AUDIENCE_VERSION, DSL.coalesce(SYNC_RUN.AUDIENCE_VERSION, audienceVersion))
            .set(SYNC_RUN.STARTED_AT, DSL.coalesce(SYNC_RUN.STARTED_AT, now))
            .set(SYNC_RUN.FINISHED_AT, (OffsetDateTime) null)
            .set(SYNC_RUN.ERROR, (String) null)
            .where(SYNC_RUN.RUN_ID.eq(runId), SYNC_RUN.STATUS.eq(RunStatus.QUEUED.wire()))
            .execute()
        == 1;
  }

  /** Enters a working phase: the status, and a timing entry (the previous one is closed). */
  public void phase(String runId, RunStatus status) {
    phase(runId, status, status.wire());
  }

  /** Enters a phase that has no status of its own ({@code committing}): a timing entry only. */
  public void step(String runId, String name) {
    phase(runId, null, name);
  }

  /** Appends a phase entry, closing the previous one; a null status leaves the status as it is. */
  private void phase(String runId, RunStatus status, String name) {
    db.transaction(
        tx -> {
          DSLContext t = tx.dsl();
          String phases = lockedPhases(t, runId);
          ArrayNode list = closePhase(phases);
          ObjectNode entry = list.addObject();
          entry.put("phase", name);
          entry.put("startedAt", OffsetDateTime.now(clock).toString());
          t.update(SYNC_RUN)
              .set(SYNC_RUN.STATUS, status == null ? SYNC_RUN.STATUS : DSL.val(status.wire()))
              .set(SYNC_RUN.PHASES, list.toString())
              .where(SYNC_RUN.RUN_ID.eq(runId))
              .execute();
        });
  }

  /** The run's members are in its run table, as the warehouse evaluated them at {@code at}. */
  public void materialized(String runId, long members, OffsetDateTime evaluatedAt) {
    db.update(SYNC_RUN)
        .set(SYNC_RUN.MEMBERS, members)
        .set(SYNC_RUN.EVALUATED_AT, evaluatedAt)
        .where(SYNC_RUN.RUN_ID.eq(runId))
        .execute();
  }

  /**
   * The run's members have been governed: how many each reason excluded (a JSON object of reason to
   * count), the rest go on to the diff.
   */
  public void governed(String runId, String excluded) {
    db.update(SYNC_RUN).set(SYNC_RUN.EXCLUDED, excluded).where(SYNC_RUN.RUN_ID.eq(runId)).execute();
  }

  public void diffed(
      String runId, long added, long changed, long removed, int batches, int batchSize) {
    db.update(SYNC_RUN)
        .set(SYNC_RUN.ADDED, added)
        .set(SYNC_RUN.CHANGED, changed)
        .set(SYNC_RUN.REMOVED, removed)
        .set(SYNC_RUN.BATCHES, batches)
        .set(SYNC_RUN.BATCH_SIZE, batchSize)
        .where(SYNC_RUN.RUN_ID.eq(runId))
        .execute();
  }

  /** Ends the run (or this attempt of it) with a final status and, on failure, why. */
  public void finish(String runId, RunStatus status, String error) {
    db.transaction(
        tx -> {
          DSLContext t = tx.dsl();
          String phases = lockedPhases(t, runId);
          if (phases == null) {
            return;
          }
          // the totals are kept on the run, so reading it never sums its batches again and the
          // batch records can go after the retention
          t.update(SYNC_RUN)
              .set(SYNC_RUN.STATUS, status.wire())
              .set(SYNC_RUN.PHASES, closePhase(phases).toString())
              .set(SYNC_RUN.ERROR, error)
              .set(SYNC_RUN.FINISHED_AT, OffsetDateTime.now(clock))
              .set(SYNC_RUN.DELIVERED, batchSum(SYNC_RUN_BATCH.ACCEPTED))
              .set(SYNC_RUN.REJECTED, batchSum(SYNC_RUN_BATCH.REJECTED))
              .set(
                  SYNC_RUN.BATCHES_DELIVERED,
                  DSL.field(
                      DSL.selectCount()
                          .from(SYNC_RUN_BATCH)
                          .where(SYNC_RUN_BATCH.RUN_ID.eq(SYNC_RUN.RUN_ID))))
              .where(SYNC_RUN.RUN_ID.eq(runId))
              .execute();
        });
  }

  private static org.jooq.Field<Long> batchSum(org.jooq.Field<Integer> column) {
    return DSL.field(
        DSL.select(DSL.coalesce(DSL.sum(column), java.math.BigDecimal.ZERO).cast(Long.class))
            .from(SYNC_RUN_BATCH)
            .where(SYNC_RUN_BATCH.RUN_ID.eq(SYNC_RUN.RUN_ID)));
  }

  /** A run whose working tables and batch records the retention may purge. */
  public record Expired(String runId, String sync) {}

  /**
   * Runs that ended before {@code before} and still have their working tables and batch records,
   * oldest first.
   */
  public List<Expired> expired(OffsetDateTime before, int limit) {
    return db.select(SYNC_RUN.RUN_ID, SYNC_RUN.SYNC_KEY)
        .from(SYNC_RUN)
        .where(
            SYNC_RUN.FINISHED_AT.lt(before),
            SYNC_RUN.PURGED.isFalse(),
            SYNC_RUN.STATUS.notIn(
                RunStatus.QUEUED.wire(),
                RunStatus.QUERYING.wire(),
                RunStatus.DIFFING.wire(),
                RunStatus.DELIVERING.wire()))
        .orderBy(SYNC_RUN.FINISHED_AT)
        .limit(limit)
        .fetch(r -> new Expired(r.value1(), r.value2()));
  }

  /**
   * Forgets a finished run's batch records (its totals stay on the run) and marks it purged: it can
   * no longer be replayed.
   */
  public void purged(String runId) {
    db.transaction(
        tx -> {
          tx.dsl().deleteFrom(SYNC_RUN_BATCH).where(SYNC_RUN_BATCH.RUN_ID.eq(runId)).execute();
          tx.dsl()
              .update(SYNC_RUN)
              .set(SYNC_RUN.PURGED, true)
              .where(SYNC_RUN.RUN_ID.eq(runId))
              .execute();
        });
  }

  /** Cancels a run that has not started; false when it has (or is unknown). */
  public boolean cancelQueued(String runId) {
    return db.update(SYNC_RUN)
            .set(SYNC_RUN.STATUS, RunStatus.CANCELLED.wire())
            .set(SYNC_RUN.FINISHED_AT, OffsetDateTime.now(clock))
            .where(SYNC_RUN.RUN_ID.eq(runId), SYNC_RUN.STATUS.eq(RunStatus.QUEUED.wire()))
            .execute()
        == 1;
  }

  /** Queues a failed or interrupted run again, to resume it; false when it is not replayable. */
  public boolean requeue(String runId) {
    return db.update(SYNC_RUN)
            .set(SYNC_RUN.STATUS, RunStatus.QUEUED.wire())
            .set(SYNC_RUN.FINISHED_AT, (OffsetDateTime) null)
            .set(SYNC_RUN.DELIVERED, (Long) null)
            .set(SYNC_RUN.REJECTED, (Long) null)
            .set(SYNC_RUN.BATCHES_DELIVERED, (Integer) null)
            .where(
                SYNC_RUN.RUN_ID.eq(runId),
                SYNC_RUN.PURGED.isFalse(),
                SYNC_RUN.STATUS.in(RunStatus.FAILED.wire(), RunStatus.INTERRUPTED.wire()))
            .execute()
        == 1;
  }

  /**
   * Marks every run that was working as interrupted: after a restart on the in-process Temporal
   * server, whose workflows did not survive. Queued runs stay queued: they have not started, and
   * their schedulers are handed them again.
   *
   * @return how many
   */
  public int interruptInFlight(String why) {
    List<String> ids =
        db.select(SYNC_RUN.RUN_ID)
            .from(SYNC_RUN)
            .where(
                SYNC_RUN.STATUS.in(
                    RunStatus.QUERYING.wire(),
                    RunStatus.DIFFING.wire(),
                    RunStatus.DELIVERING.wire()))
            .fetch(SYNC_RUN.RUN_ID);
    ids.forEach(id -> finish(id, RunStatus.INTERRUPTED, why));
    return ids.size();
  }

  /** The run's phase list, its row locked until the transaction ends; null for no such run. */
  private static String lockedPhases(DSLContext t, String runId) {
    return t.select(SYNC_RUN.PHASES)
        .from(SYNC_RUN)
        .where(SYNC_RUN.RUN_ID.eq(runId))
        .forUpdate()
        .fetchOne(SYNC_RUN.PHASES);
  }

  private ArrayNode closePhase(String phases) {
    try {
      ArrayNode list = (ArrayNode) JSON.readTree(phases);
      if (!list.isEmpty()) {
        ObjectNode last = (ObjectNode) list.get(list.size() - 1);
        if (!last.has("finishedAt")) {
          last.put("finishedAt", OffsetDateTime.now(clock).toString());
        }
      }
      return list;
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Per run: rows accepted and rejected and batches delivered, summed over that run's own batch
   * records (a lateral join on the batch table's key) only while it has no final totals.
   */
  private static final org.jooq.Table<?> TOTALS =
      DSL.lateral(
              DSL.select(
                      DSL.sum(SYNC_RUN_BATCH.ACCEPTED).as("accepted_rows"),
                      DSL.sum(SYNC_RUN_BATCH.REJECTED).as("rejected_rows"),
                      DSL.count().as("batches_delivered"))
                  .from(SYNC_RUN_BATCH)
                  .where(SYNC_RUN_BATCH.RUN_ID.eq(SYNC_RUN.RUN_ID), SYNC_RUN.DELIVERED.isNull()))
          .asTable("totals");

  private static final org.jooq.Field<java.math.BigDecimal> ACCEPTED =
      TOTALS.field("accepted_rows", java.math.BigDecimal.class);
  private static final org.jooq.Field<java.math.BigDecimal> REJECTED =
      TOTALS.field("rejected_rows", java.math.BigDecimal.class);
  private static final org.jooq.Field<Integer> BATCHES_DELIVERED =
      TOTALS.field("batches_delivered", Integer.class);

  /** Runs with their counts: final totals when ended, sums over their own batches meanwhile. */
  private org.jooq.SelectOnConditionStep<org.jooq.Record> runs() {
    List<org.jooq.SelectField<?>> fields = new java.util.ArrayList<>(List.of(SYNC_RUN.fields()));
    fields.add(ACCEPTED);
    fields.add(REJECTED);
    fields.add(BATCHES_DELIVERED);
    return db.select(fields).from(SYNC_RUN).leftJoin(TOTALS).on(DSL.trueCondition());
  }

  private static Run toRun(org.jooq.Record rec) {
    SyncRunRecord r = rec.into(SYNC_RUN);
    if (r.getDelivered() != null) {
      return toRun(
          r,
          r.getDelivered(),
          r.getRejected() == null ? 0 : r.getRejected(),
          r.getBatchesDelivered() == null ? 0 : r.getBatchesDelivered());
    }
    java.math.BigDecimal accepted = rec.get(ACCEPTED);
    java.math.BigDecimal rejected = rec.get(REJECTED);
    Integer batches = rec.get(BATCHES_DELIVERED);
    return toRun(
        r,
        accepted == null ? 0 : accepted.longValue(),
        rejected == null ? 0 : rejected.longValue(),
        batches == null ? 0 : batches);
  }

  private static Run toRun(SyncRunRecord r, long delivered, long rejected, int batchesDelivered) {
    return new Run(
        r.getRunId(),
        r.getSyncKey(),
        r.getRunTrigger(),
        RunStatus.of(r.getStatus()),
        r.getWorkflowId(),
        r.getAttempts(),
        r.getAudienceVersion(),
        r.getMembers(),
        r.getAdded(),
        r.getChanged(),
        r.getRemoved(),
        delivered,
        rejected,
        r.getBatches(),
        batchesDelivered,
        r.getBatchSize(),
        r.getPhases(),
        r.getError(),
        r.getQueuedAt(),
        r.getStartedAt(),
        r.getFinishedAt(),
        r.getEvaluatedAt(),
        Boolean.TRUE.equals(r.getPurged()),
        r.getExcluded(),
        r.getRequestedBy());
  }
}
