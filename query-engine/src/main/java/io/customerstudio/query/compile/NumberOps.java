package io.customerstudio.query.compile;

import com.fasterxml.jackson.databind.JsonNode;
import io.customerstudio.query.audience.Op;
import java.math.BigDecimal;

/**
 * Evaluates a number operator in Java, for the one question SQL cannot answer: does a count
 * predicate hold for a row with no related rows (count 0)?
 */
final class NumberOps {

  private NumberOps() {}

  /** Null when the operand does not fit the operator (the compiler reports that separately). */
  static Boolean holds(BigDecimal x, Op op, JsonNode v) {
    try {
      return switch (op) {
        case EQ -> v.decimalValue().compareTo(x) == 0;
        case NEQ -> v.decimalValue().compareTo(x) != 0;
        case GT -> x.compareTo(v.decimalValue()) > 0;
        case GTE -> x.compareTo(v.decimalValue()) >= 0;
        case LT -> x.compareTo(v.decimalValue()) < 0;
        case LTE -> x.compareTo(v.decimalValue()) <= 0;
        case BETWEEN ->
            x.compareTo(v.get(0).decimalValue()) >= 0 && x.compareTo(v.get(1).decimalValue()) <= 0;
        case IN -> contains(v, x);
        case NOT_IN -> !contains(v, x);
        case IS_NULL -> false;
        case IS_NOT_NULL -> true;
        default -> null;
      };
    } catch (RuntimeException e) {
      return null;
    }
  }

  private static boolean contains(JsonNode array, BigDecimal x) {
    for (JsonNode n : array) {
      if (n.isNumber() && n.decimalValue().compareTo(x) == 0) {
        return true;
      }
    }
    return false;
  }
}
