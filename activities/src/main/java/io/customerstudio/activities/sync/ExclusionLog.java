package io.customerstudio.activities.sync;

import static org.jooq.impl.DSL.field;
import static org.jooq.impl.DSL.name;
import static org.jooq.impl.DSL.table;

import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import org.jooq.Condition;
import org.jooq.DSLContext;
import org.jooq.Field;
import org.jooq.Table;
import org.jooq.impl.DSL;
import org.jooq.impl.SQLDataType;

/**
 * What governance excluded, kept in the warehouse past the run's working tables: {@code
 * cs_sync.run_exclusion} (every excluded member with its first reason, for the run's page and the
 * why answer; purged with the run's records) and the append-only holdout log ({@code
 * <logSchema>.holdout_log}, which analysts join with outcomes; never purged). Both are written from
 * {@code g_<run>} in one transaction that first removes what an earlier attempt of the same run
 * wrote, so a retried step logs each member once.
 */
public final class ExclusionLog {

  /** One excluded member of a run. */
  public record Exclusion(String key, String reason, String detail, OffsetDateTime at) {}

  private static final Table<?> EXCLUSION = table(name("cs_sync", "run_exclusion"));
  private static final Field<String> RUN = field(name("run_id"), SQLDataType.CLOB);
  private static final Field<String> MEMBER = field(name("member_key"), SQLDataType.CLOB);
  private static final Field<String> REASON = field(name("reason"), SQLDataType.CLOB);
  private static final Field<String> DETAIL = field(name("detail"), SQLDataType.CLOB);
  private static final Field<OffsetDateTime> AT =
      field(name("at"), SQLDataType.TIMESTAMPWITHTIMEZONE);

  private final DSLContext db;
  private final Table<?> holdouts;

  public ExclusionLog(DSLContext warehouse, String logSchema) {
    this.db = warehouse;
    this.holdouts = table(name(logSchema, "holdout_log"));
  }

  /** Records the run's exclusions and appends its holdouts, replacing an earlier attempt's. */
  void record(String runId, String syncKey, String audience, OffsetDateTime at) {
    Table<?> g = table(RunTables.governTable(runId));
    db.transaction(
        tx -> {
          DSLContext t = tx.dsl();
          t.deleteFrom(EXCLUSION).where(RUN.eq(runId)).execute();
          t.execute(
              "insert into {0} (run_id, sync_key, member_key, reason, detail, \"at\")"
                  + " select {1}, {2}, member, reason, detail, {3} from {4}",
              EXCLUSION, DSL.val(runId), DSL.val(syncKey), DSL.val(at), g);
          t.deleteFrom(holdouts).where(RUN.eq(runId)).execute();
          t.execute(
              "insert into {0} (sync_key, run_id, audience, split_group, member_key, logged_at)"
                  + " select {1}, {2}, {3}, detail, member, {4} from {5} where reason = 'holdout'",
              holdouts, DSL.val(syncKey), DSL.val(runId), DSL.val(audience), DSL.val(at), g);
        });
  }

  /**
   * A page of a run's exclusions in key order, after the key {@code after} (null: from the start),
   * of one reason or all (null).
   */
  public List<Exclusion> page(String runId, String reason, String after, int limit) {
    List<Condition> where = new ArrayList<>(List.of(RUN.eq(runId)));
    if (reason != null) {
      where.add(REASON.eq(reason));
    }
    if (after != null) {
      where.add(MEMBER.gt(after));
    }
    return db.select(MEMBER, REASON, DETAIL, AT)
        .from(EXCLUSION)
        .where(where)
        .orderBy(MEMBER)
        .limit(limit)
        .fetch(r -> new Exclusion(r.value1(), r.value2(), r.value3(), r.value4()));
  }

  /** The member's exclusion in the run, if it was excluded. */
  public java.util.Optional<Exclusion> of(String runId, String memberKey) {
    return db.select(MEMBER, REASON, DETAIL, AT)
        .from(EXCLUSION)
        .where(RUN.eq(runId), MEMBER.eq(memberKey))
        .fetchOptional(r -> new Exclusion(r.value1(), r.value2(), r.value3(), r.value4()));
  }

  /** Forgets the exclusions of runs the retention purged (the holdout log stays). */
  void purge(String runId) {
    db.deleteFrom(EXCLUSION).where(RUN.eq(runId)).execute();
  }
}
