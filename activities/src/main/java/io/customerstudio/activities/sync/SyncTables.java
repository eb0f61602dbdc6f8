package io.customerstudio.activities.sync;

import static org.jooq.impl.DSL.field;
import static org.jooq.impl.DSL.name;
import static org.jooq.impl.DSL.table;

import io.customerstudio.activities.destinations.DeliveryRow;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.jooq.DSLContext;
import org.jooq.Field;
import org.jooq.JSONB;
import org.jooq.Name;
import org.jooq.Record;
import org.jooq.Select;
import org.jooq.Table;
import org.jooq.impl.DSL;
import org.jooq.impl.SQLDataType;

/**
 * The warehouse side of syncs, all set-based SQL in the {@code cs_sync} schema, so rows never pass
 * through the app except to be delivered:
 *
 * <ul>
 *   <li>{@code r_<run>}: the run's members: member key, identifier key, a 64-bit hash of the mapped
 *       values ({@code h}, seeded with the mapping, so a mapping change changes every row) and the
 *       mapped values themselves, one column each, as the warehouse typed them;
 *   <li>{@code d_<run>}: the diff against the sync's delivered state, numbered ({@code seq}) once,
 *       so batch {@code n} is a fixed range of rows for every attempt of the run; only its rows get
 *       their fields built as JSON;
 *   <li>{@code s_<sync>}: the sync's delivered state (key, row hash, the fields last sent),
 *       advanced batch by batch with exactly the rows the destination accepted;
 *   <li>{@code audience_member} and {@code membership_log}: each audience's current members and
 *       their enter/exit log; {@code snapshot_member}: snapshot contents.
 * </ul>
 */
public final class SyncTables {

  public static final String SCHEMA = "cs_sync";

  /** Counts of a diff. */
  public record DiffCounts(long added, long changed, long removed) {
    public long total() {
      return added + changed + removed;
    }
  }

  /** A row of a diff, for delivery or a dry run's sample. */
  public record DiffRow(long seq, String key, String kind, Map<String, Object> fields) {}

  private static final Field<Long> SEQ = field(name("seq"), SQLDataType.BIGINT);
  private static final Field<String> KEY = field(name("key"), SQLDataType.CLOB);
  private static final Field<String> MEMBER = field(name("member"), SQLDataType.CLOB);
  private static final Field<String> OP = field(name("op"), SQLDataType.CLOB);
  private static final Field<String> KIND = field(name("kind"), SQLDataType.CLOB);
  private static final Field<JSONB> FIELDS = field(name("fields"), SQLDataType.JSONB);

  private final DSLContext db;
  private final com.fasterxml.jackson.databind.ObjectMapper json =
      new com.fasterxml.jackson.databind.ObjectMapper();

  public SyncTables(DSLContext warehouse) {
    this.db = warehouse;
  }

  public static Name runTable(String runId) {
    return name(SCHEMA, "r_" + runId);
  }

  public static Name diffTable(String runId) {
    return name(SCHEMA, "d_" + runId);
  }

  /** A stable table name for a sync's state: readable prefix plus a hash of the key. */
  public static Name stateTable(String syncKey) {
    String clean = syncKey.toLowerCase().replaceAll("[^a-z0-9_]", "_");
    if (clean.length() > 30) {
      clean = clean.substring(0, 30);
    }
    return name(SCHEMA, "s_" + clean + "_" + sha(syncKey).substring(0, 10));
  }

  private static String sha(String s) {
    try {
      return HexFormat.of()
          .formatHex(
              MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Creates the schema and the shared tables once. */
  public void ensureSchema() {
    db.execute("create schema if not exists " + SCHEMA);
    db.execute(
        "create table if not exists cs_sync.audience_member ("
            + " audience_key text not null, member_key text not null, version integer not null,"
            + " since timestamptz not null, run_id text, primary key (audience_key, member_key))");
    db.execute(
        "create table if not exists cs_sync.membership_log ("
            + " audience_key text not null, member_key text not null, at timestamptz not null,"
            + " change text not null, version integer not null, run_id text)");
    db.execute(
        "create index if not exists membership_log_member"
            + " on cs_sync.membership_log (audience_key, member_key, at)");
    db.execute(
        "create table if not exists cs_sync.snapshot_member ("
            + " snapshot_id bigint not null, member_key text not null,"
            + " primary key (snapshot_id, member_key))");
  }

  /**
   * Materializes the members into {@code r_<run>} (replacing a partial one): the member key, the
   * identifier's value as text (null when the member has none), the row hash and the mapped values
   * ({@code f0}, {@code f1}, ... in the order of {@link SyncSpec#targets()}). Values stay as the
   * warehouse typed them: JSON is built later, for the rows that changed only.
   *
   * @param members the audience's member query: the key named {@code memberKey} and every source
   *     column or trait by name
   * @return the number of members
   */
  public long materialize(String runId, Select<Record> members, String memberKey, SyncSpec spec) {
    Name run = runTable(runId);
    db.execute("drop table if exists {0}", table(run));
    Table<?> m = members.asTable("m");
    List<Field<?>> values = new ArrayList<>();
    spec.targets().values().forEach(from -> values.add(m.field(from)));
    long fingerprint = fingerprint(spec);
    List<Field<?>> columns = new ArrayList<>();
    columns.add(m.field(memberKey).cast(SQLDataType.CLOB).as("member"));
    columns.add(m.field(spec.identifier().from()).cast(SQLDataType.CLOB).as("key"));
    // the row's text form tells null from empty and keeps each value's own text; the seed makes
    // the hash depend on the mapping too
    columns.add(
        DSL.field(
                "hashtextextended(row({0})::text, {1})",
                SQLDataType.BIGINT, DSL.list(values.toArray(Field[]::new)), DSL.val(fingerprint))
            .as("h"));
    columns.add(DSL.val(fingerprint).as("spec"));
    for (int i = 0; i < values.size(); i++) {
      columns.add(values.get(i).as("f" + i));
    }
    long n =
        db.execute("create unlogged table {0} as {1}", table(run), DSL.select(columns).from(m));
    // every later step reads the whole table (hash joins), so no index pays for itself
    db.execute("analyze {0}", table(run));
    return n;
  }

  /**
   * The mapping as a number: the row hash's seed, and what the diff checks to know that the run
   * table was written under the mapping it builds fields for.
   */
  static long fingerprint(SyncSpec spec) {
    StringBuilder sb = new StringBuilder();
    spec.targets()
        .forEach((to, from) -> sb.append(to).append('\u0000').append(from).append('\u0001'));
    return Long.parseUnsignedLong(sha(sb.toString()).substring(0, 16), 16);
  }

  public boolean exists(Name table) {
    return db.fetchValue(
            "select to_regclass({0}) is not null", DSL.inline(table.first() + "." + table.last()))
        .equals(Boolean.TRUE);
  }

  /** The sync's delivered state, created empty the first time. */
  public void ensureState(String syncKey) {
    db.execute(
        "create table if not exists {0} (key text primary key, h bigint, fields jsonb not null,"
            + " run_id text not null, synced_at timestamptz not null)",
        table(stateTable(syncKey)));
    // a state written before rows had hashes: its rows count as changed once, and are sent again
    // with their current fields (an upsert of what the destination has), then carry a hash. The
    // catalog is asked first, so a run's start takes no table lock for it
    Name state = stateTable(syncKey);
    boolean hashed =
        db.fetchExists(
            DSL.selectOne()
                .from(table(name("pg_catalog", "pg_attribute")))
                .where(
                    field(name("attrelid"))
                        .eq(
                            DSL.field(
                                "to_regclass({0})",
                                Object.class, DSL.val(state.first() + "." + state.last()))),
                    field(name("attname")).eq("h"),
                    field(name("attisdropped")).isFalse()));
    if (!hashed) {
      db.execute("alter table {0} add column if not exists h bigint", table(state));
    }
  }

  /** Forgets what was delivered: the next run sends every member again. */
  public void dropState(String syncKey) {
    db.execute("drop table if exists {0}", table(stateTable(syncKey)));
  }

  /**
   * Writes {@code d_<run>}: rows added (not in the state), changed (the row hash differs) and, for
   * mirror, removed (in the state, not among the members; sent with the fields last delivered). A
   * member without an identifier is not sent; when the identifier is not the member key, two
   * members with one identifier are sent once (the lower member key). Fields are built as JSON for
   * these rows only. Rows are numbered without sorting: the numbering is written once, so every
   * attempt reads the same batches.
   */
  public DiffCounts diff(
      String runId, String syncKey, String mode, boolean keyIsMember, SyncSpec spec) {
    Name r = runTable(runId);
    Long written =
        db.select(field(name("spec"), SQLDataType.BIGINT))
            .from(table(r))
            .limit(1)
            .fetchOne(0, Long.class);
    if (written != null && written.longValue() != fingerprint(spec)) {
      throw new SyncException(
          "the sync's mapping changed while this run was going on; start a new run");
    }
    Name d = diffTable(runId);
    db.execute("drop table if exists {0}", table(d));
    db.execute(
        "create unlogged table {0} (seq bigint not null, key text not null, op text not null,"
            + " kind text not null, fields jsonb not null, h bigint)",
        table(d));
    List<Field<?>> args = new ArrayList<>();
    int i = 0;
    for (String to : spec.targets().keySet()) {
      args.add(DSL.inline(to));
      args.add(field(name("r", "f" + i++)));
    }
    Field<JSONB> fields =
        DSL.function("jsonb_build_object", SQLDataType.JSONB, args.toArray(Field[]::new));
    String changed = "insert".equals(mode) ? "false" : "s.h is distinct from r.h";
    String members =
        keyIsMember
            ? "(select * from {1} where key is not null)"
            : "(select distinct on (key) * from {1} where key is not null order by key, member)";
    // mirror also sends members gone from the audience: one full join finds all three kinds
    boolean mirror = "mirror".equals(mode);
    db.execute(
        "insert into {0} (seq, key, op, kind, fields, h)"
            + " select row_number() over () - 1, key, op, kind, fields, h from ("
            + " select coalesce(r.key, s.key) as key,"
            + " case when r.key is null then 'delete' else 'upsert' end as op,"
            + " case when r.key is null then 'removed' when s.key is null then 'added'"
            + " else 'changed' end as kind,"
            + " case when r.key is null then s.fields else {3} end as fields, r.h from "
            + members
            + (mirror ? " r full join {2} s" : " r left join {2} s")
            + " on s.key = r.key where s.key is null or "
            + (mirror ? "r.key is null or " : "")
            + changed
            + ") x",
        table(d),
        table(r),
        table(stateTable(syncKey)),
        fields);
    db.execute("alter table {0} add primary key (seq)", table(d));
    // batches join it to the state by key: planned with its real size, not a guess
    db.execute("analyze {0}", table(d));
    return counts(runId);
  }

  public DiffCounts counts(String runId) {
    Map<String, Long> byKind = new LinkedHashMap<>();
    db.select(KIND, DSL.count())
        .from(table(diffTable(runId)))
        .groupBy(KIND)
        .fetch()
        .forEach(r -> byKind.put(r.value1(), r.value2().longValue()));
    return new DiffCounts(
        byKind.getOrDefault("added", 0L),
        byKind.getOrDefault("changed", 0L),
        byKind.getOrDefault("removed", 0L));
  }

  /** Up to {@code limit} rows of one kind, in key order: a dry run's sample. */
  public List<DiffRow> sample(String runId, String kind, int limit) {
    return db.select(SEQ, KEY, KIND, FIELDS)
        .from(table(diffTable(runId)))
        .where(KIND.eq(kind))
        .orderBy(SEQ)
        .limit(limit)
        .fetch(r -> new DiffRow(r.value1(), r.value2(), r.value3(), parse(r.value4())));
  }

  /** The rows of diff positions {@code [from, to)} as they are delivered, fields unparsed. */
  public List<DeliveryRow> deliveryRows(String runId, long from, long to) {
    return db.select(KEY, KIND, FIELDS)
        .from(table(diffTable(runId)))
        .where(SEQ.ge(from), SEQ.lt(to))
        .orderBy(SEQ)
        .fetch(
            r ->
                DeliveryRow.ofJson(
                    "removed".equals(r.value2()) ? DeliveryRow.Op.DELETE : DeliveryRow.Op.UPSERT,
                    r.value1(),
                    r.value3().data()));
  }

  /**
   * Advances the state with the rows of positions {@code [from, to)} that the destination accepted
   * (all but {@code rejectedKeys}): upserts take the new fields, deletes leave. Idempotent, so a
   * retried batch applies cleanly.
   */
  public void advance(
      String runId,
      String syncKey,
      long from,
      long to,
      List<DeliveryRow> sent,
      List<String> rejectedKeys,
      Instant at) {
    boolean upserts = sent.stream().anyMatch(r -> r.op() == DeliveryRow.Op.UPSERT);
    boolean deletes = sent.stream().anyMatch(r -> r.op() == DeliveryRow.Op.DELETE);
    Table<?> s = table(stateTable(syncKey));
    Table<?> d = table(diffTable(runId));
    String[] rejected = rejectedKeys.toArray(String[]::new);
    OffsetDateTime now = at.atOffset(ZoneOffset.UTC);
    // each statement is idempotent on its own, so a retried batch applies cleanly
    if (upserts) {
      db.execute(
          "insert into {0} (key, h, fields, run_id, synced_at)"
              + " select key, h, fields, {2}, {3} from {1}"
              + " where seq >= {4} and seq < {5} and op = 'upsert' and not (key = any({6}))"
              + " on conflict (key) do update set h = excluded.h, fields = excluded.fields,"
              + " run_id = excluded.run_id, synced_at = excluded.synced_at",
          s,
          d,
          DSL.val(runId),
          DSL.val(now),
          DSL.val(from),
          DSL.val(to),
          DSL.val(rejected, SQLDataType.CLOB.array()));
    }
    if (deletes) {
      db.execute(
          "delete from {0} s using {1} d where d.seq >= {2} and d.seq < {3}"
              + " and d.op = 'delete' and s.key = d.key and not (d.key = any({4}))",
          s, d, DSL.val(from), DSL.val(to), DSL.val(rejected, SQLDataType.CLOB.array()));
    }
  }

  /**
   * Records the run's members as the audience's membership at {@code at}: an {@code enter} for each
   * new member and an {@code exit} for each one gone, with the run and definition version.
   * Serialized per audience.
   *
   * @return entered and exited
   */
  public long[] recordMembership(
      String audienceKey, int version, String runId, Name members, Instant at) {
    OffsetDateTime when = at.atOffset(ZoneOffset.UTC);
    return db.transactionResult(
        tx -> {
          DSLContext t = tx.dsl();
          t.execute("select pg_advisory_xact_lock(hashtextextended({0}, 7))", DSL.val(audienceKey));
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
                      + " (audience_key, member_key, at, change, version, run_id)"
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

  /** Copies the run's member keys into a snapshot. */
  public void snapshot(long snapshotId, Name members) {
    db.execute(
        "insert into cs_sync.snapshot_member (snapshot_id, member_key)"
            + " select {0}, member from {1} on conflict do nothing",
        DSL.val(snapshotId), table(members));
  }

  /** A snapshot's member keys in order, streamed. */
  public void snapshotMembers(long snapshotId, Consumer<String> sink) {
    db.transaction(
        tx -> {
          try (var cursor =
              tx.dsl()
                  .select(field(name("member_key"), String.class))
                  .from(table(name(SCHEMA, "snapshot_member")))
                  .where(field(name("snapshot_id"), Long.class).eq(snapshotId))
                  .orderBy(
                      DSL.field(NUMERIC_MEMBER_KEY_FIRST).asc().nullsLast(),
                      field(name("member_key")).asc())
                  .fetchSize(10_000)
                  .fetchLazy()) {
            cursor.forEach(r -> sink.accept(r.value1()));
          }
        });
  }

  /**
   * Member keys that are whole numbers sort as numbers (9, 10, 100, not 10, 100, 9), before any
   * other key, which sorts as text.
   */
  private static final String NUMERIC_MEMBER_KEY_FIRST =
      "case when member_key ~ '^[0-9]+$' then member_key::numeric end";

  /** A member at a time: who entered, since when, under which definition version and run. */
  public record Membership(String member, Instant since, int version, String runId) {}

  /**
   * Who was in the audience at {@code at}: each member whose latest log entry at or before then is
   * an enter, with the version that admitted them.
   */
  public List<Membership> membershipAt(String audienceKey, Instant at, int offset, int limit) {
    return db.fetch(
            "select member_key, at, version, run_id from ("
                + " select distinct on (member_key) member_key, at, change, version, run_id"
                + " from cs_sync.membership_log where audience_key = {0} and at <= {1}"
                + " order by member_key, at desc) x where change = 'enter'"
                + " order by "
                + NUMERIC_MEMBER_KEY_FIRST
                + " nulls last, member_key offset {2} limit {3}",
            DSL.val(audienceKey),
            DSL.val(at.atOffset(ZoneOffset.UTC)),
            DSL.val(offset),
            DSL.val(limit))
        .map(
            r ->
                new Membership(
                    r.get(0, String.class),
                    r.get(1, OffsetDateTime.class).toInstant(),
                    r.get(2, Integer.class),
                    r.get(3, String.class)));
  }

  public long membershipCountAt(String audienceKey, Instant at) {
    return db.fetchOne(
            "select count(*) from ("
                + " select distinct on (member_key) change"
                + " from cs_sync.membership_log where audience_key = {0} and at <= {1}"
                + " order by member_key, at desc) x where change = 'enter'",
            DSL.val(audienceKey), DSL.val(at.atOffset(ZoneOffset.UTC)))
        .get(0, Long.class);
  }

  /** Drops the run's working tables once it has ended. */
  public void dropRun(String runId) {
    db.execute("drop table if exists {0}", table(runTable(runId)));
    db.execute("drop table if exists {0}", table(diffTable(runId)));
  }

  @SuppressWarnings("unchecked")
  private Map<String, Object> parse(JSONB value) {
    try {
      return json.readValue(value.data(), LinkedHashMap.class);
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalStateException("a diff row is not JSON: " + e.getOriginalMessage(), e);
    }
  }
}
