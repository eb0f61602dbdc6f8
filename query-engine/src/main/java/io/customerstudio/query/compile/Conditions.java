package io.customerstudio.query.compile;

import static io.customerstudio.query.compile.CompileContext.NONE;

import io.customerstudio.query.audience.Condition;
import io.customerstudio.query.compile.AudienceCompiler.Scope;
import io.customerstudio.query.compile.RelatedRows.Related;
import io.customerstudio.query.schema.Catalog.ModelInfo;
import org.jooq.Field;
import org.jooq.Record1;
import org.jooq.Select;
import org.jooq.impl.DSL;

/**
 * Compiles a condition node in a position: owns AND, OR and NOT, and hands every other node to its
 * owner ({@link Comparisons}, {@link TraitFields}, {@link RelatedRows}, {@link EventConditions},
 * {@link AudienceReferences}, {@link Templates}), which call back here for nested conditions. The
 * position matters: a conjunct (ANDed into a WHERE) may compile its aggregates to grouped semi- and
 * anti-joins and an OR of related-rows conditions to a union of key sets; anywhere else (under OR
 * or NOT, in a CASE) they are correlated subqueries. A null node (already reported) fails closed.
 */
final class Conditions {

  private final CompileContext cx;
  private final Comparisons comparisons;
  private final RelatedRows relations;
  private final EventConditions events;
  private final TraitFields traits;
  private final AudienceReferences audiences;
  private final Templates templates;

  Conditions(CompileContext cx) {
    this.cx = cx;
    Aggregates aggregates = new Aggregates(cx);
    this.comparisons = new Comparisons(cx);
    this.relations = new RelatedRows(cx, this, comparisons, aggregates);
    this.events = new EventConditions(cx, this, relations);
    this.traits = new TraitFields(cx, this, comparisons, relations, aggregates);
    this.audiences = new AudienceReferences(cx, this);
    this.templates = new Templates(cx, this);
  }

  TraitFields traits() {
    return traits;
  }

  /** {@code c} in any position (under OR or NOT, in a CASE or a select list). */
  org.jooq.Condition condition(Condition c, Scope s) {
    return condition(c, s, false);
  }

  /** {@code c} ANDed into a WHERE clause. */
  org.jooq.Condition conjunct(Condition c, Scope s) {
    return condition(c, s, true);
  }

  org.jooq.Condition condition(Condition c, Scope s, boolean conjunctive) {
    if (c == null) {
      return DSL.falseCondition(); // a broken node already reported its problem: fail closed
    }
    return c.accept(new Visitor(s, conjunctive));
  }

  /** The exhaustive dispatch over the node types. */
  private final class Visitor implements Condition.Visitor<org.jooq.Condition> {
    private final Scope s;
    private final boolean conjunctive;

    Visitor(Scope s, boolean conjunctive) {
      this.s = s;
      this.conjunctive = conjunctive;
    }

    @Override
    public org.jooq.Condition and(Condition.And c) {
      // an empty AND holds; noCondition() is jOOQ's neutral element and renders as nothing
      org.jooq.Condition result = DSL.noCondition();
      for (Condition x : Relational.cheapestFirst(c.conditions())) {
        result = result.and(condition(x, s, conjunctive));
      }
      return result == NONE ? DSL.trueCondition() : result;
    }

    @Override
    public org.jooq.Condition or(Condition.Or c) {
      if (conjunctive
          && c.conditions().size() > 1
          && !s.model().primaryKey().nullable()
          && c.conditions().stream().anyMatch(Relational::test)) {
        return unionOfKeys(c, s);
      }
      // an empty OR does not hold: fail closed
      org.jooq.Condition result = DSL.noCondition();
      for (Condition x : Relational.cheapestFirst(c.conditions())) {
        result = result.or(condition(x, s));
      }
      return result == NONE ? DSL.falseCondition() : result;
    }

    @Override
    public org.jooq.Condition not(Condition.Not c) {
      return DSL.not(condition(c.condition(), s));
    }

    @Override
    public org.jooq.Condition property(Condition.Property c) {
      return comparisons.property(c, s);
    }

    @Override
    public org.jooq.Condition trait(Condition.Trait c) {
      return traits.trait(c, s, conjunctive);
    }

    @Override
    public org.jooq.Condition relation(Condition.Relation c) {
      return relations.relation(c, s, conjunctive);
    }

    @Override
    public org.jooq.Condition event(Condition.Event c) {
      return events.event(c, s, conjunctive);
    }

    @Override
    public org.jooq.Condition audience(Condition.AudienceRef c) {
      return audiences.audience(c, s, conjunctive);
    }

    @Override
    public org.jooq.Condition template(Condition.Template c) {
      return templates.template(c, s, conjunctive);
    }
  }

  // ---------------------------------------------------------------- OR as a union of key sets

  /**
   * {@code key IN (SELECT key WHERE c1 UNION SELECT key WHERE c2 ...)}: each branch is a
   * conjunctive root again, so its relations and aggregates become hash joins; OR-ing them in one
   * WHERE would leave the planner per-row subplans. Exact: the parent key is not null.
   */
  private org.jooq.Condition unionOfKeys(Condition.Or c, Scope s) {
    int problems = cx.problems().list().size();
    Select<Record1<Object>> union = null;
    for (Condition x : c.conditions()) {
      Select<Record1<Object>> keys = keySet(x, s.model());
      union = union == null ? keys : union.union(keys);
    }
    if (cx.problems().list().size() > problems) {
      return s.key().in(union); // never run: compiling it again would report its problems twice
    }
    // DuckDB: the branches on the row's own columns are tested on the row (no key set of their
    // own), ORed with the key IN the other branches' keys. Two or more key sets are combined with
    // UNION, not UNION ALL: the IN is a mark join whose hash table otherwise holds every duplicate
    // (890,942 rows for 383,056 keys on the seed example), and probing those chains made the seed's
    // count 1.3x slower with a long tail (interleaved, 40 runs each: median 221-243 ms against
    // 170-182). A single key set goes in as it is: DISTINCT on it made no difference ("ordered in
    // the last 2 weeks OR loyalty member", 40 interleaved runs: median 79 ms as it is, 80 with it).
    // PostgreSQL keeps the union of every branch: an IN under OR would be a subplan per row there
    // once it outgrows work_mem
    org.jooq.Condition own = DSL.noCondition();
    Select<Record1<Object>> related = null;
    for (Condition x : c.conditions()) {
      if (Relational.test(x)) {
        Select<Record1<Object>> keys = keySet(x, s.model());
        related = related == null ? keys : related.union(keys);
      } else {
        own = own.or(condition(x, s));
      }
    }
    org.jooq.Condition everyBranch = s.key().in(union);
    org.jooq.Condition ownOrRelated = own.or(s.key().in(related));
    return org.jooq.impl.CustomCondition.of(
        ctx ->
            ctx.visit(
                io.customerstudio.query.sql.Dialects.duckDb(ctx) ? ownOrRelated : everyBranch));
  }

  /**
   * The keys of {@code model} for which {@code x} holds, as a subquery. A condition on rows linked
   * by the model's own key (purchases.user_id = users.user_id) reads its keys straight from the
   * related table, grouped if aggregated: the shape an analyst writes for a union of sets.
   */
  private Select<Record1<Object>> keySet(Condition x, ModelInfo model) {
    Scope b = cx.newScope(model);
    if (!linkedByKey(x, model)) {
      return DSL.select(b.key()).from(b.table()).where(condition(x, b, true));
    }
    Related r = related(x, b);
    if (r == null) {
      return DSL.select(b.key()).from(b.table()).where(DSL.falseCondition());
    }
    Field<Object> link = r.rows().links().get(0);
    if (r.value() == null && !r.negate()) {
      return DSL.select(link).from(r.rows().table()).where(r.where()).and(link.isNotNull());
    }
    if (r.value() != null
        && Boolean.FALSE.equals(Aggregates.holdsOnEmpty(r.function(), r.op(), r.operand()))) {
      return DSL.select(link)
          .from(r.rows().table())
          .where(r.where())
          .and(link.isNotNull())
          .groupBy(link)
          .having(comparisons.compare(r.value(), r.op(), r.operand(), r.path()));
    }
    return DSL.select(b.key()).from(b.table()).where(relations.apply(r, true));
  }

  /** Whether {@code x} reads rows linked to {@code model} by exactly its primary key. */
  private boolean linkedByKey(Condition x, ModelInfo model) {
    if (x instanceof Condition.Relation c) {
      return relations.linkedByKey(c, model);
    }
    if (x instanceof Condition.Event c) {
      return events.linkedByKey(c, model);
    }
    if (x instanceof Condition.Trait c) {
      return traits.linkedByKey(c, model);
    }
    return false;
  }

  /** The related rows of a condition {@link #linkedByKey}; null after reporting a problem. */
  private Related related(Condition x, Scope s) {
    if (x instanceof Condition.Relation c) {
      return relations.related(c, s);
    }
    if (x instanceof Condition.Event c) {
      return events.related(c, s);
    }
    if (x instanceof Condition.Trait c) {
      return traits.related(c, s);
    }
    throw new IllegalArgumentException("not a related-rows condition: " + x);
  }
}
