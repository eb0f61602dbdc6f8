package io.customerstudio.query.audience;

import io.customerstudio.query.schema.ColumnType;
import java.util.EnumSet;
import java.util.Locale;
import java.util.Set;

/** The operators of the spec, with the column types each applies to and the value it takes. */
public enum Op {
  EQ(
      Value.SCALAR,
      EnumSet.of(ColumnType.STRING, ColumnType.NUMBER, ColumnType.BOOLEAN, ColumnType.TIMESTAMP)),
  NEQ(
      Value.SCALAR,
      EnumSet.of(ColumnType.STRING, ColumnType.NUMBER, ColumnType.BOOLEAN, ColumnType.TIMESTAMP)),
  IN(Value.ARRAY, EnumSet.of(ColumnType.STRING, ColumnType.NUMBER)),
  NOT_IN(Value.ARRAY, EnumSet.of(ColumnType.STRING, ColumnType.NUMBER)),
  GT(Value.SCALAR, EnumSet.of(ColumnType.NUMBER, ColumnType.TIMESTAMP)),
  GTE(Value.SCALAR, EnumSet.of(ColumnType.NUMBER, ColumnType.TIMESTAMP)),
  LT(Value.SCALAR, EnumSet.of(ColumnType.NUMBER, ColumnType.TIMESTAMP)),
  LTE(Value.SCALAR, EnumSet.of(ColumnType.NUMBER, ColumnType.TIMESTAMP)),
  BETWEEN(Value.PAIR, EnumSet.of(ColumnType.NUMBER, ColumnType.TIMESTAMP)),
  CONTAINS(Value.SCALAR, EnumSet.of(ColumnType.STRING)),
  NOT_CONTAINS(Value.SCALAR, EnumSet.of(ColumnType.STRING)),
  STARTS_WITH(Value.SCALAR, EnumSet.of(ColumnType.STRING)),
  ENDS_WITH(Value.SCALAR, EnumSet.of(ColumnType.STRING)),
  IS_NULL(Value.NONE, EnumSet.allOf(ColumnType.class)),
  IS_NOT_NULL(Value.NONE, EnumSet.allOf(ColumnType.class)),
  IS_TRUE(Value.NONE, EnumSet.of(ColumnType.BOOLEAN)),
  IS_FALSE(Value.NONE, EnumSet.of(ColumnType.BOOLEAN)),
  WITHIN_LAST(Value.DURATION, EnumSet.of(ColumnType.TIMESTAMP)),
  NOT_WITHIN_LAST(Value.DURATION, EnumSet.of(ColumnType.TIMESTAMP)),
  BEFORE(Value.SCALAR, EnumSet.of(ColumnType.TIMESTAMP)),
  AFTER(Value.SCALAR, EnumSet.of(ColumnType.TIMESTAMP));

  /** The shape of the value an operator takes. */
  public enum Value {
    NONE,
    SCALAR,
    ARRAY,
    PAIR,
    DURATION
  }

  private final Value value;
  private final Set<ColumnType> types;

  Op(Value value, Set<ColumnType> types) {
    this.value = value;
    this.types = types;
  }

  public Value value() {
    return value;
  }

  public Set<ColumnType> types() {
    return types;
  }

  /**
   * The spec's NULL rule: these hold for a NULL value (an unknown country is "not DE"); every other
   * operator fails on NULL.
   */
  public boolean holdsOnNull() {
    return this == NEQ
        || this == NOT_IN
        || this == NOT_CONTAINS
        || this == NOT_WITHIN_LAST
        || this == IS_NULL;
  }

  public String json() {
    return name().toLowerCase(Locale.ROOT);
  }

  public static Op ofJson(String name) {
    for (Op op : values()) {
      if (op.json().equals(name)) {
        return op;
      }
    }
    return null;
  }

  public static java.util.List<String> names() {
    return java.util.Arrays.stream(values()).map(Op::json).toList();
  }
}
