package io.customerstudio.query.schema;

/**
 * An introspected column: its name, spec type, the warehouse's own type name, and whether it may be
 * NULL (unknown counts as nullable).
 */
public record Column(String name, ColumnType type, String nativeType, boolean nullable) {

  public Column(String name, ColumnType type, String nativeType) {
    this(name, type, nativeType, true);
  }
}
