package io.customerstudio.query.compile;

import static io.customerstudio.query.compile.CompileContext.NONE;

import com.fasterxml.jackson.databind.JsonNode;
import io.customerstudio.query.Problems;
import io.customerstudio.query.audience.Condition;
import io.customerstudio.query.compile.AudienceCompiler.Scope;
import io.customerstudio.query.compile.RelatedRows.Related;
import io.customerstudio.query.compile.RelatedRows.Rows;
import io.customerstudio.query.schema.Catalog.Hop;
import io.customerstudio.query.schema.Catalog.ModelInfo;
import io.customerstudio.query.schema.Catalog.TraitInfo;
import io.customerstudio.query.schema.TraitDef;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.jooq.DataType;
import org.jooq.Field;
import org.jooq.impl.DSL;

/**
 * Traits as fields and in conditions. A trait's value is a correlated expression per row: an
 * aggregation trait a scalar subquery over its related rows, a case trait a CASE over compiled
 * conditions, an sql trait the admin's expression over the row alone. A trait condition avoids
 * computing the value where it can: an aggregation trait compares its aggregate as related rows
 * ({@link RelatedRows}: a hash join under AND), and a case trait under eq, neq, in or not_in
 * becomes the conditions of the branches whose literal passes ({@link CaseRewrite}). A cycle
 * between traits is reported, never followed.
 */
final class TraitFields {

  private final CompileContext cx;
  private final Conditions conditions;
  private final Comparisons comparisons;
  private final RelatedRows relatedRows;
  private final Aggregates aggregates;

  TraitFields(
      CompileContext cx,
      Conditions conditions,
      Comparisons comparisons,
      RelatedRows relatedRows,
      Aggregates aggregates) {
    this.cx = cx;
    this.conditions = conditions;
    this.comparisons = comparisons;
    this.relatedRows = relatedRows;
    this.aggregates = aggregates;
  }

  /** The value of a trait for each row of {@code scope} (a correlated expression). */
  Typed value(Scope scope, TraitInfo trait, String path) {
    String id = scope.model().name() + "." + trait.def().name();
    if (cx.traits.cycles(id, path)) {
      return Typed.of(DSL.inline((Object) null), trait.type(), true);
    }
    return cx.traits.through(id, () -> trait.def().accept(new Value(scope, trait)));
  }

  /** A trait condition: {@code trait op value}. */
  org.jooq.Condition trait(Condition.Trait c, Scope s, boolean conjunctive) {
    if (c.trait() == null || c.op() == null) {
      return DSL.falseCondition();
    }
    Optional<TraitInfo> trait = cx.catalog().trait(s.model(), c.trait());
    if (trait.isEmpty()) {
      cx.problems()
          .add(
              c.path() + ".trait",
              Problems.unknown(
                  "trait",
                  c.trait(),
                  "model \"" + s.model().name() + "\"",
                  cx.catalog().traits(s.model()).stream().map(t -> t.def().name()).toList()));
      return DSL.falseCondition();
    }
    if (trait.get().def() instanceof TraitDef.Aggregation) {
      Related r = related(c, s);
      return r == null ? DSL.falseCondition() : relatedRows.apply(r, conjunctive);
    }
    if (trait.get().def() instanceof TraitDef.Case caseTrait
        && CaseRewrite.applies(c.op(), c.value())) {
      return caseCondition(s, trait.get(), caseTrait, c, conjunctive);
    }
    return comparisons.compare(
        value(s, trait.get(), c.path() + ".trait"), c.op(), c.value(), c.path());
  }

  /**
   * The related rows an aggregation-trait condition reads, with the trait's aggregate and the
   * condition's comparison; null after reporting why it is invalid.
   */
  Related related(Condition.Trait c, Scope s) {
    TraitInfo trait = cx.catalog().trait(s.model(), c.trait()).orElseThrow();
    TraitDef.Aggregation agg = (TraitDef.Aggregation) trait.def();
    String id = s.model().name() + "." + agg.name();
    if (cx.traits.cycles(id, c.path() + ".trait")) {
      return null;
    }
    return cx.traits.through(id, () -> related(c, s, agg));
  }

  private Related related(Condition.Trait c, Scope s, TraitDef.Aggregation agg) {
    List<Hop> hops =
        relatedRows.path(s.model(), agg.relationshipPath(), agg.path() + ".relationship");
    if (hops == null || c.op() == null) {
      return null;
    }
    Rows rows = relatedRows.rows(s, hops);
    org.jooq.Condition where =
        agg.where() == null ? NONE : conditions.conjunct(agg.where(), rows.last());
    Typed value =
        aggregates.aggregate(rows.last(), agg.function(), agg.column(), agg.orderBy(), agg.path());
    return value == null
        ? null
        : new Related(rows, where, value, agg.function(), c.op(), c.value(), c.path(), false);
  }

  /** Whether an aggregation-trait condition on {@code model} reads rows linked by its key. */
  boolean linkedByKey(Condition.Trait c, ModelInfo model) {
    if (c.trait() == null) {
      return false;
    }
    return cx.catalog()
        .trait(model, c.trait())
        .filter(t -> t.def() instanceof TraitDef.Aggregation)
        .map(
            t ->
                cx.catalog()
                    .hop(model, ((TraitDef.Aggregation) t.def()).relationshipPath().get(0))
                    .map(h -> h.fromColumns().equals(List.of(model.def().primaryKey())))
                    .orElse(false))
        .orElse(false);
  }

  /**
   * {@code caseTrait op value} for eq, neq, in and not_in, without computing the CASE: the rows
   * whose first matching branch (or the else) yields a value that satisfies the comparison. Exact,
   * and it keeps a lone matching branch in conjunctive position, where its aggregates become hash
   * joins.
   */
  private org.jooq.Condition caseCondition(
      Scope s, TraitInfo trait, TraitDef.Case t, Condition.Trait c, boolean conjunctive) {
    String id = s.model().name() + "." + t.name();
    if (cx.traits.cycles(id, c.path() + ".trait")) {
      return DSL.falseCondition();
    }
    if (!CaseRewrite.valueFits(trait.type(), c.op(), c.value())) {
      // let the generic comparison report the type problem
      return comparisons.compare(value(s, trait, c.path() + ".trait"), c.op(), c.value(), c.path());
    }
    return cx.traits.through(id, () -> matchingBranches(s, t, c, conjunctive));
  }

  private org.jooq.Condition matchingBranches(
      Scope s, TraitDef.Case t, Condition.Trait c, boolean conjunctive) {
    List<Integer> matching = new ArrayList<>();
    for (int i = 0; i < t.cases().size(); i++) {
      if (CaseRewrite.matches(t.cases().get(i).then(), c.op(), c.value())) {
        matching.add(i);
      }
    }
    boolean elseMatches = CaseRewrite.matches(t.elseValue(), c.op(), c.value());
    int branches = matching.size() + (elseMatches ? 1 : 0);
    org.jooq.Condition result = NONE;
    for (int i : matching) {
      org.jooq.Condition branch =
          conditions.condition(t.cases().get(i).when(), s, conjunctive && branches == 1);
      for (int j = 0; j < i; j++) {
        branch = branch.and(DSL.not(conditions.condition(t.cases().get(j).when(), s)));
      }
      result = result.or(branch);
    }
    if (elseMatches) {
      org.jooq.Condition none = NONE;
      for (TraitDef.When w : t.cases()) {
        none = none.and(DSL.not(conditions.condition(w.when(), s)));
      }
      result = result.or(none == NONE ? DSL.trueCondition() : none);
    }
    return result == NONE ? DSL.falseCondition() : result;
  }

  /** A trait's value per kind; exhaustive over the sealed trait kinds. */
  private final class Value implements TraitDef.Visitor<Typed> {
    private final Scope s;
    private final TraitInfo trait;

    Value(Scope s, TraitInfo trait) {
      this.s = s;
      this.trait = trait;
    }

    @Override
    public Typed aggregation(TraitDef.Aggregation t) {
      List<Hop> hops =
          relatedRows.path(s.model(), t.relationshipPath(), t.path() + ".relationship");
      if (hops == null) {
        return Typed.of(DSL.inline((Object) null), trait.type(), true);
      }
      Rows rows = relatedRows.rows(s, hops);
      org.jooq.Condition where =
          t.where() == null ? NONE : conditions.conjunct(t.where(), rows.last());
      Typed value =
          aggregates.aggregate(rows.last(), t.function(), t.column(), t.orderBy(), t.path());
      if (value == null) {
        return Typed.of(DSL.inline((Object) null), trait.type(), true);
      }
      org.jooq.Condition link = rows.link();
      @SuppressWarnings("unchecked")
      Field<Object> agg = (Field<Object>) value.field();
      Field<Object> scalar = DSL.field(DSL.select(agg).from(rows.table()).where(link).and(where));
      return new Typed(scalar, value.type(), value.dataType(), !t.function().zeroOnEmpty());
    }

    @Override
    public Typed caseOf(TraitDef.Case t) {
      DataType<?> type = Typed.dataType(trait.type());
      org.jooq.CaseConditionStep<Object> step = null;
      for (int i = 0; i < t.cases().size(); i++) {
        TraitDef.When w = t.cases().get(i);
        org.jooq.Condition when = conditions.condition(w.when(), s);
        Field<Object> then = literal(w.then(), type);
        step = step == null ? DSL.when(when, then) : step.when(when, then);
      }
      Field<Object> value =
          step == null
              ? literal(t.elseValue(), type)
              : step.otherwise(literal(t.elseValue(), type));
      return new Typed(value, trait.type(), type, true);
    }

    @Override
    public Typed sql(TraitDef.Sql t) {
      DataType<?> type = Typed.dataType(t.type());
      // the admin's expression sees only this model's row: (select <expr> from (select alias.*) x);
      // DuckDB has no star without FROM, so there the row's columns are listed by name
      List<Field<?>> columns = new java.util.ArrayList<>();
      for (var column : s.model().columns()) {
        columns.add(
            DSL.field(
                "{0} as {1}",
                Object.class, DSL.name(s.alias(), column.name()), DSL.name(column.name())));
      }
      String expression = t.expression();
      Field<?> value =
          org.jooq.impl.CustomField.of(
              "cs_sql_trait",
              type,
              ctx ->
                  ctx.visit(
                      io.customerstudio.query.sql.Dialects.duckDb(ctx)
                          ? DSL.field(
                              "(select " + expression + " from (select {0}) cs_row)",
                              type,
                              DSL.list(columns))
                          : DSL.field(
                              "(select " + expression + " from (select {0}.*) cs_row)",
                              type,
                              DSL.name(s.alias()))));
      return new Typed(value, t.type(), type, true);
    }
  }

  @SuppressWarnings("unchecked")
  private static Field<Object> literal(JsonNode v, DataType<?> type) {
    if (v == null || v.isNull()) {
      return (Field<Object>) DSL.castNull(type);
    }
    Object value =
        v.isNumber() && Double.isFinite(v.doubleValue())
            ? v.decimalValue()
            : v.isBoolean() ? v.asBoolean() : v.asText();
    return (Field<Object>) DSL.val(value, type);
  }
}
