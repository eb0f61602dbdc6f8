package io.customerstudio.query.schema;

import java.util.Locale;

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

  /** Maps a warehouse type name (as JDBC reports it) to a spec type; null if unsupported. */
  public static ColumnType ofNative(String nativeType) {
    String t = nativeType.toLowerCase(Locale.ROOT);
    if (t.startsWith("_") || t.endsWith("[]")) {
      return null; // arrays are not filterable
    }
    return switch (t) {
      case "int2",
          "int4",
          "int8",
          "smallint",
          "integer",
          "bigint",
          "serial",
          "bigserial",
          "numeric",
          "decimal",
          "float4",
          "float8",
          "real",
          "double precision",
          "double",
          "float",
          "hugeint",
          "tinyint",
          "ubigint",
          "uinteger" ->
          NUMBER;
      case "bool", "boolean" -> BOOLEAN;
      case "date",
          "timestamp",
          "timestamptz",
          "timestamp with time zone",
          "timestamp without time zone" ->
          TIMESTAMP;
      case "json", "jsonb" -> JSON;
      case "text",
          "varchar",
          "bpchar",
          "char",
          "character",
          "character varying",
          "name",
          "citext",
          "uuid" ->
          STRING;
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
