package io.customerstudio.app.schema;

import com.fasterxml.jackson.databind.JsonNode;
import io.customerstudio.app.api.ApiException;
import io.customerstudio.app.api.Json;
import io.customerstudio.infra.store.SchemaStore;
import io.customerstudio.infra.workspace.Workspace;
import io.customerstudio.query.audience.AudienceDefinition;
import io.customerstudio.query.engine.AudienceEngine;
import io.customerstudio.query.schema.Catalog;
import io.customerstudio.query.schema.Column;
import io.customerstudio.query.schema.SchemaDocument;
import java.time.Clock;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Map;
import org.springframework.stereotype.Service;

/** The warehouse schema document: read, validated against the warehouse and replaced. */
@Service
public class SchemaService {

  public record SchemaView(
      Integer version, String updatedBy, OffsetDateTime updatedAt, JsonNode document) {}

  public record ColumnView(String name, String type, String nativeType, boolean nullable) {}

  private final SchemaStore schemas;
  private final io.customerstudio.app.security.CurrentRestriction restriction;
  private final Workspace workspace;
  private final Clock clock;
  private final SchemaChanges changes;

  public SchemaService(
      SchemaStore schemas,
      Workspace workspace,
      io.customerstudio.app.security.CurrentRestriction restriction,
      Clock clock,
      SchemaChanges changes) {
    this.restriction = restriction;
    this.schemas = schemas;
    this.workspace = workspace;
    this.clock = clock;
    this.changes = changes;
  }

  public SchemaView current() {
    return schemas
        .current()
        .map(SchemaService::saved)
        .orElse(
            new SchemaView(
                null,
                null,
                null,
                Json.parse("{\"models\": [], \"relationships\": [], \"traits\": []}")));
  }

  /**
   * Validates against the warehouse and saves a new version; every problem is a 400 with a path.
   */
  public SchemaView replace(JsonNode document, String user) {
    if (document == null || !document.isObject()) {
      throw ApiException.invalid(
          "$",
          "expected the schema document: {\"models\": [...], \"relationships\": [...], \"traits\": [...]}");
    }
    SchemaDocument doc = Json.convert(document, "$", SchemaDocument.class);
    workspace.validate(doc);
    SchemaView before = current();
    SchemaView after = saved(schemas.save(doc.toJson(), user));
    workspace.refresh();
    changes.record(user, before, after);
    return after;
  }

  /** A saved version as the API shows it. */
  public static SchemaView saved(SchemaStore.SchemaVersion v) {
    return new SchemaView(v.version(), v.createdBy(), v.createdAt(), Json.parse(v.document()));
  }

  /** The first rows of a registered model, for the schema editor. */
  public List<Map<String, Object>> sample(String model, int limit) {
    return restriction.apply(workspace.engine()).sample(model, limit);
  }

  /**
   * Validates a schema being edited (not saved) and returns the columns the warehouse reports for
   * one of its models: what a model written as SQL offers to the key and label pickers.
   */
  public List<ColumnView> candidateColumns(JsonNode document, String model) {
    Catalog catalog = workspace.validate(Json.convert(document, "$", SchemaDocument.class));
    return catalog.model(model).orElseThrow().columns().stream().map(SchemaService::view).toList();
  }

  /**
   * A trait's values for the first members of its model, computed from a schema being edited (not
   * saved): the trait editor's live preview.
   */
  public List<Map<String, Object>> previewTrait(
      JsonNode document, String model, String trait, int limit) {
    Catalog catalog = workspace.validate(Json.convert(document, "$", SchemaDocument.class));
    return workspace
        .engine(catalog)
        .page(new AudienceDefinition(model, null), "$", clock.instant(), List.of(trait), 0, limit);
  }

  public List<SchemaStore.SchemaVersion> versions() {
    return schemas.versions();
  }

  public List<ColumnView> columns(String model) {
    Catalog.ModelInfo m = model(model);
    return m.columns().stream().map(SchemaService::view).toList();
  }

  public List<AudienceEngine.ValueCount> values(
      String model, String column, String prefix, int limit) {
    // distinct values are rows' values: a restricted user is suggested only her rows'
    return restriction.apply(workspace.engine()).values(model, column, prefix, limit);
  }

  public List<String> tables() {
    return workspace.introspector().tables();
  }

  /** Columns of any warehouse table, for the model editor's picker. */
  public List<ColumnView> tableColumns(String qualified) {
    String[] parts = qualified.split("\\.");
    if (parts.length != 2) {
      throw ApiException.invalid("$.table", "expected schema.table");
    }
    return workspace
        .introspector()
        .tableColumns(parts[0], parts[1])
        .orElseThrow(() -> ApiException.notFound("No table " + qualified + " in the warehouse"))
        .stream()
        .map(SchemaService::view)
        .toList();
  }

  private Catalog.ModelInfo model(String name) {
    Catalog catalog = workspace.catalog();
    return catalog
        .model(name)
        .orElseThrow(
            () ->
                ApiException.notFound(
                    "Model '" + name + "' not found; known: " + catalog.modelNames()));
  }

  private static ColumnView view(Column c) {
    return new ColumnView(c.name(), c.type().json(), c.nativeType(), c.nullable());
  }
}
