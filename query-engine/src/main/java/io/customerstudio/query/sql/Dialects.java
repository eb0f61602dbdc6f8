package io.customerstudio.query.sql;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import org.jooq.Context;
import org.jooq.DataType;
import org.jooq.Field;
import org.jooq.QueryPart;
import org.jooq.SQLDialect;
import org.jooq.impl.CustomField;
import org.jooq.impl.DSL;
import org.jooq.impl.SQLDataType;

/**
 * The few warehouse expressions that PostgreSQL and DuckDB spell differently, as jOOQ fields that
 * render in the dialect of whatever context renders them. The compiler builds one query tree; the
 * warehouse's {@code DSLContext} decides the text. Each pair is written so both engines return the
 * same value for the same input (tests run every warehouse query on both). The exception is {@link
 * #readText}, whose Java type differs by engine, so it takes the warehouse's dialect when the query
 * is built.
 */
public final class Dialects {

  private Dialects() {}

  /** Whether a rendering context targets DuckDB. */
  public static boolean duckDb(Context<?> ctx) {
    return ctx.family() == SQLDialect.DUCKDB;
  }

  /**
   * A field rendered from {@code postgres} or {@code duckDb}, plain-SQL templates over the same
   * arguments ({@code {0}}, {@code {1}}, ...).
   */
  public static <T> Field<T> either(
      DataType<T> type, String postgres, String duckDb, QueryPart... arguments) {
    return CustomField.of(
        "cs_dialect",
        type,
        ctx -> ctx.visit(DSL.field(duckDb(ctx) ? duckDb : postgres, type, arguments)));
  }

  /**
   * The unsigned integer value of the first eight hex digits of {@code hex} (an md5 digest): in [0,
   * 2^32).
   */
  public static Field<Long> hex8(Field<String> hex) {
    return either(
        SQLDataType.BIGINT,
        "(('x' || lpad(substr({0}, 1, 8), 16, '0'))::bit(64)::bigint)",
        "(('0x' || substr({0}, 1, 8))::bigint)",
        hex);
  }

  /**
   * A fast, seeded hash of a key for sampling, in [0, 10000). Each engine uses its own native hash
   * (PostgreSQL's {@code hashint8extended}/{@code hashtextextended}, DuckDB's {@code hash}), so a
   * sample is deterministic per engine but not the same rows on both; splits, which must agree
   * across engines, use {@link #hex8} over md5 instead.
   */
  public static Field<Long> sampleBucket(Field<?> key, boolean integerKey, long seed) {
    Field<Long> s = DSL.val(seed);
    return integerKey
        ? either(
            SQLDataType.BIGINT,
            "mod(abs(hashint8extended({0}, {1})), 10000)",
            "(hash({0}, {1}) % 10000)",
            key,
            s)
        : either(
            SQLDataType.BIGINT,
            "mod(abs(hashtextextended(cast({0} as text), {1})), 10000)",
            "(hash(cast({0} as varchar), {1}) % 10000)",
            key,
            s);
  }

  /**
   * {@code a / b} truncated to an integer ({@code /} is exact division on DuckDB, whose {@code //}
   * jOOQ would read as a comment). Exact for the operands used here (below 2^53).
   */
  public static Field<Long> intDiv(Field<?> a, Field<?> b) {
    return either(SQLDataType.BIGINT, "({0} / {1})", "cast(floor({0} / {1}) as bigint)", a, b);
  }

  /**
   * PostgreSQL's {@code width_bucket(x, lo, hi, n)} for {@code lo < hi}: 0 below {@code lo}, 1..n
   * within, n+1 at or above {@code hi}. DuckDB has no such function; there it is the same
   * arithmetic written out.
   */
  public static Field<Integer> widthBucket(Field<Double> x, double lo, double hi, int n) {
    return either(
        SQLDataType.INTEGER,
        "width_bucket({0}, {1}, {2}, {3})",
        "(case when {0} < {1} then 0 when {0} >= {2} then {3} + 1"
            + " else cast(floor(({0} - {1}) / ({2} - {1}) * {3}) as integer) + 1 end)",
        x,
        DSL.val(lo),
        DSL.val(hi),
        DSL.val(n));
  }

  /**
   * The most frequent non-null value of {@code value} in a group, ties going to the smallest; null
   * for none. PostgreSQL's {@code mode()} does exactly that; DuckDB's picks any of the tied values,
   * so there it is computed from the group's histogram: entries sorted by value, the first with the
   * highest count kept.
   */
  public static <T> Field<T> mostFrequent(Field<T> value) {
    return CustomField.of(
        "cs_most_frequent",
        value.getDataType(),
        ctx ->
            ctx.visit(
                duckDb(ctx)
                    ? DSL.field(
                        // struct_extract, not b.value: in a HAVING clause DuckDB binds b.value
                        // as a column of the grouped query
                        "struct_extract(list_reduce(list_sort(map_entries(histogram({0}))),"
                            + " lambda cs_a, cs_b: case when struct_extract(cs_b, 'value')"
                            + " > struct_extract(cs_a, 'value') then cs_b else cs_a end), 'key')",
                        value.getDataType(), value)
                    : DSL.mode().withinGroupOrderBy(value)));
  }

  /**
   * {@code key} is one of {@code values} (Strings or Longs), with all values in one bind parameter:
   * PostgreSQL {@code key = any(?)} over an array; DuckDB {@code key IN} the unnested JSON array
   * read as a list, since its driver binds no Java arrays.
   */
  public static org.jooq.Condition anyOf(Field<?> key, Object[] values) {
    boolean longs = values instanceof Long[];
    return org.jooq.impl.CustomCondition.of(
        ctx -> {
          if (duckDb(ctx)) {
            String json;
            try {
              json = JSON.writeValueAsString(values);
            } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
              throw new IllegalArgumentException(e);
            }
            // a semi-join on the unnested list: list_contains(list, key) tests every row
            // against the whole list (1.1 s for 5,000 keys over 1M rows, against 15 ms)
            ctx.visit(
                DSL.condition(
                    "{0} in (select unnest(cast(from_json(cast({1} as varchar), {2}) as "
                        + (longs ? "bigint[]" : "varchar[]")
                        + ")))",
                    key,
                    DSL.val(json),
                    DSL.inline(longs ? "[\"BIGINT\"]" : "[\"VARCHAR\"]")));
          } else {
            @SuppressWarnings({"unchecked", "rawtypes"})
            org.jooq.Condition c = ((Field) key).eq(DSL.any(DSL.val(values)));
            ctx.visit(c);
          }
        });
  }

  private static final com.fasterxml.jackson.databind.ObjectMapper JSON =
      new com.fasterxml.jackson.databind.ObjectMapper();

  /** Text that crossed the driver as its UTF-8 bytes, as a String again. */
  private static final DataType<String> UTF8_BYTES =
      SQLDataType.BLOB.asConvertedDataType(
          org.jooq.Converter.ofNullable(
              byte[].class,
              String.class,
              b -> new String(b, java.nio.charset.StandardCharsets.UTF_8),
              t -> t.getBytes(java.nio.charset.StandardCharsets.UTF_8)));

  /**
   * {@code text} (a value of a text type) in the form a {@code dialect} connection hands over
   * fastest, read as a String: the field itself on PostgreSQL; on DuckDB its UTF-8 bytes ({@code
   * encode}; a cast to BLOB would read backslash escapes in the text), decoded in Java. DuckDB's
   * JDBC driver builds every VARCHAR value of a result through a JNI charset decode, about 1 µs
   * each, where a BLOB crosses as bytes: a million rows of three text columns read in 1.5-1.8 s as
   * VARCHAR and 0.35-0.55 s as bytes. For the select list of large or frequent reads, not for
   * conditions. The engine is chosen when the query is built, from {@code dialect}: pass the
   * dialect of the warehouse that runs it.
   */
  public static Field<String> readText(SQLDialect dialect, Field<?> text) {
    if (dialect.family() != SQLDialect.DUCKDB) {
      return text.coerce(String.class);
    }
    return DSL.field("encode(cast({0} as varchar))", UTF8_BYTES, text);
  }

  /** {@code -infinity} as a timestamp with time zone: older than any time. */
  public static Field<java.time.OffsetDateTime> minusInfinity() {
    return either(
        SQLDataType.TIMESTAMPWITHTIMEZONE,
        "'-infinity'::timestamptz",
        "'-infinity'::timestamptz",
        new QueryPart[0]);
  }

  /**
   * Starts a read-only session on a connection where the driver can (PostgreSQL). DuckDB cannot
   * make one connection of a read-write database read-only; there the caller's guarantees stand:
   * user SQL is only ever run as a subquery (which admits no DDL or DML) in a transaction that is
   * rolled back.
   */
  public static void readOnly(Connection c, boolean readOnly) throws SQLException {
    try {
      c.setReadOnly(readOnly);
    } catch (SQLFeatureNotSupportedException e) {
      // DuckDB: see above
    }
  }
}
