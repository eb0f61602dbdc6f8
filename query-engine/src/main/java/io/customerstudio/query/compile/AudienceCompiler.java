package io.customerstudio.query.compile;

import com.fasterxml.jackson.databind.JsonNode;
import io.customerstudio.query.Problems;
import io.customerstudio.query.audience.AudienceDefinition;
import io.customerstudio.query.audience.AudienceJson;
import io.customerstudio.query.audience.Condition;
import io.customerstudio.query.schema.Catalog;
import io.customerstudio.query.schema.Catalog.ModelInfo;
import io.customerstudio.query.schema.Catalog.TraitInfo;
import io.customerstudio.query.schema.Column;
import io.customerstudio.query.schema.SchemaDocument;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.jooq.Field;
import org.jooq.Table;
import org.jooq.impl.DSL;

/**
 * Compiles audience definitions to jOOQ conditions over the parent model, and traits to fields. The
 * entry point of the package; the work is done by one owner per concern over a shared {@link
 * CompileContext}: {@link Conditions} (AND, OR, NOT and the dispatch), {@link Comparisons}
 * (operators, bind values, the NULL rule), {@link RelatedRows} and {@link Aggregates} (relations,
 * existence, semi- and anti-joins), {@link EventConditions}, {@link TraitFields}, {@link
 * AudienceReferences} and {@link Templates}.
 *
 * <p>Contract: identifiers come only from the {@link Catalog}; every user value is a bind value;
 * every compiled condition is two-valued (never SQL NULL), so {@code not} is an exact complement
 * and the spec's NULL rule lives in one place ({@link Comparisons}). Relation, event and
 * aggregation-trait conditions become semi-joins ({@code key IN (SELECT fk ...)}) or, when the
 * predicate holds for "no related rows", anti-joins ({@code NOT EXISTS (... HAVING NOT p)}): set
 * based, never per-row loops. Relative windows are resolved against {@code asOf}, in Java, and
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

  private final CompileContext cx;
  private final Conditions conditions;
  private boolean correlated;

  public AudienceCompiler(Catalog catalog, Resolver resolver, Instant asOf) {
    this.cx = new CompileContext(catalog, resolver, asOf);
    this.conditions = new Conditions(cx);
  }

  public Instant asOf() {
    return cx.asOf();
  }

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
    Problems problems = cx.problems();
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
            : conditions.condition(definition.filter(), root, !correlated);
    problems.throwIfAny();
    return new Compiled(root, where);
  }

  /**
   * Reads and compiles a definition's JSON in one pass, so structural problems (unknown fields, bad
   * windows) and semantic ones (unknown columns, wrong value types) are reported together.
   */
  public Compiled compile(JsonNode json, String path) {
    return compile(AudienceJson.readDefinition(json, path, cx.problems()), path);
  }

  /** The parent model a definition names, or a problem. */
  public ModelInfo parentModel(AudienceDefinition definition, String path) {
    if (definition == null || definition.parent() == null) {
      return null;
    }
    Catalog catalog = cx.catalog();
    Optional<ModelInfo> model = catalog.model(definition.parent());
    if (model.isEmpty()) {
      cx.problems()
          .add(
              path + ".parent",
              Problems.unknown("model", definition.parent(), null, catalog.modelNames()));
      return null;
    }
    if (model.get().def().kind() != SchemaDocument.Kind.PARENT) {
      cx.problems()
          .add(
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
    return cx.newScope(model);
  }

  /**
   * A condition in any position (under OR or NOT, in a CASE or a select list): relations and
   * aggregates compile to correlated subqueries, which PostgreSQL probes per row by index or
   * hashes, never rescans.
   */
  public org.jooq.Condition condition(Condition c, Scope scope) {
    return conditions.condition(c, scope);
  }

  /**
   * A condition that is ANDed into a WHERE clause: aggregates may then compile to grouped semi- and
   * anti-joins, which the planner turns into hash joins.
   */
  public org.jooq.Condition conjunct(Condition c, Scope scope) {
    return conditions.conjunct(c, scope);
  }

  /** The value of a trait for each row of {@code scope} (a correlated expression). */
  public Typed traitValue(Scope scope, TraitInfo trait, String path) {
    return conditions.traits().value(scope, trait, path);
  }

  public Problems problems() {
    return cx.problems();
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
