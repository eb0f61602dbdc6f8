package io.customerstudio.query.governance;

import static org.jooq.impl.DSL.field;
import static org.jooq.impl.DSL.inline;
import static org.jooq.impl.DSL.name;

import java.util.List;
import org.jooq.Condition;
import org.jooq.Field;
import org.jooq.Table;
import org.jooq.impl.DSL;
import org.jooq.impl.SQLDataType;

/**
 * Consent's semantics ({@link Consent}) as SQL: each subject's latest receipt per purpose, and
 * whether it allows. Set-based: two grouped passes and a hash join over the receipts of the
 * purposes asked for, never a sort per subject.
 */
public final class ConsentSql {

  /** The columns of {@link #latest}: subject, purpose, status (null on a tie), at, tie. */
  public static final Field<String> SUBJECT = field(name("s"), SQLDataType.CLOB);

  public static final Field<String> PURPOSE = field(name("p"), SQLDataType.CLOB);
  public static final Field<String> STATUS = field(name("st"), SQLDataType.CLOB);
  public static final Field<java.time.OffsetDateTime> AT =
      field(name("at"), SQLDataType.TIMESTAMPWITHTIMEZONE);
  public static final Field<Boolean> TIE = field(name("tie"), SQLDataType.BOOLEAN);

  /**
   * Every character Java's {@link String#strip} removes ({@link Character#isWhitespace}): SQL's
   * plain {@code trim} removes spaces only, so a receipt exported as {@code "ads\t"} or {@code
   * "ann@x.com\n"} would not match the purpose or person that {@link Consent#purpose} and {@link
   * Consent#allows} see as equal.
   */
  static final String WHITESPACE = whitespace();

  private ConsentSql() {}

  private static String whitespace() {
    StringBuilder sb = new StringBuilder();
    for (char c = 1; c < Character.MAX_VALUE; c++) {
      if (Character.isWhitespace(c)) {
        sb.append(c);
      }
    }
    return sb.toString();
  }

  /** Text trimmed like {@link String#strip}. */
  static Field<String> strip(Field<?> value) {
    return DSL.trim(value.cast(SQLDataType.CLOB), inline(WHITESPACE));
  }

  /** A value as compared with subjects: its text, trimmed, lower-case. */
  public static Field<String> normalized(Field<?> value) {
    return DSL.lower(strip(value));
  }

  /** The receipts' source: the table, or the query as a derived table. */
  public static Table<?> source(Consent c) {
    if (c.table() != null) {
      String[] parts = c.table().split("\\.");
      return DSL.table(name(parts)).as("rc");
    }
    return DSL.table("(" + c.sql() + ")").as("rc");
  }

  /**
   * The latest receipt of each (subject, purpose) among {@code purposes}, one row each: {@code s}
   * (normalized subject), {@code p} (normalized purpose), {@code st} (the status trimmed and
   * upper-cased, null when two latest receipts tie), {@code at} (null when the latest has no
   * timestamp) and {@code tie}.
   */
  public static Table<?> latest(Consent c, List<String> purposes, String alias) {
    Table<?> rc = source(c);
    Field<String> s = normalized(field(name("rc", c.subjectColumn())));
    Field<String> p = normalized(field(name("rc", c.purposeColumn())));
    Field<String> st = DSL.upper(strip(field(name("rc", c.statusColumn()))));
    // a receipt without a timestamp is older than any with one; -infinity keeps the join hashable
    Field<java.time.OffsetDateTime> at =
        DSL.coalesce(
            field(name("rc", c.timestampColumn())).cast(SQLDataType.TIMESTAMPWITHTIMEZONE),
            io.customerstudio.query.sql.Dialects.minusInfinity());
    Condition wanted = p.in(purposes.stream().map(Consent::purpose).toList());
    Table<?> receipts =
        DSL.select(s.as("s"), p.as("p"), st.as("st"), at.as("at"))
            .from(rc)
            .where(wanted)
            .asTable("rx");
    Table<?> top =
        DSL.select(
                receipts.field("s"),
                receipts.field("p"),
                DSL.max(receipts.field("at", SQLDataType.TIMESTAMPWITHTIMEZONE)).as("at"))
            .from(receipts)
            .groupBy(receipts.field("s"), receipts.field("p"))
            .asTable("top");
    Table<?> again = receipts.as("ry");
    Field<Long> n = DSL.count().cast(SQLDataType.BIGINT);
    return DSL.select(
            top.field("s"),
            top.field("p"),
            DSL.when(n.gt(1L), DSL.inline((String) null))
                .otherwise(DSL.min(again.field("st", SQLDataType.CLOB)))
                .as("st"),
            DSL.when(
                    top.field("at", SQLDataType.TIMESTAMPWITHTIMEZONE)
                        .eq(io.customerstudio.query.sql.Dialects.minusInfinity()),
                    DSL.inline((java.time.OffsetDateTime) null))
                .otherwise(top.field("at", SQLDataType.TIMESTAMPWITHTIMEZONE))
                .as("at"),
            n.gt(1L).as("tie"))
        .from(top)
        .join(again)
        .on(
            again.field("s", SQLDataType.CLOB).eq(top.field("s", SQLDataType.CLOB)),
            again.field("p", SQLDataType.CLOB).eq(top.field("p", SQLDataType.CLOB)),
            again
                .field("at", SQLDataType.TIMESTAMPWITHTIMEZONE)
                .eq(top.field("at", SQLDataType.TIMESTAMPWITHTIMEZONE)))
        .groupBy(top.field("s"), top.field("p"), top.field("at"))
        .asTable(alias);
  }

  /**
   * Whether a latest-receipt row (of {@link #latest} under {@code alias}, left-joined) allows the
   * purpose: no receipt → {@code missing}; a tie blocks; ACTIVE and ALWAYS_ACTIVE allow.
   */
  public static Condition allows(Table<?> latest, boolean missingAllows) {
    Field<String> s = latest.field("s", SQLDataType.CLOB);
    Field<String> st = latest.field("st", SQLDataType.CLOB);
    return DSL.when(s.isNull(), inline(missingAllows))
        .otherwise(DSL.coalesce(st.in(Consent.ALLOWING), inline(false)))
        .eq(inline(true));
  }
}
