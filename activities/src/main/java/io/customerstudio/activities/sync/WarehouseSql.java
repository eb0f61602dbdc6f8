package io.customerstudio.activities.sync;

import java.time.OffsetDateTime;
import java.util.Collection;
import java.util.List;
import org.jooq.Condition;
import org.jooq.DSLContext;
import org.jooq.Field;
import org.jooq.Name;
import org.jooq.SQLDialect;
import org.jooq.Table;
import org.jooq.impl.DSL;
import org.jooq.impl.SQLDataType;

/**
 * The one place where the sync engine's warehouse SQL differs between PostgreSQL and DuckDB: what
 * jOOQ's DSL renders in both dialects is written with it, and the few plain-SQL pieces that cannot
 * be (unlogged scratch tables, planner statistics, catalog lookups, the row hash, JSON building,
 * integer division, array binds, locks) are chosen here by the warehouse's dialect.
 */
final class WarehouseSql {

  private WarehouseSql() {}

  static boolean duckDb(DSLContext db) {
    return db.dialect().family() == SQLDialect.DUCKDB;
  }

  /**
   * {@code create table} for a run's scratch table: unlogged on PostgreSQL (rebuilt by a retried
   * step, never worth the WAL); DuckDB has no such option (and no WAL cost worth avoiding).
   */
  static String createScratch(DSLContext db) {
    return duckDb(db) ? "create table" : "create unlogged table";
  }

  /**
   * Refreshes the planner's statistics of a table just written, on PostgreSQL; DuckDB keeps its
   * statistics as it writes.
   */
  static void analyze(DSLContext db, Table<?> table) {
    if (!duckDb(db)) {
      db.execute("analyze {0}", table);
    }
  }

  /** Whether a (schema-qualified) table exists. */
  static boolean exists(DSLContext db, Name table) {
    if (duckDb(db)) {
      return db.fetchCount(
              DSL.selectOne()
                  .from(DSL.table(DSL.name("information_schema", "tables")))
                  .where(
                      DSL.field(DSL.name("table_schema")).eq(table.first()),
                      DSL.field(DSL.name("table_name")).eq(table.last())))
          > 0;
    }
    return db.fetchValue(
            "select to_regclass({0}) is not null", DSL.inline(table.first() + "." + table.last()))
        .equals(Boolean.TRUE);
  }

  /**
   * A 64-bit hash of the values' row text, seeded: the text tells null from empty and keeps each
   * value's own text. PostgreSQL: {@code hashtextextended}. DuckDB: the low 64 bits of the MD5 of
   * the seed and the text, shifted into a signed {@code bigint} (MD5 rather than DuckDB's {@code
   * hash}, whose values are not promised to stay the same across DuckDB versions: a changed hash
   * would resend every row once). The two engines give different hashes; each warehouse compares
   * only its own.
   */
  static Field<Long> rowHash(DSLContext db, List<Field<?>> values, long seed) {
    org.jooq.QueryPart row = DSL.list(values.toArray(Field[]::new));
    if (duckDb(db)) {
      return DSL.field(
          "(md5_number_lower({1} || row({0})::varchar)::hugeint - 9223372036854775808)::bigint",
          SQLDataType.BIGINT, row, DSL.val(Long.toString(seed)));
    }
    return DSL.field(
        "hashtextextended(row({0})::text, {1})", SQLDataType.BIGINT, row, DSL.val(seed));
  }

  /** A JSON object of alternating keys and values ({@code jsonb} on PostgreSQL). */
  static Field<?> jsonObject(DSLContext db, List<Field<?>> keysAndValues) {
    Field<?>[] args = keysAndValues.toArray(Field[]::new);
    return duckDb(db)
        ? DSL.function("json_object", SQLDataType.JSON, args)
        : DSL.function("jsonb_build_object", SQLDataType.JSONB, args);
  }

  /**
   * A mapped value as it goes into the JSON of a delivered row, written as PostgreSQL's jsonb
   * writes it, so a destination gets the same text from either engine: DuckDB writes timestamps as
   * {@code 2026-01-05 04:00:00+00} where jsonb writes {@code 2026-01-05T04:00:00+00:00} (ISO 8601,
   * fraction without trailing zeros; sessions are in UTC). Other types already agree by value
   * (DuckDB drops a decimal's trailing zeros: {@code 10.5} where jsonb keeps {@code 10.50}).
   *
   * @param type the column's type in {@code information_schema.columns} (DuckDB), or null
   */
  static Field<?> jsonValue(DSLContext db, Field<?> value, String type) {
    if (!duckDb(db) || type == null) {
      return value;
    }
    String iso = "regexp_replace(strftime({0}, '%Y-%m-%dT%H:%M:%S.%f'), '\\.?0+$', '')";
    if (type.equals("TIMESTAMP WITH TIME ZONE")) {
      return DSL.field(iso + " || '+00:00'", SQLDataType.CLOB, value);
    }
    if (type.equals("TIMESTAMP")) {
      return DSL.field(iso, SQLDataType.CLOB, value);
    }
    return value;
  }

  /** The columns' types of a table, by column name, as {@code information_schema} names them. */
  static java.util.Map<String, String> columnTypes(DSLContext db, Name table) {
    java.util.Map<String, String> out = new java.util.HashMap<>();
    db.select(
            DSL.field(DSL.name("column_name"), SQLDataType.CLOB),
            DSL.field(DSL.name("data_type"), SQLDataType.CLOB))
        .from(DSL.table(DSL.name("information_schema", "columns")))
        .where(
            DSL.field(DSL.name("table_schema")).eq(table.first()),
            DSL.field(DSL.name("table_name")).eq(table.last()))
        .fetch()
        .forEach(r -> out.put(r.value1(), r.value2()));
    return out;
  }

  /** The column type of delivered fields. */
  static String jsonType(DSLContext db) {
    return duckDb(db) ? "json" : "jsonb";
  }

  /** The warehouse's clock now (not the transaction's start on PostgreSQL). */
  static Field<OffsetDateTime> clock(DSLContext db) {
    return DSL.field(
        duckDb(db) ? "get_current_timestamp()" : "clock_timestamp()",
        SQLDataType.TIMESTAMPWITHTIMEZONE);
  }

  /**
   * The rows of the diff {@code d} in the given batches, except rejected keys. PostgreSQL: the
   * numbers and keys bound as two arrays (one parameter each, however many); DuckDB: as in-lists,
   * with the quotient floored ({@code /} divides exactly there, and jOOQ's templates read DuckDB's
   * {@code //} as a comment).
   */
  static Condition inBatches(
      DSLContext db,
      long from,
      long to,
      long batchSize,
      Collection<Integer> batches,
      Collection<String> rejectedKeys) {
    Field<Long> seq = DSL.field(DSL.name("d", "seq"), SQLDataType.BIGINT);
    Field<String> key = DSL.field(DSL.name("d", "key"), SQLDataType.CLOB);
    Condition range = seq.ge(from).and(seq.lt(to));
    if (duckDb(db)) {
      return range
          .and(
              DSL.field(
                      "cast(floor({0} / {1}) as bigint)",
                      SQLDataType.BIGINT, seq, DSL.val(batchSize))
                  .in(batches.stream().map(Integer::longValue).toList()))
          .and(rejectedKeys.isEmpty() ? DSL.noCondition() : key.notIn(rejectedKeys));
    }
    return DSL.condition(
        "({0} / {1})::int = any({2}) and not ({3} = any({4}))",
        seq,
        DSL.val(batchSize),
        DSL.val(batches.toArray(Integer[]::new), SQLDataType.INTEGER.array()),
        key,
        DSL.val(rejectedKeys.toArray(String[]::new), SQLDataType.CLOB.array()));
  }

  /**
   * Member keys that are whole numbers as numbers, others null: the sort that puts 9 before 10
   * (DuckDB's {@code numeric} is a fixed 18 digits, so a 128-bit integer there).
   */
  static String numericMemberKey(DSLContext db) {
    return duckDb(db)
        ? "case when member_key ~ '^[0-9]+$' then try_cast(member_key as hugeint) end"
        : "case when member_key ~ '^[0-9]+$' then member_key::numeric end";
  }
}
