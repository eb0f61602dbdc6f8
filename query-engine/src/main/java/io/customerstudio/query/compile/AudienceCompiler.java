package io.customerstudio.query.compile;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.customerstudio.query.Problems;
import io.customerstudio.query.audience.AggFunction;
import io.customerstudio.query.audience.AudienceDefinition;
import io.customerstudio.query.audience.AudienceJson;
import io.customerstudio.query.audience.Condition;
import io.customerstudio.query.audience.Op;
import io.customerstudio.query.audience.TimeUnit;
import io.customerstudio.query.schema.Catalog;
import io.customerstudio.query.schema.Catalog.Hop;
import io.customerstudio.query.schema.Catalog.ModelInfo;
import io.customerstudio.query.schema.Catalog.TraitInfo;
import io.customerstudio.query.schema.Column;
import io.customerstudio.query.schema.ColumnType;
import io.customerstudio.query.schema.SchemaDocument;
import io.customerstudio.query.schema.TraitDef;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jooq.DataType;
import org.jooq.Field;
import org.jooq.Record;
import org.jooq.Record1;
import org.jooq.Select;
import org.jooq.SortField;
import org.jooq.Table;
import org.jooq.impl.DSL;
import org.jooq.impl.SQLDataType;

/**
 * Compiles audience definitions to jOOQ conditions over the parent model, and traits to fields.
 *
 * <p>Contract: identifiers come only from the {@link Catalog}; every user value is a bind value;
 * every compiled condition is two-valued (never SQL NULL), so {@code not} is an exact complement
 * and the spec's NULL rule lives in one place ({@link #compare}). Relation, event and
 * aggregation-trait conditions become semi-joins ({@code key IN (SELECT fk ...)}) or, when the
 * predicate holds for "no related rows", anti-joins ({@code NOT EXISTS (... HAVING NOT p)}): set
 * based, never per-row loops. Relative windows are resolved against {@code asOf} here, in Java, and
 * bound as values. A problem anywhere is collected with its JSON path; {@link #compile} throws them
 * all at once. Not thread-safe: one instance per compilation.
 */
public final class AudienceCompiler {

  /** Where audience and template references are looked up. */
  public interface Resolver {
    Optional<AudienceDefinition> audience(String key);

    Optional<TemplateBody> template(String key);

    Resolver NONE =
        new Resolver() {
          @Override
          public Optional<AudienceDefinition> audience(String key) {
            return Optional.empty();
          }

          @Override
          public Optional<TemplateBody> template(String key) {
            return Optional.empty();
          }
        };
  }

  /** A saved template: its parameter names and its condition with {"param": name} holes. */
  public record TemplateBody(List<String> params, JsonNode condition) {}

  /** A model under an alias: where column references point. */
  public record Scope(ModelInfo model, String alias) {
    public Table<?> table() {
      return source(model, alias);
    }

    public Typed column(Column c) {
      return Typed.column(alias, c);
    }

    public Field<Object> field(String column) {
      @SuppressWarnings("unchecked")
      Field<Object> f = (Field<Object>) column(model.column(column).orElseThrow()).field();
      return f;
    }

    public Field<Object> key() {
      return field(model.def().primaryKey());
    }
  }

  /** The compiled audience: rows of {@code root} for which {@code where} holds. */
  public record Compiled(Scope root, org.jooq.Condition where) {
    public Field<Object> key() {
      return root.key();
    }
  }

  private static final org.jooq.Condition NONE = DSL.noCondition();

  private final Catalog catalog;
  private final Resolver resolver;
  private final Instant asOf;
  private final Problems problems = new Problems();
  private final Deque<String> audiences = new ArrayDeque<>();
  private final Deque<String> templates = new ArrayDeque<>();
  private final Deque<String> traitStack = new ArrayDeque<>();
  private int aliases;

  public AudienceCompiler(Catalog catalog, Resolver resolver, Instant asOf) {
    this.catalog = catalog;
    this.resolver = resolver;
    this.asOf = asOf;
  }

  public Instant asOf() {
    return asOf;
  }

  private boolean correlated;

  /**
   * Compile for a small outer set (a sampled preview): correlated subqueries probed per row by
   * index, instead of grouped joins that read every related row however few rows are asked about.
   */
  public AudienceCompiler correlated() {
    this.correlated = true;
    return this;
  }

  /**
   * Compiles a definition.
   *
   * @param path JSON path of the definition in the request, for errors ({@code $.definition})
   * @throws io.customerstudio.query.ValidationException with every problem found
   */
  public Compiled compile(AudienceDefinition definition, String path) {
    ModelInfo parent = parentModel(definition, path);
    if (parent == null) {
      if (problems.isEmpty()) {
        problems.add(path + ".parent", "is required");
      }
      problems.throwIfAny();
    }
    Scope root = newScope(parent);
    org.jooq.Condition where =
        definition.filter() == null
            ? DSL.trueCondition()
            : condition(definition.filter(), root, !correlated);
    problems.throwIfAny();
    return new Compiled(root, where);
  }

  /**
   * Reads and compiles a definition's JSON in one pass, so structural problems (unknown fields, bad
   * windows) and semantic ones (unknown columns, wrong value types) are reported together.
   */
  public Compiled compile(JsonNode json, String path) {
    return compile(AudienceJson.readDefinition(json, path, problems), path);
  }

  /** The parent model a definition names, or a problem. */
  public ModelInfo parentModel(AudienceDefinition definition, String path) {
    if (definition == null || definition.parent() == null) {
      return null;
    }
    Optional<ModelInfo> model = catalog.model(definition.parent());
    if (model.isEmpty()) {
      problems.add(
          path + ".parent",
          Problems.unknown("model", definition.parent(), null, catalog.modelNames()));
      return null;
    }
    if (model.get().def().kind() != SchemaDocument.Kind.PARENT) {
      problems.add(
          path + ".parent",
          "\""
              + definition.parent()
              + "\" is a "
              + model.get().def().kind().name().toLowerCase()
              + " model; an audience selects a parent model: "
              + catalog.document().models(SchemaDocument.Kind.PARENT).stream()
                  .map(SchemaDocument.Model::name)
                  .toList());
      return null;
    }
    return model.get();
  }

  /** A new alias for a model, unique within this compilation. */
  public Scope newScope(ModelInfo model) {
    return new Scope(model, "t" + (aliases++));
  }

  /**
   * A condition in any position (under OR or NOT, in a CASE or a select list): relations and
   * aggregates compile to correlated subqueries, which PostgreSQL probes per row by index or
   * hashes, never rescans.
   */
  public org.jooq.Condition condition(Condition c, Scope scope) {
    return condition(c, scope, false);
  }

  /**
   * A condition that is ANDed into a WHERE clause: aggregates may then compile to grouped semi- and
   * anti-joins, which the planner turns into hash joins.
   */
  public org.jooq.Condition conjunct(Condition c, Scope scope) {
    return condition(c, scope, true);
  }

  private org.jooq.Condition condition(Condition c, Scope scope, boolean conjunctive) {
    if (c == null) {
      return DSL.falseCondition(); // a broken node already reported its problem: fail closed
    }
    return c.accept(new Visitor(scope, conjunctive));
  }

  /** The value of a trait for each row of {@code scope} (a correlated expression). */
  public Typed traitValue(Scope scope, TraitInfo trait, String path) {
    String id = scope.model().name() + "." + trait.def().name();
    if (inCycle(traitStack, "traits", id, path)) {
      return Typed.of(DSL.inline((Object) null), trait.type(), true);
    }
    traitStack.push(id);
    try {
      return trait.def().accept(new TraitValue(scope, trait));
    } finally {
      traitStack.pop();
    }
  }

  public Problems problems() {
    return problems;
  }

  // ---------------------------------------------------------------- conditions

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
        return unionOfKeys(c);
      }
      // an empty OR does not hold: fail closed
      org.jooq.Condition result = DSL.noCondition();
      for (Condition x : Relational.cheapestFirst(c.conditions())) {
        result = result.or(condition(x, s));
      }
      return result == NONE ? DSL.falseCondition() : result;
    }

    /**
     * {@code key IN (SELECT key WHERE c1 UNION SELECT key WHERE c2 ...)}: each branch is a
     * conjunctive root again, so its relations and aggregates become hash joins; OR-ing them in one
     * WHERE would leave the planner per-row subplans. Exact: the parent key is not null.
     */
    private org.jooq.Condition unionOfKeys(Condition.Or c) {
      org.jooq.Select<Record1<Object>> union = null;
      for (Condition x : c.conditions()) {
        org.jooq.Select<Record1<Object>> keys = keySet(x, s.model());
        union = union == null ? keys : union.union(keys);
      }
      return s.key().in(union);
    }

    @Override
    public org.jooq.Condition not(Condition.Not c) {
      return DSL.not(condition(c.condition(), s));
    }

    @Override
    public org.jooq.Condition property(Condition.Property c) {
      if (c.column() == null || c.op() == null) {
        return DSL.falseCondition();
      }
      Optional<Column> column = s.model().column(c.column());
      if (column.isEmpty()) {
        problems.add(
            c.path() + ".column",
            Problems.unknown(
                "column",
                c.column(),
                "model \"" + s.model().name() + "\"",
                s.model().columnsByName().keySet()));
        return DSL.falseCondition();
      }
      return compare(s.column(column.get()), c.op(), c.value(), c.path());
    }

    @Override
    public org.jooq.Condition trait(Condition.Trait c) {
      if (c.trait() == null || c.op() == null) {
        return DSL.falseCondition();
      }
      Optional<TraitInfo> trait = catalog.trait(s.model(), c.trait());
      if (trait.isEmpty()) {
        problems.add(
            c.path() + ".trait",
            Problems.unknown(
                "trait",
                c.trait(),
                "model \"" + s.model().name() + "\"",
                catalog.traits(s.model()).stream().map(t -> t.def().name()).toList()));
        return DSL.falseCondition();
      }
      if (trait.get().def() instanceof TraitDef.Aggregation) {
        Related r = related(c, s);
        return r == null ? DSL.falseCondition() : apply(s, r, conjunctive);
      }
      if (trait.get().def() instanceof TraitDef.Case caseTrait
          && CaseRewrite.applies(c.op(), c.value())) {
        return caseCondition(s, trait.get(), caseTrait, c, conjunctive);
      }
      return compare(traitValue(s, trait.get(), c.path() + ".trait"), c.op(), c.value(), c.path());
    }

    @Override
    public org.jooq.Condition relation(Condition.Relation c) {
      Related r = related(c, s);
      return r == null ? DSL.falseCondition() : apply(s, r, conjunctive);
    }

    @Override
    public org.jooq.Condition event(Condition.Event c) {
      Related r = related(c, s);
      return r == null ? DSL.falseCondition() : apply(s, r, conjunctive);
    }

    @Override
    public org.jooq.Condition audience(Condition.AudienceRef c) {
      if (c.audience() == null) {
        return DSL.falseCondition();
      }
      if (inCycle(audiences, "audiences", c.audience(), c.path() + ".audience")) {
        return DSL.falseCondition();
      }
      Optional<AudienceDefinition> other = resolver.audience(c.audience());
      if (other.isEmpty()) {
        problems.add(c.path() + ".audience", "no audience \"" + c.audience() + "\"");
        return DSL.falseCondition();
      }
      if (!s.model().name().equals(other.get().parent())) {
        problems.add(
            c.path() + ".audience",
            "audience \""
                + c.audience()
                + "\" selects \""
                + other.get().parent()
                + "\", not \""
                + s.model().name()
                + "\"");
        return DSL.falseCondition();
      }
      audiences.push(c.audience());
      try {
        org.jooq.Condition inner =
            other.get().filter() == null
                ? DSL.trueCondition()
                : condition(other.get().filter(), s, c.member() && conjunctive);
        return c.member() ? inner : DSL.not(inner);
      } finally {
        audiences.pop();
      }
    }

    @Override
    public org.jooq.Condition template(Condition.Template c) {
      if (c.template() == null) {
        return DSL.falseCondition();
      }
      if (inCycle(templates, "templates", c.template(), c.path() + ".template")) {
        return DSL.falseCondition();
      }
      Optional<TemplateBody> body = resolver.template(c.template());
      if (body.isEmpty()) {
        problems.add(c.path() + ".template", "no template \"" + c.template() + "\"");
        return DSL.falseCondition();
      }
      for (String given : c.params().keySet()) {
        if (!body.get().params().contains(given)) {
          problems.add(
              c.path() + ".params." + given,
              Problems.unknown(
                  "parameter", given, "template \"" + c.template() + "\"", body.get().params()));
        }
      }
      for (String needed : body.get().params()) {
        if (!c.params().containsKey(needed)) {
          problems.add(
              c.path() + ".params." + needed, "is required by template \"" + c.template() + "\"");
        }
      }
      JsonNode substituted = substitute(body.get().condition(), c.params());
      Problems inner = new Problems();
      Condition parsed =
          AudienceJson.readCondition(
              substituted, c.path() + "<template " + c.template() + ">", inner);
      inner.list().forEach(p -> problems.add(p.path(), p.message()));
      templates.push(c.template());
      try {
        return condition(parsed, s, conjunctive);
      } finally {
        templates.pop();
      }
    }
  }

  /**
   * What relation, event and aggregation-trait conditions have in common: the related rows (and
   * their filter), and either existence ({@code value} null; {@code negate} for "did not") or an
   * aggregate compared with an operand.
   */
  private record Related(
      Rows rows,
      org.jooq.Condition where,
      Typed value,
      AggFunction function,
      Op op,
      JsonNode operand,
      String path,
      boolean negate) {}

  /** The related rows a condition reads, or null after reporting why it is invalid. */
  private Related related(Condition x, Scope s) {
    if (x instanceof Condition.Relation c) {
      if (c.relationship() == null) {
        return null;
      }
      Optional<Hop> hop = catalog.hop(s.model(), c.relationship());
      if (hop.isEmpty()) {
        problems.add(
            c.path() + ".relationship",
            Problems.unknown(
                "relationship",
                c.relationship(),
                "model \"" + s.model().name() + "\"",
                catalog.hops(s.model()).stream().map(Hop::relationship).toList()));
        return null;
      }
      Rows rows = rows(s, List.of(hop.get()));
      org.jooq.Condition where = c.where() == null ? NONE : conjunct(c.where(), rows.last());
      if (c.aggregate() == null) {
        return new Related(rows, where, null, null, null, null, c.path(), false);
      }
      Condition.Aggregate a = c.aggregate();
      if (a.function() == null || a.op() == null) {
        return null;
      }
      Typed value = aggregate(rows.last(), a.function(), a.column(), null, a.path());
      return value == null
          ? null
          : new Related(rows, where, value, a.function(), a.op(), a.value(), a.path(), false);
    }
    if (x instanceof Condition.Event c) {
      return relatedEvents(c, s);
    }
    if (x instanceof Condition.Trait c) {
      Catalog.TraitInfo trait = catalog.trait(s.model(), c.trait()).orElseThrow();
      TraitDef.Aggregation agg = (TraitDef.Aggregation) trait.def();
      String id = s.model().name() + "." + agg.name();
      if (inCycle(traitStack, "traits", id, c.path() + ".trait")) {
        return null;
      }
      traitStack.push(id);
      try {
        List<Hop> hops = path(s.model(), agg.relationshipPath(), agg.path() + ".relationship");
        if (hops == null || c.op() == null) {
          return null;
        }
        Rows rows = rows(s, hops);
        org.jooq.Condition where = agg.where() == null ? NONE : conjunct(agg.where(), rows.last());
        Typed value =
            aggregate(rows.last(), agg.function(), agg.column(), agg.orderBy(), agg.path());
        return value == null
            ? null
            : new Related(rows, where, value, agg.function(), c.op(), c.value(), c.path(), false);
      } finally {
        traitStack.pop();
      }
    }
    throw new IllegalArgumentException("not a related-rows condition: " + x);
  }

  private Related relatedEvents(Condition.Event c, Scope s) {
    if (c.event() == null) {
      return null;
    }
    Optional<ModelInfo> model = catalog.model(c.event());
    if (model.isEmpty() || model.get().def().kind() != SchemaDocument.Kind.EVENT) {
      problems.add(
          c.path() + ".event",
          Problems.unknown(
              "event model",
              c.event(),
              null,
              catalog.document().models(SchemaDocument.Kind.EVENT).stream()
                  .map(SchemaDocument.Model::name)
                  .toList()));
      return null;
    }
    List<Hop> hops = eventHops(s.model(), c.event());
    if (hops.size() != 1) {
      problems.add(
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
    Rows rows = rows(s, hops);
    Scope e = rows.last();
    SchemaDocument.Model def = e.model().def();
    org.jooq.Condition where = NONE;
    if (c.eventType() != null) {
      if (def.eventType() == null) {
        problems.add(
            c.path() + ".eventType", "event model \"" + c.event() + "\" has no eventType column");
      } else {
        where = where.and(e.field(def.eventType()).eq(DSL.val(c.eventType())));
      }
    }
    if (c.where() != null) {
      where = where.and(conjunct(c.where(), e));
    }
    if (c.window() != null) {
      where = where.and(window(e, c.window()));
    }
    Op op = c.count() == null ? Op.GTE : c.count().op();
    JsonNode value =
        c.count() == null
            ? com.fasterxml.jackson.databind.node.IntNode.valueOf(1)
            : c.count().value();
    String path = c.count() == null ? c.path() : c.count().path();
    if (op == null) {
      return null;
    }
    Long n = value != null && value.isIntegralNumber() ? value.asLong() : null;
    if ((op == Op.GTE && Long.valueOf(1).equals(n)) || (op == Op.GT && Long.valueOf(0).equals(n))) {
      return new Related(rows, where, null, null, null, null, path, false);
    }
    if ((op == Op.EQ || op == Op.LTE) && Long.valueOf(0).equals(n)
        || op == Op.LT && Long.valueOf(1).equals(n)) {
      return new Related(rows, where, null, null, null, null, path, true);
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

  private List<Hop> eventHops(ModelInfo from, String event) {
    return catalog.hops(from).stream().filter(h -> h.to().name().equals(event)).toList();
  }

  private org.jooq.Condition apply(Scope s, Related r, boolean conjunctive) {
    if (r.value() == null) {
      org.jooq.Condition e = exists(s, r.rows(), r.where());
      return r.negate() ? DSL.not(e) : e;
    }
    return aggregateCondition(
        s,
        r.rows(),
        r.where(),
        r.value(),
        r.function(),
        r.op(),
        r.operand(),
        r.path(),
        conjunctive);
  }

  /**
   * The keys of {@code model} for which {@code x} holds, as a subquery. A condition on rows linked
   * by the model's own key (purchases.user_id = users.user_id) reads its keys straight from the
   * related table, grouped if aggregated: the shape an analyst writes for a union of sets.
   */
  private org.jooq.Select<Record1<Object>> keySet(Condition x, ModelInfo model) {
    Scope b = newScope(model);
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
        && Boolean.FALSE.equals(holdsOnEmpty(r.function(), r.op(), r.operand()))) {
      return DSL.select(link)
          .from(r.rows().table())
          .where(r.where())
          .and(link.isNotNull())
          .groupBy(link)
          .having(compare(r.value(), r.op(), r.operand(), r.path()));
    }
    return DSL.select(b.key()).from(b.table()).where(apply(b, r, true));
  }

  /** Whether {@code x} reads rows linked to {@code model} by exactly its primary key. */
  private boolean linkedByKey(Condition x, ModelInfo model) {
    List<String> key = List.of(model.def().primaryKey());
    if (x instanceof Condition.Relation c && c.relationship() != null) {
      return catalog
          .hop(model, c.relationship())
          .map(h -> h.fromColumns().equals(key))
          .orElse(false);
    }
    if (x instanceof Condition.Event c && c.event() != null) {
      List<Hop> hops = eventHops(model, c.event());
      return hops.size() == 1
          && hops.get(0).fromColumns().equals(key)
          && hops.get(0).to().def().kind() == SchemaDocument.Kind.EVENT;
    }
    if (x instanceof Condition.Trait c && c.trait() != null) {
      return catalog
          .trait(model, c.trait())
          .filter(t -> t.def() instanceof TraitDef.Aggregation)
          .map(
              t ->
                  catalog
                      .hop(model, ((TraitDef.Aggregation) t.def()).relationshipPath().get(0))
                      .map(h -> h.fromColumns().equals(key))
                      .orElse(false))
          .orElse(false);
    }
    return false;
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
    if (inCycle(traitStack, "traits", id, c.path() + ".trait")) {
      return DSL.falseCondition();
    }
    if (!CaseRewrite.valueFits(trait.type(), c.op(), c.value())) {
      // let the generic comparison report the type problem
      return compare(traitValue(s, trait, c.path() + ".trait"), c.op(), c.value(), c.path());
    }
    traitStack.push(id);
    try {
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
            condition(t.cases().get(i).when(), s, conjunctive && branches == 1);
        for (int j = 0; j < i; j++) {
          branch = branch.and(DSL.not(condition(t.cases().get(j).when(), s, false)));
        }
        result = result.or(branch);
      }
      if (elseMatches) {
        org.jooq.Condition none = NONE;
        for (TraitDef.When w : t.cases()) {
          none = none.and(DSL.not(condition(w.when(), s, false)));
        }
        result = result.or(none == NONE ? DSL.trueCondition() : none);
      }
      return result == NONE ? DSL.falseCondition() : result;
    } finally {
      traitStack.pop();
    }
  }

  /** Replaces every {"param": name} object with that parameter's value. */
  static JsonNode substitute(JsonNode node, Map<String, JsonNode> params) {
    if (node.isObject()) {
      if (node.size() == 1 && node.has("param") && node.get("param").isTextual()) {
        JsonNode v = params.get(node.get("param").asText());
        return v == null ? com.fasterxml.jackson.databind.node.NullNode.getInstance() : v;
      }
      ObjectNode copy = ((ObjectNode) node).objectNode();
      node.fields().forEachRemaining(e -> copy.set(e.getKey(), substitute(e.getValue(), params)));
      return copy;
    }
    if (node.isArray()) {
      var copy = com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.arrayNode();
      node.forEach(x -> copy.add(substitute(x, params)));
      return copy;
    }
    return node;
  }

  // ---------------------------------------------------------------- related rows

  /**
   * The rows reached from {@code from} along {@code hops}: a join of their sources, the columns
   * that link back to {@code from}, and the scope of the last model.
   */
  record Rows(
      Table<?> table,
      List<Field<Object>> links,
      List<Field<Object>> anchors,
      List<Column> anchorColumns,
      Scope last) {}

  private Rows rows(Scope from, List<Hop> hops) {
    Hop first = hops.get(0);
    Scope current = newScope(first.to());
    Table<?> table = current.table();
    List<Field<Object>> links = first.toColumns().stream().map(current::field).toList();
    for (Hop hop : hops.subList(1, hops.size())) {
      Scope next = newScope(hop.to());
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

  /** Resolves a dotted relationship path from a model, or reports where it breaks. */
  List<Hop> path(ModelInfo from, List<String> names, String path) {
    List<Hop> hops = new ArrayList<>();
    ModelInfo current = from;
    for (String name : names) {
      Optional<Hop> hop = catalog.hop(current, name);
      if (hop.isEmpty()) {
        problems.add(
            path,
            Problems.unknown(
                "relationship",
                name,
                "model \"" + current.name() + "\"",
                catalog.hops(current).stream().map(Hop::relationship).toList()));
        return null;
      }
      hops.add(hop.get());
      current = hop.get().to();
    }
    return hops;
  }

  /**
   * Rows of {@code s} with at least one related row satisfying {@code where}: a correlated EXISTS,
   * which the planner pulls up into a semi-join under AND and hashes or probes elsewhere.
   * Two-valued: EXISTS is never NULL.
   */
  private org.jooq.Condition exists(Scope s, Rows rows, org.jooq.Condition where) {
    return DSL.exists(DSL.selectOne().from(rows.table()).where(where).and(link(rows)));
  }

  /** The related rows' link columns equal to the anchor row's columns. */
  private static org.jooq.Condition link(Rows rows) {
    org.jooq.Condition on = NONE;
    for (int i = 0; i < rows.links().size(); i++) {
      on = on.and(rows.links().get(i).eq(rows.anchors().get(i)));
    }
    return on;
  }

  private org.jooq.Condition semiJoin(Rows rows, Select<? extends Record> sub) {
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

  /**
   * {@code value op operand} over the related rows of each row of {@code s}, set-based. When the
   * predicate holds for no related rows (count = 0, a negative operator on a NULL sum), members are
   * the rows NOT having a group that fails it: an anti-join; otherwise a semi-join on the groups
   * that pass.
   */
  private org.jooq.Condition aggregateCondition(
      Scope s,
      Rows rows,
      org.jooq.Condition where,
      Typed value,
      AggFunction function,
      Op op,
      JsonNode operand,
      String path,
      boolean conjunctive) {
    if (!conjunctive) {
      // per-row: the aggregate of this row's related rows (0 or NULL over none), compared
      @SuppressWarnings("unchecked")
      Field<Object> agg = (Field<Object>) value.field();
      Field<Object> scalar =
          DSL.field(DSL.select(agg).from(rows.table()).where(where).and(link(rows)));
      return compare(
          new Typed(scalar, value.type(), value.dataType(), !function.zeroOnEmpty()),
          op,
          operand,
          path);
    }
    org.jooq.Condition having = compare(value, op, operand, path);
    Boolean onEmpty = holdsOnEmpty(function, op, operand);
    if (onEmpty == null) {
      return DSL.falseCondition();
    }
    if (!onEmpty) {
      Select<Record> sub =
          DSL.select(rows.links())
              .from(rows.table())
              .where(where)
              .and(notNull(rows.links()))
              .groupBy(rows.links())
              .having(having);
      return semiJoin(rows, sub);
    }
    Table<Record> failing =
        DSL.select(rows.links())
            .from(rows.table())
            .where(where)
            .and(notNull(rows.links()))
            .groupBy(rows.links())
            .having(DSL.not(having))
            .asTable("g" + (aliases++));
    org.jooq.Condition match = NONE;
    for (int i = 0; i < rows.links().size(); i++) {
      @SuppressWarnings("unchecked")
      Field<Object> g = (Field<Object>) failing.field(i);
      match = match.and(g.eq(rows.anchors().get(i)));
    }
    return DSL.notExists(DSL.selectOne().from(failing).where(match));
  }

  /** Whether the predicate holds for a row with no related rows (0 or NULL aggregate). */
  private Boolean holdsOnEmpty(AggFunction function, Op op, JsonNode operand) {
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
      problems.add(path + ".column", "is required for " + function.json());
      return null;
    }
    Optional<Column> column = t.model().column(columnName);
    if (column.isEmpty()) {
      problems.add(
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
    switch (function) {
      case COUNT:
        return Typed.of(DSL.count(f), ColumnType.NUMBER, false);
      case COUNT_DISTINCT:
        return Typed.of(DSL.countDistinct(f), ColumnType.NUMBER, false);
      case SUM:
      case AVG:
        if (type != ColumnType.NUMBER) {
          problems.add(
              path + ".column",
              function.json() + " needs a number column; \"" + columnName + "\" is " + type.json());
          return null;
        }
        @SuppressWarnings("unchecked")
        Field<? extends Number> n = (Field<? extends Number>) (Field<?>) f;
        return Typed.of(
            function == AggFunction.SUM ? DSL.sum(n) : DSL.avg(n), ColumnType.NUMBER, true);
      case MIN:
      case MAX:
        if (type == ColumnType.BOOLEAN || type == ColumnType.JSON) {
          problems.add(
              path + ".column",
              function.json()
                  + " needs a number, timestamp or string column; \""
                  + columnName
                  + "\" is "
                  + type.json());
          return null;
        }
        return new Typed(
            function == AggFunction.MIN ? DSL.min(f) : DSL.max(f), type, x.dataType(), true);
      case FIRST:
      case LAST:
        {
          String order = orderBy != null ? orderBy : t.model().def().timestamp();
          if (order == null || t.model().column(order).isEmpty()) {
            problems.add(
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
          Field<Object[]> ordered = DSL.arrayAgg(f).orderBy(sort);
          return new Typed(DSL.field("({0})[1]", x.dataType(), ordered), type, x.dataType(), true);
        }
      case MOST_FREQUENT:
        // ties go to the smaller value: mode() picks the first in the sort order
        return new Typed(DSL.mode().withinGroupOrderBy(f), type, x.dataType(), true);
      default:
        throw new IllegalStateException("unhandled " + function);
    }
  }

  // ---------------------------------------------------------------- trait values

  private final class TraitValue implements TraitDef.Visitor<Typed> {
    private final Scope s;
    private final TraitInfo trait;

    TraitValue(Scope s, TraitInfo trait) {
      this.s = s;
      this.trait = trait;
    }

    @Override
    public Typed aggregation(TraitDef.Aggregation t) {
      List<Hop> hops = path(s.model(), t.relationshipPath(), t.path() + ".relationship");
      if (hops == null) {
        return Typed.of(DSL.inline((Object) null), trait.type(), true);
      }
      Rows rows = rows(s, hops);
      org.jooq.Condition where = t.where() == null ? NONE : conjunct(t.where(), rows.last());
      Typed value = aggregate(rows.last(), t.function(), t.column(), t.orderBy(), t.path());
      if (value == null) {
        return Typed.of(DSL.inline((Object) null), trait.type(), true);
      }
      org.jooq.Condition link = link(rows);
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
        org.jooq.Condition when = condition(w.when(), s);
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
      // the admin's expression sees only this model's row: (select <expr> from (select alias.*) x)
      Field<?> value =
          DSL.field(
              "(select " + t.expression() + " from (select {0}.*) cs_row)",
              type,
              DSL.name(s.alias()));
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

  // ---------------------------------------------------------------- comparisons

  /**
   * {@code x op value} as a two-valued condition, with the spec's NULL rule: neq, not_in,
   * not_contains and not_within_last hold for NULL; every other operator fails on it.
   */
  org.jooq.Condition compare(Typed x, Op op, JsonNode value, String path) {
    if (!op.types().contains(x.type())) {
      problems.add(
          path + ".op",
          "\""
              + op.json()
              + "\" does not apply to a "
              + x.type().json()
              + "; use one of "
              + java.util.Arrays.stream(Op.values())
                  .filter(o -> o.types().contains(x.type()))
                  .map(Op::json)
                  .toList());
      return DSL.falseCondition();
    }
    @SuppressWarnings("unchecked")
    Field<Object> f = (Field<Object>) x.field();
    if (op.value() == Op.Value.NONE) {
      if (value != null && !value.isNull()) {
        problems.add(path + ".value", "\"" + op.json() + "\" takes no value");
      }
      return switch (op) {
        case IS_NULL -> x.nullable() ? f.isNull() : DSL.falseCondition();
        case IS_NOT_NULL -> x.nullable() ? f.isNotNull() : DSL.trueCondition();
        case IS_TRUE -> twoValued(x, f, f.eq(DSL.inline(true)), false);
        case IS_FALSE -> twoValued(x, f, f.eq(DSL.inline(false)), false);
        default -> throw new IllegalStateException(op.name());
      };
    }
    org.jooq.Condition raw = raw(x, f, op, value, path);
    return raw == null ? DSL.falseCondition() : twoValued(x, f, raw, op.holdsOnNull());
  }

  /**
   * Makes {@code raw} (which is NULL exactly when x is) two-valued: it holds on NULL for the
   * negative operators. A plain column keeps the sargable form ({@code x = ? and x is not null});
   * any other expression is written once, inside {@code coalesce(raw, false|true)}.
   */
  private static org.jooq.Condition twoValued(
      Typed x, Field<Object> f, org.jooq.Condition raw, boolean holdsOnNull) {
    if (!x.nullable()) {
      return raw;
    }
    if (x.simple()) {
      return holdsOnNull ? f.isNull().or(raw) : raw.and(f.isNotNull());
    }
    return DSL.condition(DSL.coalesce(DSL.field(raw), DSL.inline(holdsOnNull)));
  }

  /** {@code x op value} in plain SQL three-valued logic; null (with a problem) if invalid. */
  private org.jooq.Condition raw(Typed x, Field<Object> f, Op op, JsonNode value, String path) {
    if (op.value() == Op.Value.DURATION) {
      long[] amount = new long[1];
      TimeUnit unit = AudienceJson.duration(value, path + ".value", amount, problems);
      if (unit == null) {
        return null;
      }
      Field<Object> lower = time(unit.before(asOf, amount[0]), x);
      Field<Object> upper = time(asOf, x);
      return op == Op.WITHIN_LAST ? f.between(lower, upper) : f.lt(lower).or(f.gt(upper));
    }
    if (op.value() == Op.Value.ARRAY) {
      if (value == null || !value.isArray() || value.isEmpty()) {
        problems.add(
            path + ".value",
            "\"" + op.json() + "\" takes a non-empty array of " + x.type().json() + "s");
        return null;
      }
      if (value.size() > 10_000) {
        problems.add(path + ".value", "at most 10000 values");
        return null;
      }
      List<Field<Object>> values = new ArrayList<>();
      for (int i = 0; i < value.size(); i++) {
        Field<Object> v = bind(value.get(i), x, path + ".value[" + i + "]");
        if (v == null) {
          return null;
        }
        values.add(v);
      }
      return op == Op.IN ? f.in(values) : f.notIn(values);
    }
    if (op.value() == Op.Value.PAIR) {
      if (value == null || !value.isArray() || value.size() != 2) {
        problems.add(path + ".value", "\"between\" takes [low, high]");
        return null;
      }
      Field<Object> low = bind(value.get(0), x, path + ".value[0]");
      Field<Object> high = bind(value.get(1), x, path + ".value[1]");
      return low == null || high == null ? null : f.between(low, high);
    }
    Field<Object> v = bind(value, x, path + ".value");
    if (v == null) {
      return null;
    }
    return switch (op) {
      case EQ -> f.eq(v);
      case NEQ -> f.ne(v);
      case GT, AFTER -> f.gt(v);
      case GTE -> f.ge(v);
      case LT, BEFORE -> f.lt(v);
      case LTE -> f.le(v);
      case CONTAINS -> f.containsIgnoreCase(v);
      case NOT_CONTAINS -> f.notContainsIgnoreCase(v);
      case STARTS_WITH -> f.startsWithIgnoreCase(v);
      case ENDS_WITH -> f.endsWithIgnoreCase(v);
      default -> throw new IllegalStateException(op.name());
    };
  }

  /** A JSON value as a bind value of {@code x}'s type; null (with a problem) if it does not fit. */
  @SuppressWarnings("unchecked")
  private Field<Object> bind(JsonNode v, Typed x, String path) {
    if (v == null || v.isNull()) {
      problems.add(path, "a " + x.type().json() + " value is required");
      return null;
    }
    switch (x.type()) {
      case STRING:
        if (!v.isTextual()) {
          problems.add(path, "expected a string, got " + v.getNodeType().name().toLowerCase());
          return null;
        }
        return (Field<Object>) (Field<?>) DSL.val(v.asText(), SQLDataType.VARCHAR);
      case NUMBER:
        if (!v.isNumber()) {
          problems.add(path, "expected a number, got " + v.getNodeType().name().toLowerCase());
          return null;
        }
        if (v.isFloatingPointNumber() && !Double.isFinite(v.doubleValue())) {
          // 1e400 reads as infinity, which has no decimal value (AudienceJson reports it too)
          problems.add(path, "a number out of range");
          return null;
        }
        BigDecimal d = v.decimalValue();
        Class<?> javaType = x.dataType().getType();
        if (javaType == Long.class
            && d.stripTrailingZeros().scale() <= 0
            && d.compareTo(BigDecimal.valueOf(Long.MAX_VALUE)) <= 0
            && d.compareTo(BigDecimal.valueOf(Long.MIN_VALUE)) >= 0) {
          return (Field<Object>) (Field<?>) DSL.val(d.longValueExact(), SQLDataType.BIGINT);
        }
        if (javaType == Double.class) {
          return (Field<Object>) (Field<?>) DSL.val(d.doubleValue(), SQLDataType.DOUBLE);
        }
        return (Field<Object>) (Field<?>) DSL.val(d, SQLDataType.NUMERIC);
      case BOOLEAN:
        if (!v.isBoolean()) {
          problems.add(path, "expected true or false, got " + v.getNodeType().name().toLowerCase());
          return null;
        }
        return (Field<Object>) (Field<?>) DSL.val(v.asBoolean(), SQLDataType.BOOLEAN);
      case TIMESTAMP:
        Instant t = AudienceJson.instant(v, path, problems);
        return t == null ? null : time(t, x);
      default:
        problems.add(path, "a json column can only be tested with is_null or is_not_null");
        return null;
    }
  }

  /** An instant as a bind value matching how {@code x} stores time. */
  @SuppressWarnings("unchecked")
  private static Field<Object> time(Instant t, Typed x) {
    if (x.dataType().getType() == LocalDateTime.class) {
      return (Field<Object>)
          (Field<?>) DSL.val(LocalDateTime.ofInstant(t, ZoneOffset.UTC), SQLDataType.LOCALDATETIME);
    }
    return (Field<Object>)
        (Field<?>)
            DSL.val(OffsetDateTime.ofInstant(t, ZoneOffset.UTC), SQLDataType.TIMESTAMPWITHTIMEZONE);
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
            return f.ge(time(w.unit().before(asOf, w.amount()), x)).and(f.le(time(asOf, x)));
          }

          @Override
          public org.jooq.Condition notWithinLast(Condition.Window.NotWithinLast w) {
            return f.isNull()
                .or(f.lt(time(w.unit().before(asOf, w.amount()), x)))
                .or(f.gt(time(asOf, x)));
          }

          @Override
          public org.jooq.Condition between(Condition.Window.Between w) {
            return w.from() == null || w.to() == null
                ? DSL.falseCondition()
                : f.ge(time(w.from(), x)).and(f.lt(time(w.to(), x)));
          }

          @Override
          public org.jooq.Condition before(Condition.Window.Before w) {
            return w.at() == null ? DSL.falseCondition() : f.lt(time(w.at(), x));
          }

          @Override
          public org.jooq.Condition after(Condition.Window.After w) {
            return w.at() == null ? DSL.falseCondition() : f.gt(time(w.at(), x));
          }
        });
  }

  /** Reports a cycle through {@code key} and returns true; false when there is none. */
  private boolean inCycle(Deque<String> stack, String what, String key, String path) {
    if (!stack.contains(key)) {
      return false;
    }
    problems.add(
        path, what + " form a cycle: " + String.join(" -> ", reversed(stack)) + " -> " + key);
    return true;
  }

  private static List<String> reversed(Deque<String> stack) {
    List<String> list = new ArrayList<>(stack);
    java.util.Collections.reverse(list);
    return list;
  }

  private static org.jooq.Condition notNull(List<Field<Object>> fields) {
    org.jooq.Condition c = NONE;
    for (Field<Object> f : fields) {
      c = c.and(f.isNotNull());
    }
    return c;
  }

  /** A model's source under an alias: its table, or its read-only query as a derived table. */
  public static Table<?> source(ModelInfo model, String alias) {
    SchemaDocument.Source src = model.def().source();
    if (src.table() != null) {
      String[] parts = src.table().split("\\.");
      return DSL.table(DSL.name(parts)).as(DSL.name(alias));
    }
    return DSL.table("(" + src.sql() + ")").as(DSL.name(alias));
  }
}
