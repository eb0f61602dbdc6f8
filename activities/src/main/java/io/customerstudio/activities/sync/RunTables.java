package io.customerstudio.activities.sync;

import static org.jooq.impl.DSL.field;
import static org.jooq.impl.DSL.name;
import static org.jooq.impl.DSL.table;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import io.customerstudio.activities.destinations.DeliveryRow;
import io.customerstudio.infra.store.SyncMode;
import io.customerstudio.query.governance.Split;
import io.customerstudio.query.governance.SplitSql;
import io.customerstudio.query.sql.Dialects;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.jooq.DSLContext;
import org.jooq.Field;
import org.jooq.Name;
import org.jooq.Record;
import org.jooq.Select;
import org.jooq.Table;
import org.jooq.impl.DSL;
import org.jooq.impl.SQLDataType;

/**
 * A run's working tables in the warehouse ({@code cs_sync}), all set-based SQL, so rows never pass
 * through the app except to be delivered:
 *
 * <ul>
 *   <li>{@code r_<run>}: the run's members: member key, identifier key, a 64-bit hash of the mapped
 *       values ({@code h}, seeded with the mapping, so a mapping change changes every row) and the
 *       mapped values themselves, one column each, as the warehouse typed them;
 *   <li>{@code d_<run>}: the diff against the sync's {@link DeliveredState}, numbered ({@code seq})
 *       once, so batch {@code n} is a fixed range of rows for every attempt of the run; only its
 *       rows get their fields built as JSON.
 * </ul>
 *
 * <p>They are the run's own scratch space, named after it: created once by its materialize and diff
 * steps (never {@code IF NOT EXISTS}), dropped when it ends or by the retention. The shared tables
 * come from {@code WarehouseMigrations}.
 */
public final class RunTables {

  public static final String SCHEMA = "cs_sync";

  /** Counts of a diff. */
  public record DiffCounts(long added, long changed, long removed) {
    public long total() {
      return added + changed + removed;
    }
  }

  /**
   * Why a row is in a diff: not yet delivered ({@code added}), its values changed since ({@code
   * changed}), or gone from the audience of a mirror ({@code removed}). The wire name, also the
   * {@code kind} column of {@code d_<run>}, is the lower-case constant name.
   */
  public enum DiffKind {
    ADDED,
    CHANGED,
    REMOVED;

    @JsonValue
    public String wire() {
      return name().toLowerCase(Locale.ROOT);
    }

    @JsonCreator
    public static DiffKind of(String wire) {
      return valueOf(wire.toUpperCase(Locale.ROOT));
    }
  }

  /**
   * The audience's split, assigned into the run table's {@code grp} column: the split and the
   * stratum's source column or trait (null when not stratified), which the member query selects.
   */
  public record Grouping(Split split, String stratum) {}

  /** A row of a diff, for delivery or a dry run's sample. */
  public record DiffRow(long seq, String key, DiffKind kind, Map<String, Object> fields) {}

  private static final Field<Long> SEQ = field(name("seq"), SQLDataType.BIGINT);
  private static final Field<String> KEY = field(name("key"), SQLDataType.CLOB);
  private static final Field<String> MEMBER = field(name("member"), SQLDataType.CLOB);
  private static final Field<String> OP = field(name("op"), SQLDataType.CLOB);
  private static final Field<String> KIND = field(name("kind"), SQLDataType.CLOB);
  // read as text on both engines (jsonb on PostgreSQL, JSON on DuckDB)
  private static final Field<String> FIELDS = field(name("fields"), SQLDataType.CLOB);

  private final DSLContext db;
  private final com.fasterxml.jackson.databind.ObjectMapper json =
      new com.fasterxml.jackson.databind.ObjectMapper();

  public RunTables(DSLContext warehouse) {
    this.db = warehouse;
  }

  /** The warehouse these tables live in. */
  DSLContext dsl() {
    return db;
  }

  public static Name runTable(String runId) {
    return name(SCHEMA, "r_" + runId);
  }

  public static Name diffTable(String runId) {
    return name(SCHEMA, "d_" + runId);
  }

  /** The members a run excluded, with their first reason: {@code member, reason, detail}. */
  public static Name governTable(String runId) {
    return name(SCHEMA, "g_" + runId);
  }

  /** SHA-256 of the text, in hex: the mapping fingerprint, and the legacy state tables' names. */
  static String sha(String s) {
    try {
      return HexFormat.of()
          .formatHex(
              MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
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
    return materialize(runId, members, memberKey, spec, null);
  }

  /** As above, with each member's split group in {@code grp} when {@code grouping} is given. */
  public long materialize(
      String runId, Select<Record> members, String memberKey, SyncSpec spec, Grouping grouping) {
    Name run = runTable(runId);
    db.execute("drop table if exists {0}", table(run));
    Table<?> m = members.asTable("m");
    // the split group is assigned over the audience's members, before anything excludes them, so
    // every sync of the audience sees the same groups
    Field<String> group =
        grouping == null
            ? DSL.inline((String) null, SQLDataType.CLOB)
            : SplitSql.group(
                grouping.split(),
                m.field(memberKey).cast(SQLDataType.CLOB),
                grouping.stratum() == null ? null : m.field(grouping.stratum()));
    List<Field<?>> values = new ArrayList<>();
    spec.targets()
        .values()
        .forEach(from -> values.add(from.equals(SyncSpec.SPLIT_GROUP) ? group : m.field(from)));
    long fingerprint = fingerprint(spec);
    List<Field<?>> columns = new ArrayList<>();
    columns.add(m.field(memberKey).cast(SQLDataType.CLOB).as("member"));
    columns.add(m.field(spec.identifier().from()).cast(SQLDataType.CLOB).as("key"));
    // the row's text form tells null from empty and keeps each value's own text; the seed makes
    // the hash depend on the mapping too
    columns.add(WarehouseSql.rowHash(db, values, fingerprint).as("h"));
    columns.add(DSL.val(fingerprint).as("spec"));
    columns.add(group.as("grp"));
    for (int i = 0; i < values.size(); i++) {
      columns.add(values.get(i).as("f" + i));
    }
    long n =
        db.execute(
            WarehouseSql.createScratch(db) + " {0} as {1}",
            table(run),
            DSL.select(columns).from(m));
    if (WarehouseSql.duckDb(db)) {
      // DuckDB's create-as-select reports no row count
      n = db.fetchCount(table(run));
    }
    // every later step reads the whole table (hash joins), so no index pays for itself
    WarehouseSql.analyze(db, table(run));
    return n;
  }

  /**
   * Writes {@code g_<run>}: the members the policy excludes (the query of {@code
   * Governance.excluded} over the run table), then, when the identifier is not the member key, the
   * remaining members that cannot be sent by it: no identifier, or one another member (the lowest
   * member key) is sent by. What is left is exactly what the diff compares.
   */
  public void govern(String runId, Select<?> excluded, boolean keyIsMember) {
    Name g = governTable(runId);
    db.execute("drop table if exists {0}", table(g));
    db.execute(WarehouseSql.createScratch(db) + " {0} as {1}", table(g), excluded);
    if (!keyIsMember) {
      db.execute(
          "insert into {0} (member, reason, detail)"
              + " select member, 'identifier',"
              + " case when key is null then 'no identifier'"
              + " else 'sent as ' || first end from ("
              + " select r.member, r.key,"
              + " first_value(r.member) over (partition by r.key order by r.member) as first,"
              + " row_number() over (partition by r.key order by r.member) as n"
              + " from {1} r where not exists (select 1 from {0} g where g.member = r.member)) x"
              + " where key is null or n > 1",
          table(g), table(runTable(runId)));
    }
    WarehouseSql.analyze(db, table(g));
  }

  /** How many members each reason excluded in the run. */
  public Map<String, Long> excludedCounts(String runId) {
    Map<String, Long> out = new LinkedHashMap<>();
    db.select(field(name("reason"), SQLDataType.CLOB), DSL.count())
        .from(table(governTable(runId)))
        .groupBy(field(name("reason")))
        .fetch()
        .forEach(r -> out.put(r.value1(), r.value2().longValue()));
    return out;
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

  /** The warehouse's own clock: when an evaluation starting now observes the data. */
  public java.time.Instant now() {
    return db.select(WarehouseSql.clock(db))
        .fetchOne(0, java.time.OffsetDateTime.class)
        .toInstant();
  }

  public boolean exists(Name table) {
    return WarehouseSql.exists(db, table);
  }

  /**
   * Writes {@code d_<run>}: rows added (not in the sync's delivered state), changed (the row hash
   * differs) and, for mirror, removed (in the state, not among the members; sent with the fields
   * last delivered). A member without an identifier is not sent; when the identifier is not the
   * member key, two members with one identifier are sent once (the lower member key). Fields are
   * built as JSON for these rows only. Rows are numbered without sorting: the numbering is written
   * once, so every attempt reads the same batches.
   */
  public DiffCounts diff(
      String runId, String syncKey, SyncMode mode, boolean keyIsMember, SyncSpec spec) {
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
        WarehouseSql.createScratch(db)
            + " {0} (seq bigint not null, key text not null, op text not null,"
            + " kind text not null, fields "
            + WarehouseSql.jsonType(db)
            + " not null, h bigint)",
        table(d));
    List<Field<?>> args = new ArrayList<>();
    Map<String, String> types =
        WarehouseSql.duckDb(db) ? WarehouseSql.columnTypes(db, r) : Map.of();
    int i = 0;
    for (String to : spec.targets().keySet()) {
      String column = "f" + i++;
      args.add(DSL.inline(to));
      args.add(WarehouseSql.jsonValue(db, field(name("r", column)), types.get(column)));
    }
    Field<?> fields = WarehouseSql.jsonObject(db, args);
    String changed = mode == SyncMode.INSERT ? "false" : "s.h is distinct from r.h";
    // governed runs send only the members no rule excluded (g_ holds the others); a run table
    // from before governance (a run in flight across the upgrade) has no g_
    boolean governed = exists(governTable(runId));
    String eligible =
        governed ? " and not exists (select 1 from {4} g where g.member = x.member)" : "";
    String members =
        keyIsMember
            ? "(select * from {1} x where key is not null" + eligible + ")"
            : "(select distinct on (key) * from {1} x where key is not null"
                + eligible
                + " order by key, member)";
    // a person whose consent no longer allows is removed from an upsert destination too:
    // keeping them there is processing without consent (mirror removes every excluded key)
    String consentRemovals =
        governed && mode == SyncMode.UPSERT
            ? " union all select s.key, 'delete', 'removed', s.fields, cast(null as bigint)"
                + " from "
                + DeliveredState.OF_SYNC
                + " s where s.key in (select x.key from {1} x join {4} g on g.member = x.member"
                + " where g.reason = 'consent' and x.key is not null)"
                + " and not exists (select 1 from {1} x where x.key = s.key"
                + " and not exists (select 1 from {4} g where g.member = x.member))"
            : "";
    // mirror also sends members gone from the audience: one full join finds all three kinds
    boolean mirror = mode == SyncMode.MIRROR;
    db.execute(
        "insert into {0} (seq, key, op, kind, fields, h)"
            + " select row_number() over () - 1, key, op, kind, fields, h from ("
            + " select coalesce(r.key, s.key) as key,"
            + " case when r.key is null then 'delete' else 'upsert' end as op,"
            + " case when r.key is null then 'removed' when s.key is null then 'added'"
            + " else 'changed' end as kind,"
            + " case when r.key is null then s.fields else {3} end as fields, r.h from "
            + members
            + (mirror ? " r full join " : " r left join ")
            + DeliveredState.OF_SYNC
            + " s"
            + " on s.key = r.key where s.key is null or "
            + (mirror ? "r.key is null or " : "")
            + changed
            + consentRemovals
            + ") x",
        table(d),
        table(r),
        DSL.val(syncKey),
        fields,
        table(governTable(runId)));
    db.execute("alter table {0} add primary key (seq)", table(d));
    // batches join it to the state by key: planned with its real size, not a guess
    WarehouseSql.analyze(db, table(d));
    return counts(runId);
  }

  public DiffCounts counts(String runId) {
    Map<DiffKind, Long> byKind = new EnumMap<>(DiffKind.class);
    db.select(KIND, DSL.count())
        .from(table(diffTable(runId)))
        .groupBy(KIND)
        .fetch()
        .forEach(r -> byKind.put(DiffKind.of(r.value1()), r.value2().longValue()));
    return new DiffCounts(
        byKind.getOrDefault(DiffKind.ADDED, 0L),
        byKind.getOrDefault(DiffKind.CHANGED, 0L),
        byKind.getOrDefault(DiffKind.REMOVED, 0L));
  }

  /** Up to {@code limit} rows of one kind, in key order: a dry run's sample. */
  public List<DiffRow> sample(String runId, DiffKind kind, int limit) {
    return db.select(SEQ, KEY, FIELDS)
        .from(table(diffTable(runId)))
        .where(KIND.eq(kind.wire()))
        .orderBy(SEQ)
        .limit(limit)
        .fetch(r -> new DiffRow(r.value1(), r.value2(), kind, parse(r.value3())));
  }

  /** The rows of diff positions {@code [from, to)} as they are delivered, fields unparsed. */
  public List<DeliveryRow> deliveryRows(String runId, long from, long to) {
    // a run reads every row it delivers: its text as the driver hands it over fastest
    return db.select(
            Dialects.readText(db.dialect(), KEY), KIND, Dialects.readText(db.dialect(), FIELDS))
        .from(table(diffTable(runId)))
        .where(SEQ.ge(from), SEQ.lt(to))
        .orderBy(SEQ)
        .fetch(
            r ->
                DeliveryRow.ofJson(
                    DiffKind.of(r.value2()) == DiffKind.REMOVED
                        ? DeliveryRow.Op.DELETE
                        : DeliveryRow.Op.UPSERT,
                    r.value1(),
                    r.value3()));
  }

  /** Drops the run's working tables once it has ended. */
  public void dropRun(String runId) {
    db.execute("drop table if exists {0}", table(runTable(runId)));
    db.execute("drop table if exists {0}", table(diffTable(runId)));
    db.execute("drop table if exists {0}", table(governTable(runId)));
  }

  @SuppressWarnings("unchecked")
  private Map<String, Object> parse(String value) {
    try {
      return json.readValue(value, LinkedHashMap.class);
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalStateException("a diff row is not JSON: " + e.getOriginalMessage(), e);
    }
  }
}
