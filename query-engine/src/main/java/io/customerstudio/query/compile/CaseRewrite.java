package io.customerstudio.query.compile;

import com.fasterxml.jackson.databind.JsonNode;
import io.customerstudio.query.audience.Op;
import io.customerstudio.query.schema.ColumnType;

/**
 * Decides, in Java, which literal branch values of a case trait satisfy an equality-style
 * comparison, with the spec's NULL rule: a NULL branch value fails eq and in, holds for neq and
 * not_in.
 */
final class CaseRewrite {

  private CaseRewrite() {}

  static boolean applies(Op op, JsonNode value) {
    return (op == Op.EQ || op == Op.NEQ || op == Op.IN || op == Op.NOT_IN)
        && value != null
        && !value.isNull();
  }

  /** The operand has the trait's type (else the generic path reports the problem). */
  static boolean valueFits(ColumnType type, Op op, JsonNode value) {
    if (op == Op.IN || op == Op.NOT_IN) {
      if (!value.isArray() || value.isEmpty()) {
        return false;
      }
      for (JsonNode v : value) {
        if (!fits(type, v)) {
          return false;
        }
      }
      return true;
    }
    return fits(type, value);
  }

  private static boolean fits(ColumnType type, JsonNode v) {
    return switch (type) {
      case STRING -> v.isTextual();
      case NUMBER -> v.isNumber();
      case BOOLEAN -> v.isBoolean();
      default -> false;
    };
  }

  static boolean matches(JsonNode branch, Op op, JsonNode value) {
    boolean isNull = branch == null || branch.isNull();
    return switch (op) {
      case EQ -> !isNull && same(branch, value);
      case NEQ -> isNull || !same(branch, value);
      case IN -> !isNull && contains(value, branch);
      case NOT_IN -> isNull || !contains(value, branch);
      default -> throw new IllegalArgumentException(op.name());
    };
  }

  private static boolean contains(JsonNode array, JsonNode v) {
    for (JsonNode x : array) {
      if (same(x, v)) {
        return true;
      }
    }
    return false;
  }

  private static boolean same(JsonNode a, JsonNode b) {
    if (a.isNumber() && b.isNumber()) {
      return a.decimalValue().compareTo(b.decimalValue()) == 0;
    }
    return a.equals(b);
  }
}
