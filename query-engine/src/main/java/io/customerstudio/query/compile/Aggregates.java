package io.customerstudio.query.compile;

import com.fasterxml.jackson.databind.JsonNode;
import io.customerstudio.query.Problems;
import io.customerstudio.query.audience.AggFunction;
import io.customerstudio.query.audience.Op;
import io.customerstudio.query.compile.AudienceCompiler.Scope;
import io.customerstudio.query.schema.Column;
import io.customerstudio.query.schema.ColumnType;
import java.math.BigDecimal;
import java.util.Optional;
import org.jooq.Field;
import org.jooq.SortField;
import org.jooq.impl.DSL;

/**
 * Aggregate expressions over related rows (count, sum, min, first, most_frequent...), typed, and
 * which function fits which column type. Where the rows come from and how the aggregate is compared
 * is {@link RelatedRows}' job.
 */
final class Aggregates {

  private final CompileContext cx;

  Aggregates(CompileContext cx) {
    this.cx = cx;
  }

  /**
   * Whether {@code function op operand} holds for a row with no related rows (a 0 count or a NULL
   * aggregate); null when the operand does not fit (reported by the comparison).
   */
  static Boolean holdsOnEmpty(AggFunction function, Op op, JsonNode operand) {
    if (!function.zeroOnEmpty()) {
      return op.holdsOnNull();
    }
    return NumberOps.holds(BigDecimal.ZERO, op, operand);
  }

  /**
   * The aggregate expression over the rows of {@code t}, typed; null (with a problem) if invalid.
   */
  Typed aggregate(Scope t, AggFunction function, String columnName, String orderBy, String path) {
    if (function == AggFunction.COUNT && columnName == null) {
      return Typed.of(DSL.count(), ColumnType.NUMBER, false);
    }
    if (columnName == null) {
      cx.problems().add(path + ".column", "is required for " + function.json());
      return null;
    }
    Optional<Column> column = t.model().column(columnName);
    if (column.isEmpty()) {
      cx.problems()
          .add(
              path + ".column",
              Problems.unknown(
                  "column",
                  columnName,
                  "model \"" + t.model().name() + "\"",
                  t.model().columnsByName().keySet()));
      return null;
    }
    Typed x = t.column(column.get());
    @SuppressWarnings("unchecked")
    Field<Object> f = (Field<Object>) x.field();
    ColumnType type = column.get().type();
    // exhaustive over the functions: a new one is a compile error here
    return switch (function) {
      case COUNT -> Typed.of(DSL.count(f), ColumnType.NUMBER, false);
      case COUNT_DISTINCT -> Typed.of(DSL.countDistinct(f), ColumnType.NUMBER, false);
      case SUM, AVG -> sumOrAvg(function, f, type, columnName, path);
      case MIN, MAX -> minOrMax(function, x, type, columnName, path);
      case FIRST, LAST -> firstOrLast(t, function, x, type, orderBy, path);
      // ties go to the smaller value, on every engine
      case MOST_FREQUENT ->
          new Typed(io.customerstudio.query.sql.Dialects.mostFrequent(f), type, x.dataType(), true);
    };
  }

  private Typed sumOrAvg(
      AggFunction function, Field<Object> f, ColumnType type, String columnName, String path) {
    if (type != ColumnType.NUMBER) {
      cx.problems()
          .add(
              path + ".column",
              function.json() + " needs a number column; \"" + columnName + "\" is " + type.json());
      return null;
    }
    @SuppressWarnings("unchecked")
    Field<? extends Number> n = (Field<? extends Number>) (Field<?>) f;
    return Typed.of(function == AggFunction.SUM ? DSL.sum(n) : DSL.avg(n), ColumnType.NUMBER, true);
  }

  private Typed minOrMax(
      AggFunction function, Typed x, ColumnType type, String columnName, String path) {
    if (type == ColumnType.BOOLEAN || type == ColumnType.JSON) {
      cx.problems()
          .add(
              path + ".column",
              function.json()
                  + " needs a number, timestamp or string column; \""
                  + columnName
                  + "\" is "
                  + type.json());
      return null;
    }
    @SuppressWarnings("unchecked")
    Field<Object> f = (Field<Object>) x.field();
    return new Typed(
        function == AggFunction.MIN ? DSL.min(f) : DSL.max(f), type, x.dataType(), true);
  }

  /** The value of the first (or last) row by {@code orderBy} (default: the timestamp), key-tied. */
  private Typed firstOrLast(
      Scope t, AggFunction function, Typed x, ColumnType type, String orderBy, String path) {
    String order = orderBy != null ? orderBy : t.model().def().timestamp();
    if (order == null || t.model().column(order).isEmpty()) {
      cx.problems()
          .add(
              path + ".orderBy",
              order == null
                  ? function.json()
                      + " needs an orderBy column (model \""
                      + t.model().name()
                      + "\" has no timestamp)"
                  : Problems.unknown(
                      "column",
                      order,
                      "model \"" + t.model().name() + "\"",
                      t.model().columnsByName().keySet()));
      return null;
    }
    Field<Object> o = t.field(order);
    SortField<?>[] sort =
        function == AggFunction.FIRST
            ? new SortField<?>[] {o.asc().nullsLast(), t.key().asc()}
            : new SortField<?>[] {o.desc().nullsLast(), t.key().desc()};
    @SuppressWarnings("unchecked")
    Field<Object[]> ordered = DSL.arrayAgg((Field<Object>) x.field()).orderBy(sort);
    return new Typed(DSL.field("({0})[1]", x.dataType(), ordered), type, x.dataType(), true);
  }
}
