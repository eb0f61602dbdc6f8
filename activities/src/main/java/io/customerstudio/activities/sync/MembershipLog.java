package io.customerstudio.activities.sync;

import static org.jooq.impl.DSL.field;
import static org.jooq.impl.DSL.name;
import static org.jooq.impl.DSL.table;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.function.Consumer;
import org.jooq.DSLContext;
import org.jooq.Name;
import org.jooq.Record;
import org.jooq.impl.DSL;
import org.jooq.impl.SQLDataType;

/**
 * Each audience's membership over time, in the warehouse: its current members ({@code
 * cs_sync.audience_member}), the enter/exit log ({@code cs_sync.membership_log}) and snapshot
 * contents ({@code cs_sync.snapshot_member}). The log is ordered by the evaluation that observed
 * each change: an evaluation older than the newest one logged (a late replay, the slower of two
 * syncs on one audience) adds nothing, so "members at T" never mixes a newer state with an older
 * time.
 */
public final class MembershipLog {

  private static final String SCHEMA = RunTables.SCHEMA;

  private final DSLContext db;

  public MembershipLog(DSLContext warehouse) {
    this.db = warehouse;
  }

  /**
   * Records the members evaluated at {@code evaluatedAt} as the audience's membership then: an
   * {@code enter} for each new member and an {@code exit} for each one gone, with the run and
   * definition version. Serialized per audience. An evaluation older than the newest one already
   * logged changes nothing: it would put a newer state under an older time.
   *
   * @return entered and exited; both 0 when the evaluation was older than the log
   */
  public long[] recordMembership(
      String audienceKey, int version, String runId, Name members, Instant evaluatedAt) {
    OffsetDateTime when = evaluatedAt.atOffset(ZoneOffset.UTC);
    if (WarehouseSql.duckDb(db)) {
      return recordOnDuckDb(audienceKey, version, runId, members, when);
    }
    return db.transactionResult(
        tx -> {
          DSLContext t = tx.dsl();
          t.execute("select pg_advisory_xact_lock(hashtextextended({0}, 7))", DSL.val(audienceKey));
          if (!claimEvaluation(t, audienceKey, when, runId)) {
            return new long[] {0, 0};
          }
          // one full join finds who entered and who left; the log and the current members
          // follow from it in the same statement (disjoint keys, one snapshot; PostgreSQL runs
          // every data-modifying WITH part once, read or not)
          Record counts =
              t.fetchOne(
                  "with changes as materialized ("
                      + " select coalesce(r.member, a.member_key) as member_key,"
                      + " case when a.member_key is null then 'enter' else 'exit' end as change"
                      + " from (select member from {4}) r full join (select member_key"
                      + " from cs_sync.audience_member where audience_key = {0}) a"
                      + " on a.member_key = r.member"
                      + " where a.member_key is null or r.member is null),"
                      + " logged as (insert into cs_sync.membership_log"
                      + " (audience_key, member_key, \"at\", change, version, run_id)"
                      + " select {0}, member_key, {1}, change, {2}, {3} from changes),"
                      + " gone as (delete from cs_sync.audience_member a using changes c"
                      + " where a.audience_key = {0} and a.member_key = c.member_key"
                      + " and c.change = 'exit'),"
                      + " came as (insert into cs_sync.audience_member"
                      + " (audience_key, member_key, version, since, run_id)"
                      + " select {0}, member_key, {2}, {1}, {3} from changes where change = 'enter'"
                      + " on conflict do nothing)"
                      + " select (select count(*) from changes where change = 'enter') as entered,"
                      + " (select count(*) from changes where change = 'exit') as exited",
                  DSL.val(audienceKey),
                  DSL.val(when),
                  DSL.val(version),
                  DSL.val(runId, SQLDataType.CLOB),
                  table(members));
          long entered = counts.get("entered", Long.class);
          long exited = counts.get("exited", Long.class);
          return new long[] {entered, exited};
        });
  }

  /**
   * Audience keys' locks on DuckDB: a file is opened by one process, so this JVM's lock is enough.
   */
  private static final java.util.concurrent.ConcurrentHashMap<String, Object> AUDIENCE_LOCKS =
      new java.util.concurrent.ConcurrentHashMap<>();

  /**
   * {@link #recordMembership} on DuckDB, which has neither advisory locks nor data-modifying WITH
   * parts: serialized per audience in this JVM, the changes found once into a temporary table, then
   * the log and the current members written from it, in one transaction.
   */
  private long[] recordOnDuckDb(
      String audienceKey, int version, String runId, Name members, OffsetDateTime when) {
    synchronized (AUDIENCE_LOCKS.computeIfAbsent(audienceKey, k -> new Object())) {
      return db.transactionResult(
          tx -> {
            DSLContext t = tx.dsl();
            if (!claimEvaluation(t, audienceKey, when, runId)) {
              return new long[] {0, 0};
            }
            Name changes = DSL.name("membership_changes");
            t.execute(
                "create or replace temporary table {0} as"
                    + " select coalesce(r.member, a.member_key) as member_key,"
                    + " case when a.member_key is null then 'enter' else 'exit' end as change"
                    + " from (select member from {2}) r full join (select member_key"
                    + " from cs_sync.audience_member where audience_key = {1}) a"
                    + " on a.member_key = r.member"
                    + " where a.member_key is null or r.member is null",
                DSL.table(changes), DSL.val(audienceKey), table(members));
            try {
              t.execute(
                  "insert into cs_sync.membership_log"
                      + " (audience_key, member_key, \"at\", change, version, run_id)"
                      + " select {0}, member_key, {1}, change, {2}, {3} from {4}",
                  DSL.val(audienceKey),
                  DSL.val(when),
                  DSL.val(version),
                  DSL.val(runId, SQLDataType.CLOB),
                  DSL.table(changes));
              t.execute(
                  "delete from cs_sync.audience_member where audience_key = {0} and member_key in"
                      + " (select member_key from {1} where change = 'exit')",
                  DSL.val(audienceKey), DSL.table(changes));
              t.execute(
                  "insert into cs_sync.audience_member"
                      + " (audience_key, member_key, version, since, run_id)"
                      + " select {0}, member_key, {2}, {1}, {3} from {4} where change = 'enter'"
                      + " on conflict do nothing",
                  DSL.val(audienceKey),
                  DSL.val(when),
                  DSL.val(version),
                  DSL.val(runId, SQLDataType.CLOB),
                  DSL.table(changes));
              Record counts =
                  t.fetchOne(
                      "select count(*) filter (where change = 'enter') as entered,"
                          + " count(*) filter (where change = 'exit') as exited from {0}",
                      DSL.table(changes));
              return new long[] {
                counts.get("entered", Long.class), counts.get("exited", Long.class)
              };
            } finally {
              t.execute("drop table if exists {0}", DSL.table(changes));
            }
          });
    }
  }

  /** Copies the run's member keys into a snapshot. */
  public void snapshot(long snapshotId, Name members) {
    db.execute(
        "insert into cs_sync.snapshot_member (snapshot_id, member_key)"
            + " select {0}, member from {1} on conflict do nothing",
        DSL.val(snapshotId), table(members));
  }

  /** A snapshot's member keys in order, streamed. */
  public void snapshotMembers(long snapshotId, Consumer<String> sink) {
    snapshotMembers(snapshotId, DSL.noCondition(), sink);
  }

  /**
   * A snapshot's member keys that satisfy {@code only} (a condition on {@code member_key}: a
   * restricted user's visible keys), in order, streamed.
   */
  public void snapshotMembers(long snapshotId, org.jooq.Condition only, Consumer<String> sink) {
    db.transaction(
        tx -> {
          try (var cursor =
              tx.dsl()
                  .select(field(name("member_key"), String.class))
                  .from(table(name(SCHEMA, "snapshot_member")))
                  .where(field(name("snapshot_id"), Long.class).eq(snapshotId))
                  .and(only)
                  .orderBy(
                      DSL.field(WarehouseSql.numericMemberKey(db)).asc().nullsLast(),
                      field(name("member_key")).asc())
                  .fetchSize(10_000)
                  .fetchLazy()) {
            cursor.forEach(r -> sink.accept(r.value1()));
          }
        });
  }

  // member keys that are whole numbers sort as numbers (9, 10, 100, not 10, 100, 9), before any
  // other key, which sorts as text: WarehouseSql.numericMemberKey

  /** A member at a time: who entered, since when, under which definition version and run. */
  public record Membership(String member, Instant since, int version, String runId) {}

  /**
   * Who was in the audience at {@code at}: each member whose latest log entry at or before then is
   * an enter, with the version that admitted them.
   */
  public List<Membership> membershipAt(String audienceKey, Instant at, int offset, int limit) {
    return membershipAt(audienceKey, at, offset, limit, DSL.trueCondition());
  }

  /** As above, of the members that satisfy {@code only} (a condition on {@code member_key}). */
  public List<Membership> membershipAt(
      String audienceKey, Instant at, int offset, int limit, org.jooq.Condition only) {
    return db.fetch(
            "select member_key, \"at\", version, run_id from ("
                + " select distinct on (member_key) member_key, \"at\", change, version, run_id"
                + " from cs_sync.membership_log where audience_key = {0} and \"at\" <= {1} and {4}"
                + " order by member_key, \"at\" desc) x where change = 'enter'"
                + " order by "
                + WarehouseSql.numericMemberKey(db)
                + " nulls last, member_key limit {3} offset {2}",
            DSL.val(audienceKey),
            DSL.val(at.atOffset(ZoneOffset.UTC)),
            DSL.val(offset),
            DSL.val(limit),
            only)
        .map(
            r ->
                new Membership(
                    r.get(0, String.class),
                    r.get(1, OffsetDateTime.class).toInstant(),
                    r.get(2, Integer.class),
                    r.get(3, String.class)));
  }

  public long membershipCountAt(String audienceKey, Instant at) {
    return membershipCountAt(audienceKey, at, DSL.trueCondition());
  }

  /** As above, of the members that satisfy {@code only} (a condition on {@code member_key}). */
  public long membershipCountAt(String audienceKey, Instant at, org.jooq.Condition only) {
    return db.fetchOne(
            "select count(*) from ("
                + " select distinct on (member_key) change"
                + " from cs_sync.membership_log where audience_key = {0} and \"at\" <= {1} and {2}"
                + " order by member_key, \"at\" desc) x where change = 'enter'",
            DSL.val(audienceKey), DSL.val(at.atOffset(ZoneOffset.UTC)), only)
        .get(0, Long.class);
  }

  /** How many of a snapshot's members satisfy {@code only} (a condition on {@code member_key}). */
  public long snapshotCount(long snapshotId, org.jooq.Condition only) {
    return db.fetchCount(
        DSL.selectOne()
            .from(table(name(SCHEMA, "snapshot_member")))
            .where(field(name("snapshot_id"), Long.class).eq(snapshotId))
            .and(only));
  }

  /**
   * Records {@code when} as the audience's newest evaluation, in the caller's transaction; false
   * (and nothing recorded) when the log already holds a newer one, which this one must not follow.
   */
  private static boolean claimEvaluation(
      DSLContext t, String audienceKey, OffsetDateTime when, String runId) {
    OffsetDateTime newest =
        t.fetchOptional(
                "select evaluated_at from cs_sync.audience_evaluation where audience_key = {0}",
                DSL.val(audienceKey))
            .map(r -> r.get(0, OffsetDateTime.class))
            .orElse(null);
    if (newest != null && newest.isAfter(when)) {
      return false;
    }
    t.execute(
        "insert into cs_sync.audience_evaluation (audience_key, evaluated_at, run_id)"
            + " values ({0}, {1}, {2}) on conflict (audience_key) do update"
            + " set evaluated_at = excluded.evaluated_at, run_id = excluded.run_id",
        DSL.val(audienceKey), DSL.val(when), DSL.val(runId, SQLDataType.CLOB));
    return true;
  }
}
