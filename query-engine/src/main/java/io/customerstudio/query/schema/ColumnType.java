package io.customerstudio.query.schema;

import java.util.Locale;
import java.util.Set;

/** The five column types of the spec, which decide the operators a column offers. */
public enum ColumnType {
  STRING,
  NUMBER,
  BOOLEAN,
  TIMESTAMP,
  JSON;

  public String json() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** Native integer types: compared with bind values of the same kind, so indexes apply. */
  public static final Set<String> INTEGER_TYPES =
      Set.of(
          "int2",
          "int4",
          "int8",
          "smallint",
          "integer",
          "bigint",
          "serial",
          "bigserial",
          "tinyint",
          "hugeint",
          "ubigint",
          "uinteger",
          "usmallint",
          "utinyint",
          "uhugeint");

  /** Native floating-point types. */
  public static final Set<String> FLOAT_TYPES =
      Set.of("float4", "float8", "real", "double precision", "double", "float");

  /** Native exact decimal types. */
  public static final Set<String> DECIMAL_TYPES = Set.of("numeric", "decimal");

  /** Native text types; other string-like types (uuid) are compared as text. */
  public static final Set<String> TEXT_TYPES =
      Set.of(
          "text", "varchar", "bpchar", "char", "character", "character varying", "name", "citext");

  /** Native time types without a zone (read as UTC), besides timestamptz. */
  public static final Set<String> LOCAL_TIMESTAMP_TYPES =
      Set.of(
          "timestamp",
          "timestamp without time zone",
          "timestamp_s",
          "timestamp_ms",
          "timestamp_ns",
          "datetime");

  /** Maps a warehouse type name (as JDBC reports it) to a spec type; null if unsupported. */
  public static ColumnType ofNative(String nativeType) {
    String t = nativeType.toLowerCase(Locale.ROOT).trim();
    int paren = t.indexOf('(');
    if (paren > 0 && t.endsWith(")")) {
      t = t.substring(0, paren).trim(); // DuckDB reports DECIMAL(10,2), VARCHAR(20)
    }
    if (t.startsWith("_") || t.endsWith("[]")) {
      return null; // arrays are not filterable
    }
    if (INTEGER_TYPES.contains(t) || FLOAT_TYPES.contains(t) || DECIMAL_TYPES.contains(t)) {
      return NUMBER;
    }
    if (TEXT_TYPES.contains(t) || t.equals("uuid")) {
      return STRING;
    }
    if (LOCAL_TIMESTAMP_TYPES.contains(t)
        || t.equals("date")
        || t.equals("timestamptz")
        || t.equals("timestamp with time zone")) {
      return TIMESTAMP;
    }
    return switch (t) {
      case "bool", "boolean" -> BOOLEAN;
      case "json", "jsonb" -> JSON;
      default -> null;
    };
  }

  public static ColumnType ofJson(String name) {
    for (ColumnType t : values()) {
      if (t.json().equals(name)) {
        return t;
      }
    }
    return null;
  }
}
