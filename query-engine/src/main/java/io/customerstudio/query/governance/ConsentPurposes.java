package io.customerstudio.query.governance;

import static org.jooq.impl.DSL.field;
import static org.jooq.impl.DSL.inline;
import static org.jooq.impl.DSL.name;

import java.sql.Connection;
import java.util.List;
import org.jooq.DSLContext;
import org.jooq.Field;
import org.jooq.Record5;
import org.jooq.Select;
import org.jooq.Table;
import org.jooq.impl.DSL;
import org.jooq.impl.SQLDataType;

/**
 * What the consent source says, per purpose: how many subjects' latest receipt allows, blocks, or
 * ties (two latest receipts with the same timestamp, which blocks). The semantics are {@link
 * Consent}'s: subjects and purposes trimmed and lower-cased, statuses trimmed and upper-cased, a
 * receipt without a timestamp older than any with one. For the admin's preview; never used to
 * decide a delivery.
 */
public final class ConsentPurposes {

  /** One purpose's subjects, by what their latest receipt says. */
  public record Count(String purpose, long subjects, long allows, long blocks, long ties) {}

  /** The most purposes listed: a wrong purpose column would list every subject. */
  public static final int LIMIT = 500;

  private ConsentPurposes() {}

  /** The summary query, one row per purpose ordered by purpose. */
  public static Select<Record5<String, Long, Long, Long, Long>> query(Consent c) {
    Table<?> rc = source(c);
    Field<String> s = normalized(field(name("rc", c.subjectColumn())));
    Field<String> p = normalized(field(name("rc", c.purposeColumn())));
    Field<String> st =
        DSL.upper(DSL.trim(field(name("rc", c.statusColumn())).cast(SQLDataType.CLOB)));
    Field<java.time.OffsetDateTime> at =
        DSL.coalesce(
            field(name("rc", c.timestampColumn())).cast(SQLDataType.TIMESTAMPWITHTIMEZONE),
            io.customerstudio.query.sql.Dialects.minusInfinity());
    Table<?> receipts =
        DSL.select(s.as("s"), p.as("p"), st.as("st"), at.as("at"))
            .from(rc)
            .where(s.isNotNull(), p.isNotNull(), p.ne(inline("")))
            .asTable("rx");
    Field<String> rs = receipts.field("s", SQLDataType.CLOB);
    Field<String> rp = receipts.field("p", SQLDataType.CLOB);
    Field<java.time.OffsetDateTime> rat = receipts.field("at", SQLDataType.TIMESTAMPWITHTIMEZONE);
    Table<?> ranked =
        DSL.select(
                rs,
                rp,
                receipts.field("st", SQLDataType.CLOB),
                rat,
                DSL.max(rat).over(DSL.partitionBy(rs, rp)).as("top"))
            .from(receipts)
            .asTable("rk");
    Table<?> latest =
        DSL.select(
                ranked.field("s"),
                ranked.field("p"),
                DSL.count().as("n"),
                DSL.min(ranked.field("st", SQLDataType.CLOB)).as("st"))
            .from(ranked)
            .where(
                ranked
                    .field("at", SQLDataType.TIMESTAMPWITHTIMEZONE)
                    .eq(ranked.field("top", SQLDataType.TIMESTAMPWITHTIMEZONE)))
            .groupBy(ranked.field("s"), ranked.field("p"))
            .asTable("lt");
    Field<Integer> n = latest.field("n", SQLDataType.INTEGER);
    Field<String> lst = latest.field("st", SQLDataType.CLOB);
    Field<String> lp = latest.field("p", SQLDataType.CLOB);
    org.jooq.Condition allowing = DSL.coalesce(lst.in(Consent.ALLOWING), inline(false)).isTrue();
    return DSL.select(
            lp.as("purpose"),
            DSL.count().cast(SQLDataType.BIGINT).as("subjects"),
            DSL.count().filterWhere(n.eq(1).and(allowing)).cast(SQLDataType.BIGINT).as("allows"),
            DSL.count().filterWhere(n.eq(1).andNot(allowing)).cast(SQLDataType.BIGINT).as("blocks"),
            DSL.count().filterWhere(n.gt(1)).cast(SQLDataType.BIGINT).as("ties"))
        .from(latest)
        .groupBy(lp)
        .orderBy(lp)
        .limit(LIMIT);
  }

  /**
   * Runs the summary in a read-only transaction (a source written as SQL is the admin's query), so
   * nothing it says can change the warehouse.
   */
  public static List<Count> fetch(DSLContext warehouse, Consent c) {
    return readOnly(
        warehouse,
        dsl ->
            dsl.fetch(query(c))
                .map(r -> new Count(r.value1(), r.value2(), r.value3(), r.value4(), r.value5())));
  }

  /** The distinct purposes the source names (trimmed, lower-cased, sorted): for pickers. */
  public static List<String> names(DSLContext warehouse, Consent c) {
    Field<String> p = normalized(field(name("rc", c.purposeColumn())));
    return readOnly(
        warehouse,
        dsl ->
            dsl.selectDistinct(p)
                .from(source(c))
                .where(p.isNotNull(), p.ne(inline("")))
                .orderBy(p)
                .limit(LIMIT)
                .fetch(p));
  }

  private static <T> T readOnly(
      DSLContext warehouse, java.util.function.Function<DSLContext, T> query) {
    return warehouse.connectionResult(
        conn -> {
          boolean autoCommit = conn.getAutoCommit();
          conn.setAutoCommit(false);
          io.customerstudio.query.sql.Dialects.readOnly(conn, true);
          try {
            return query.apply(DSL.using(conn, warehouse.dialect()));
          } finally {
            restore(conn, autoCommit);
          }
        });
  }

  private static void restore(Connection conn, boolean autoCommit) throws java.sql.SQLException {
    conn.rollback();
    io.customerstudio.query.sql.Dialects.readOnly(conn, false);
    conn.setAutoCommit(autoCommit);
  }

  /** A value as subjects are compared: its text, trimmed, lower-case. */
  static Field<String> normalized(Field<?> value) {
    return DSL.lower(DSL.trim(value.cast(SQLDataType.CLOB)));
  }

  /** The receipts: the table, or the admin's query as a derived table. */
  static Table<?> source(Consent c) {
    if (c.table() != null) {
      return DSL.table(name(c.table().split("\\."))).as("rc");
    }
    return DSL.table("(" + c.sql() + ")").as("rc");
  }
}
