package io.customerstudio.query.compile;

import static io.customerstudio.query.compile.CompileContext.NONE;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.IntNode;
import io.customerstudio.query.Problems;
import io.customerstudio.query.audience.AggFunction;
import io.customerstudio.query.audience.Condition;
import io.customerstudio.query.audience.Op;
import io.customerstudio.query.compile.AudienceCompiler.Scope;
import io.customerstudio.query.compile.RelatedRows.Related;
import io.customerstudio.query.compile.RelatedRows.Rows;
import io.customerstudio.query.schema.Catalog.Hop;
import io.customerstudio.query.schema.Catalog.ModelInfo;
import io.customerstudio.query.schema.Column;
import io.customerstudio.query.schema.ColumnType;
import io.customerstudio.query.schema.SchemaDocument;
import java.util.List;
import java.util.Optional;
import org.jooq.Field;
import org.jooq.impl.DSL;

/**
 * Event conditions: the rows of an event model linked to the member, narrowed by event type, where
 * and time window, and counted. "Did" (count at least 1) and "did not" (count 0) are existence and
 * its negation; any other count is an aggregate. Relative windows are resolved against {@code asOf}
 * here and bound as values. The rows are then applied by {@link RelatedRows}.
 */
final class EventConditions {

  private final CompileContext cx;
  private final Conditions conditions;
  private final RelatedRows relatedRows;

  EventConditions(CompileContext cx, Conditions conditions, RelatedRows relatedRows) {
    this.cx = cx;
    this.conditions = conditions;
    this.relatedRows = relatedRows;
  }

  org.jooq.Condition event(Condition.Event c, Scope s, boolean conjunctive) {
    Related r = related(c, s);
    return r == null ? DSL.falseCondition() : relatedRows.apply(r, conjunctive);
  }

  /** The event rows a condition reads and how it counts them, or null after reporting why. */
  Related related(Condition.Event c, Scope s) {
    if (c.event() == null) {
      return null;
    }
    Optional<ModelInfo> model = cx.catalog().model(c.event());
    if (model.isEmpty() || model.get().def().kind() != SchemaDocument.Kind.EVENT) {
      cx.problems()
          .add(
              c.path() + ".event",
              Problems.unknown(
                  "event model",
                  c.event(),
                  null,
                  cx.catalog().document().models(SchemaDocument.Kind.EVENT).stream()
                      .map(SchemaDocument.Model::name)
                      .toList()));
      return null;
    }
    List<Hop> hops = hops(s.model(), c.event());
    if (hops.size() != 1) {
      cx.problems()
          .add(
              c.path() + ".event",
              hops.isEmpty()
                  ? "no relationship links model \""
                      + s.model().name()
                      + "\" to event model \""
                      + c.event()
                      + "\""
                  : "several relationships link \""
                      + s.model().name()
                      + "\" to \""
                      + c.event()
                      + "\"; use a relation condition to pick one");
      return null;
    }
    Rows rows = relatedRows.rows(s, hops);
    org.jooq.Condition where = where(c, rows.last());
    Op op = c.count() == null ? Op.GTE : c.count().op();
    JsonNode value = c.count() == null ? IntNode.valueOf(1) : c.count().value();
    String path = c.count() == null ? c.path() : c.count().path();
    if (op == null) {
      return null;
    }
    Long n = value != null && value.isIntegralNumber() ? value.asLong() : null;
    if ((op == Op.GTE && Long.valueOf(1).equals(n)) || (op == Op.GT && Long.valueOf(0).equals(n))) {
      return Related.exist(rows, where, path, false);
    }
    if ((op == Op.EQ || op == Op.LTE) && Long.valueOf(0).equals(n)
        || op == Op.LT && Long.valueOf(1).equals(n)) {
      return Related.exist(rows, where, path, true);
    }
    return new Related(
        rows,
        where,
        Typed.of(DSL.count(), ColumnType.NUMBER, false),
        AggFunction.COUNT,
        op,
        value,
        path,
        false);
  }

  /** Whether an event condition on {@code model} reads rows linked by exactly its key. */
  boolean linkedByKey(Condition.Event c, ModelInfo model) {
    if (c.event() == null) {
      return false;
    }
    List<Hop> hops = hops(model, c.event());
    return hops.size() == 1
        && hops.get(0).fromColumns().equals(List.of(model.def().primaryKey()))
        && hops.get(0).to().def().kind() == SchemaDocument.Kind.EVENT;
  }

  /** The relationships from {@code from} to the event model named {@code event}. */
  private List<Hop> hops(ModelInfo from, String event) {
    return cx.catalog().hops(from).stream().filter(h -> h.to().name().equals(event)).toList();
  }

  /** The event rows' filter: type, then where, then window. */
  private org.jooq.Condition where(Condition.Event c, Scope e) {
    SchemaDocument.Model def = e.model().def();
    org.jooq.Condition where = NONE;
    if (c.eventType() != null) {
      if (def.eventType() == null) {
        cx.problems()
            .add(
                c.path() + ".eventType",
                "event model \"" + c.event() + "\" has no eventType column");
      } else {
        where = where.and(e.field(def.eventType()).eq(DSL.val(c.eventType())));
      }
    }
    if (c.where() != null) {
      where = where.and(conditions.conjunct(c.where(), e));
    }
    if (c.window() != null) {
      where = where.and(window(e, c.window()));
    }
    return where;
  }

  private org.jooq.Condition window(Scope e, Condition.Window w) {
    Column ts = e.model().column(e.model().def().timestamp()).orElseThrow();
    Typed x = e.column(ts);
    @SuppressWarnings("unchecked")
    Field<Object> f = (Field<Object>) x.field();
    return w.accept(
        new Condition.WindowVisitor<>() {
          @Override
          public org.jooq.Condition withinLast(Condition.Window.WithinLast w) {
            return f.ge(Comparisons.time(w.unit().before(cx.asOf(), w.amount()), x))
                .and(f.le(Comparisons.time(cx.asOf(), x)));
          }

          @Override
          public org.jooq.Condition notWithinLast(Condition.Window.NotWithinLast w) {
            return f.isNull()
                .or(f.lt(Comparisons.time(w.unit().before(cx.asOf(), w.amount()), x)))
                .or(f.gt(Comparisons.time(cx.asOf(), x)));
          }

          @Override
          public org.jooq.Condition between(Condition.Window.Between w) {
            return w.from() == null || w.to() == null
                ? DSL.falseCondition()
                : f.ge(Comparisons.time(w.from(), x)).and(f.lt(Comparisons.time(w.to(), x)));
          }

          @Override
          public org.jooq.Condition before(Condition.Window.Before w) {
            return w.at() == null ? DSL.falseCondition() : f.lt(Comparisons.time(w.at(), x));
          }

          @Override
          public org.jooq.Condition after(Condition.Window.After w) {
            return w.at() == null ? DSL.falseCondition() : f.gt(Comparisons.time(w.at(), x));
          }
        });
  }
}
