package io.customerstudio.query.compile;

import static io.customerstudio.query.compile.CompileContext.NONE;

import com.fasterxml.jackson.databind.JsonNode;
import io.customerstudio.query.Problems;
import io.customerstudio.query.audience.AggFunction;
import io.customerstudio.query.audience.Condition;
import io.customerstudio.query.audience.Op;
import io.customerstudio.query.compile.AudienceCompiler.Scope;
import io.customerstudio.query.schema.Catalog.Hop;
import io.customerstudio.query.schema.Catalog.ModelInfo;
import io.customerstudio.query.schema.Column;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.jooq.Field;
import org.jooq.Record;
import org.jooq.Select;
import org.jooq.Table;
import org.jooq.impl.DSL;

/**
 * Conditions over related rows, set based and never per-row loops: the rows reached along
 * relationships, and either their existence (a correlated EXISTS, which the planner pulls up into a
 * semi-join) or an aggregate over them compared with an operand. In conjunctive position an
 * aggregate becomes a grouped semi-join ({@code key IN (SELECT fk ... HAVING p)}) or, when the
 * predicate holds for "no related rows", an anti-join ({@code NOT EXISTS (... HAVING NOT p)});
 * anywhere else a scalar subquery per row. Owns relation conditions (with their nested where);
 * events and aggregation traits describe their rows as a {@link Related} and come here to apply it.
 */
final class RelatedRows {

  /**
   * The rows reached from an anchor scope along hops: a join of their sources, the columns that
   * link back (and the anchor's columns they equal), and the scope of the last model.
   */
  record Rows(
      Table<?> table,
      List<Field<Object>> links,
      List<Field<Object>> anchors,
      List<Column> anchorColumns,
      Scope last) {

    /** The related rows' link columns equal to the anchor row's columns. */
    org.jooq.Condition link() {
      org.jooq.Condition on = NONE;
      for (int i = 0; i < links.size(); i++) {
        on = on.and(links.get(i).eq(anchors.get(i)));
      }
      return on;
    }
  }

  /**
   * What relation, event and aggregation-trait conditions have in common: the related rows (and
   * their filter), and either existence ({@code value} null; {@code negate} for "did not") or an
   * aggregate compared with an operand.
   */
  record Related(
      Rows rows,
      org.jooq.Condition where,
      Typed value,
      AggFunction function,
      Op op,
      JsonNode operand,
      String path,
      boolean negate) {

    static Related exist(Rows rows, org.jooq.Condition where, String path, boolean negate) {
      return new Related(rows, where, null, null, null, null, path, negate);
    }
  }

  private final CompileContext cx;
  private final Conditions conditions;
  private final Comparisons comparisons;
  private final Aggregates aggregates;

  RelatedRows(
      CompileContext cx, Conditions conditions, Comparisons comparisons, Aggregates aggregates) {
    this.cx = cx;
    this.conditions = conditions;
    this.comparisons = comparisons;
    this.aggregates = aggregates;
  }

  /** A relation condition: some related row matches, or an aggregate over them passes. */
  org.jooq.Condition relation(Condition.Relation c, Scope s, boolean conjunctive) {
    Related r = related(c, s);
    return r == null ? DSL.falseCondition() : apply(r, conjunctive);
  }

  /** The related rows a relation condition reads, or null after reporting why it is invalid. */
  Related related(Condition.Relation c, Scope s) {
    if (c.relationship() == null) {
      return null;
    }
    Optional<Hop> hop = cx.catalog().hop(s.model(), c.relationship());
    if (hop.isEmpty()) {
      cx.problems()
          .add(
              c.path() + ".relationship",
              Problems.unknown(
                  "relationship",
                  c.relationship(),
                  "model \"" + s.model().name() + "\"",
                  cx.catalog().hops(s.model()).stream().map(Hop::relationship).toList()));
      return null;
    }
    Rows rows = rows(s, List.of(hop.get()));
    org.jooq.Condition where =
        c.where() == null ? NONE : conditions.conjunct(c.where(), rows.last());
    if (c.aggregate() == null) {
      return Related.exist(rows, where, c.path(), false);
    }
    Condition.Aggregate a = c.aggregate();
    if (a.function() == null || a.op() == null) {
      return null;
    }
    Typed value = aggregates.aggregate(rows.last(), a.function(), a.column(), null, a.path());
    return value == null
        ? null
        : new Related(rows, where, value, a.function(), a.op(), a.value(), a.path(), false);
  }

  /** Whether a relation condition on {@code model} reads rows linked by exactly its key. */
  boolean linkedByKey(Condition.Relation c, ModelInfo model) {
    return c.relationship() != null
        && cx.catalog()
            .hop(model, c.relationship())
            .map(h -> h.fromColumns().equals(List.of(model.def().primaryKey())))
            .orElse(false);
  }

  /** Rows of the anchor for which the related rows exist (or not), or the aggregate passes. */
  org.jooq.Condition apply(Related r, boolean conjunctive) {
    if (r.value() == null) {
      return exists(r.rows(), r.where(), conjunctive, r.negate());
    }
    return aggregate(r, conjunctive);
  }

  /**
   * The rows reached from {@code from} along {@code hops}: a join of their sources, the columns
   * that link back to {@code from}, and the scope of the last model.
   */
  Rows rows(Scope from, List<Hop> hops) {
    Hop first = hops.get(0);
    Scope current = cx.newScope(first.to());
    Table<?> table = current.table();
    List<Field<Object>> links = first.toColumns().stream().map(current::field).toList();
    for (Hop hop : hops.subList(1, hops.size())) {
      Scope next = cx.newScope(hop.to());
      org.jooq.Condition on = NONE;
      for (int i = 0; i < hop.fromColumns().size(); i++) {
        on = on.and(current.field(hop.fromColumns().get(i)).eq(next.field(hop.toColumns().get(i))));
      }
      table = table.join(next.table()).on(on);
      current = next;
    }
    List<Field<Object>> anchors = first.fromColumns().stream().map(from::field).toList();
    List<Column> anchorColumns =
        first.fromColumns().stream().map(c -> from.model().column(c).orElseThrow()).toList();
    return new Rows(table, links, anchors, anchorColumns, current);
  }

  /** Resolves a dotted relationship path from a model, or reports where it breaks (null). */
  List<Hop> path(ModelInfo from, List<String> names, String path) {
    List<Hop> hops = new ArrayList<>();
    ModelInfo current = from;
    for (String name : names) {
      Optional<Hop> hop = cx.catalog().hop(current, name);
      if (hop.isEmpty()) {
        cx.problems()
            .add(
                path,
                Problems.unknown(
                    "relationship",
                    name,
                    "model \"" + current.name() + "\"",
                    cx.catalog().hops(current).stream().map(Hop::relationship).toList()));
        return null;
      }
      hops.add(hop.get());
      current = hop.get().to();
    }
    return hops;
  }

  /**
   * Rows with at least one related row satisfying {@code where}: a correlated EXISTS, which the
   * planner pulls up into a semi-join under AND and hashes or probes elsewhere. Two-valued: EXISTS
   * is never NULL.
   */
  private static org.jooq.Condition exists(
      Rows rows, org.jooq.Condition where, boolean conjunctive, boolean negate) {
    var matching = DSL.selectOne().from(rows.table()).where(where).and(rows.link());
    org.jooq.Condition exists = negate ? DSL.notExists(matching) : DSL.exists(matching);
    if (rows.links().size() != 1) {
      return exists;
    }
    boolean bare = conjunctive && !negate;
    // DuckDB runs a correlated EXISTS (nested ones above all) several times slower than the same
    // test as a semi-join on an uncorrelated key set (measured on the 1M bench: 95 vs 30 ms for
    // "bought shoes"), so there it is "anchor IN (the links of the matching rows)". Two-valued
    // like EXISTS: bare (ANDed into a WHERE, never negated) a NULL anchor is simply not a member;
    // anywhere else coalesce(..., false) keeps NOT and OR exact.
    Field<Object> link = rows.links().get(0);
    org.jooq.Condition in =
        rows.anchors()
            .get(0)
            .in(DSL.select(link).from(rows.table()).where(where).and(link.isNotNull()));
    org.jooq.Condition member =
        bare ? in : DSL.condition(DSL.coalesce(DSL.field(in), DSL.inline(false)));
    org.jooq.Condition keySet = negate ? DSL.not(member) : member;
    return org.jooq.impl.CustomCondition.of(
        ctx -> ctx.visit(io.customerstudio.query.sql.Dialects.duckDb(ctx) ? keySet : exists));
  }

  /**
   * {@code value op operand} over the related rows of each anchor row, set-based. When the
   * predicate holds for no related rows (count = 0, a negative operator on a NULL sum), members are
   * the rows NOT having a group that fails it: an anti-join; otherwise a semi-join on the groups
   * that pass.
   */
  private org.jooq.Condition aggregate(Related r, boolean conjunctive) {
    Rows rows = r.rows();
    if (!conjunctive) {
      // per-row: the aggregate of this row's related rows (0 or NULL over none), compared
      @SuppressWarnings("unchecked")
      Field<Object> agg = (Field<Object>) r.value().field();
      Field<Object> scalar =
          DSL.field(DSL.select(agg).from(rows.table()).where(r.where()).and(rows.link()));
      return comparisons.compare(
          new Typed(scalar, r.value().type(), r.value().dataType(), !r.function().zeroOnEmpty()),
          r.op(),
          r.operand(),
          r.path());
    }
    org.jooq.Condition having = comparisons.compare(r.value(), r.op(), r.operand(), r.path());
    Boolean onEmpty = Aggregates.holdsOnEmpty(r.function(), r.op(), r.operand());
    if (onEmpty == null) {
      return DSL.falseCondition();
    }
    if (!onEmpty) {
      Select<Record> sub =
          DSL.select(rows.links())
              .from(rows.table())
              .where(r.where())
              .and(notNull(rows.links()))
              .groupBy(rows.links())
              .having(having);
      return semiJoin(rows, sub);
    }
    Table<Record> failing =
        DSL.select(rows.links())
            .from(rows.table())
            .where(r.where())
            .and(notNull(rows.links()))
            .groupBy(rows.links())
            .having(DSL.not(having))
            .asTable(cx.alias("g"));
    org.jooq.Condition match = NONE;
    for (int i = 0; i < rows.links().size(); i++) {
      @SuppressWarnings("unchecked")
      Field<Object> g = (Field<Object>) failing.field(i);
      match = match.and(g.eq(rows.anchors().get(i)));
    }
    return DSL.notExists(DSL.selectOne().from(failing).where(match));
  }

  private static org.jooq.Condition semiJoin(Rows rows, Select<? extends Record> sub) {
    org.jooq.Condition in =
        rows.anchors().size() == 1
            ? rows.anchors().get(0).in(sub)
            : DSL.row(rows.anchors()).in(sub);
    // a NULL key has no related rows; say so explicitly so the condition stays two-valued
    List<Field<Object>> nullable = new ArrayList<>();
    for (int i = 0; i < rows.anchors().size(); i++) {
      if (rows.anchorColumns().get(i).nullable()) {
        nullable.add(rows.anchors().get(i));
      }
    }
    return nullable.isEmpty() ? in : notNull(nullable).and(in);
  }

  private static org.jooq.Condition notNull(List<Field<Object>> fields) {
    org.jooq.Condition c = NONE;
    for (Field<Object> f : fields) {
      c = c.and(f.isNotNull());
    }
    return c;
  }
}
