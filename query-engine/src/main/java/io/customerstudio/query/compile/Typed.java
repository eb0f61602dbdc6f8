package io.customerstudio.query.compile;

import io.customerstudio.query.schema.Column;
import io.customerstudio.query.schema.ColumnType;
import java.util.Locale;
import org.jooq.DataType;
import org.jooq.Field;
import org.jooq.impl.DSL;
import org.jooq.impl.SQLDataType;

/**
 * An expression the compiler compares: a column, an aggregate or a trait value, with its spec type,
 * the Java type its bind values take, and whether it can be NULL.
 */
public record Typed(
    Field<?> field,
    ColumnType type,
    DataType<?> dataType,
    boolean nullable,
    boolean simple,
    Field<java.time.LocalDate> day) {

  /** A computed expression (aggregate, trait value): not a plain column. */
  public Typed(Field<?> field, ColumnType type, DataType<?> dataType, boolean nullable) {
    this(field, type, dataType, nullable, false, null);
  }

  /**
   * A column of a {@code date} type, which the spec reads as the start of its day in UTC: {@link
   * #field} is that timestamp, for values and aggregates; {@link #day} is the column itself, so a
   * comparison with a time can be a comparison of days that an index or a zone map serves.
   */
  public boolean isDay() {
    return day != null;
  }

  /** A column of an aliased model, typed so that bind values match the column's own type. */
  static Typed column(String alias, Column c) {
    Field<?> raw = DSL.field(DSL.name(alias, c.name()), dataType(c));
    String nativeType = c.nativeType().toLowerCase(Locale.ROOT);
    if (c.type() == ColumnType.TIMESTAMP && nativeType.equals("date")) {
      // compare dates as the start of their day (UTC sessions), like every other time
      return new Typed(
          DSL.cast(raw, SQLDataType.LOCALDATETIME),
          c.type(),
          SQLDataType.LOCALDATETIME,
          c.nullable(),
          true,
          DSL.field(DSL.name(alias, c.name()), SQLDataType.LOCALDATE));
    }
    if (c.type() == ColumnType.STRING && !ColumnType.TEXT_TYPES.contains(nativeType)) {
      return new Typed(
          DSL.cast(raw, SQLDataType.VARCHAR),
          c.type(),
          SQLDataType.VARCHAR,
          c.nullable(),
          true,
          null);
    }
    return new Typed(raw, c.type(), raw.getDataType(), c.nullable(), true, null);
  }

  static Typed of(Field<?> field, ColumnType type, boolean nullable) {
    return new Typed(field, type, field.getDataType(), nullable);
  }

  static DataType<?> dataType(Column c) {
    String t = c.nativeType().toLowerCase(Locale.ROOT);
    return switch (c.type()) {
      case NUMBER ->
          ColumnType.INTEGER_TYPES.contains(t)
              ? SQLDataType.BIGINT
              : ColumnType.FLOAT_TYPES.contains(t) ? SQLDataType.DOUBLE : SQLDataType.NUMERIC;
      case BOOLEAN -> SQLDataType.BOOLEAN;
      case TIMESTAMP ->
          ColumnType.LOCAL_TIMESTAMP_TYPES.contains(t)
              ? SQLDataType.LOCALDATETIME
              : t.equals("date") ? SQLDataType.LOCALDATE : SQLDataType.TIMESTAMPWITHTIMEZONE;
      case JSON -> SQLDataType.JSONB;
      case STRING -> SQLDataType.VARCHAR;
    };
  }

  static DataType<?> dataType(ColumnType type) {
    return switch (type) {
      case NUMBER -> SQLDataType.NUMERIC;
      case BOOLEAN -> SQLDataType.BOOLEAN;
      case TIMESTAMP -> SQLDataType.TIMESTAMPWITHTIMEZONE;
      case JSON -> SQLDataType.JSONB;
      case STRING -> SQLDataType.VARCHAR;
    };
  }
}
