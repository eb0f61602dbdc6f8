package io.customerstudio.infra.workspace;

import com.fasterxml.jackson.databind.JsonNode;
import io.customerstudio.infra.store.AudienceStore;
import io.customerstudio.infra.store.SchemaStore;
import io.customerstudio.infra.store.TemplateStore;
import io.customerstudio.infra.warehouse.Warehouse;
import io.customerstudio.query.Problems;
import io.customerstudio.query.ValidationException;
import io.customerstudio.query.audience.AudienceDefinition;
import io.customerstudio.query.audience.AudienceJson;
import io.customerstudio.query.compile.AudienceCompiler;
import io.customerstudio.query.engine.AudienceEngine;
import io.customerstudio.query.schema.Catalog;
import io.customerstudio.query.schema.Introspector;
import io.customerstudio.query.schema.JdbcIntrospector;
import io.customerstudio.query.schema.SchemaDocument;
import io.customerstudio.query.schema.SchemaValidator;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The registered schema as a validated {@link Catalog} (introspected once per schema version and
 * cached), and the audience engine over it, resolving audience and template references from the app
 * store. Thread-safe.
 */
public class Workspace {

  private record Cached(int version, Catalog catalog) {}

  private final SchemaStore schemas;
  private final AudienceStore audiences;
  private final TemplateStore templates;
  private final Warehouse warehouse;
  private final Introspector introspector;
  private final AtomicReference<Cached> cache = new AtomicReference<>();

  public Workspace(
      SchemaStore schemas, AudienceStore audiences, TemplateStore templates, Warehouse warehouse) {
    this.schemas = schemas;
    this.audiences = audiences;
    this.templates = templates;
    this.warehouse = warehouse;
    this.introspector = new JdbcIntrospector(warehouse.dataSource());
  }

  public Introspector introspector() {
    return introspector;
  }

  /** Validates a document against the warehouse without saving it. */
  public Catalog validate(SchemaDocument document) {
    return new SchemaValidator(introspector).validate(document);
  }

  /**
   * The current catalog.
   *
   * @throws ValidationException when no schema is registered, or the warehouse no longer matches it
   */
  public Catalog catalog() {
    SchemaStore.SchemaVersion current =
        schemas
            .current()
            .orElseThrow(
                () ->
                    ValidationException.of(
                        "$",
                        "no warehouse schema is registered yet; an admin registers one (PUT /api/v1/schema)"));
    Cached cached = cache.get();
    if (cached != null && cached.version() == current.version()) {
      return cached.catalog();
    }
    Catalog catalog = validate(SchemaDocument.parse(current.document()));
    cache.set(new Cached(current.version(), catalog));
    return catalog;
  }

  /** Forgets the cached catalog (after a schema save, or when the warehouse changed). */
  public void refresh() {
    cache.set(null);
  }

  public AudienceEngine engine() {
    return new AudienceEngine(catalog(), warehouse.dsl(), resolver());
  }

  /** An engine over a catalog that is not saved yet (a schema being edited). */
  public AudienceEngine engine(Catalog catalog) {
    return new AudienceEngine(catalog, warehouse.dsl(), resolver());
  }

  /**
   * An engine whose warehouse statements are reported to {@code listener}, which lets a caller
   * cancel a running query from another thread (a preview the user has edited past).
   */
  public AudienceEngine engine(org.jooq.ExecuteListener listener) {
    return new AudienceEngine(
        catalog(), warehouse.dsl().configuration().derive(listener).dsl(), resolver());
  }

  public AudienceCompiler.Resolver resolver() {
    return new AudienceCompiler.Resolver() {
      @Override
      public Optional<AudienceDefinition> audience(String key) {
        return audiences.find(key).map(a -> definition(a.definition()));
      }

      @Override
      public Optional<AudienceCompiler.TemplateBody> template(String key) {
        return templates
            .find(key)
            .map(
                t ->
                    new AudienceCompiler.TemplateBody(
                        params(t.params()), AudienceJson.parse(t.condition())));
      }
    };
  }

  /** A stored definition (validated when it was saved). */
  public static AudienceDefinition definition(String json) {
    Problems problems = new Problems();
    AudienceDefinition d =
        AudienceJson.readDefinition(AudienceJson.parse(json), "$.definition", problems);
    problems.throwIfAny();
    return d;
  }

  static List<String> params(String json) {
    List<String> names = new ArrayList<>();
    for (JsonNode n : AudienceJson.parse(json)) {
      names.add(n.asText());
    }
    return names;
  }

  /**
   * Whether the warehouse is columnar (DuckDB): an exact count there answers about as fast as a
   * sample, so the builder does not show an estimate first.
   */
  public boolean columnar() {
    return warehouse.duckDb();
  }
}
