package io.customerstudio.app.ascode;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.customerstudio.app.api.ApiException;
import io.customerstudio.app.api.Json;
import io.customerstudio.app.audiences.AudienceService;
import io.customerstudio.app.audit.AuditTrail;
import io.customerstudio.app.journeys.JourneysAsCode;
import io.customerstudio.app.schema.SchemaChanges;
import io.customerstudio.app.schema.SchemaService;
import io.customerstudio.app.templates.TemplateService;
import io.customerstudio.infra.store.AudienceStore;
import io.customerstudio.infra.store.SchemaStore;
import io.customerstudio.infra.store.TemplateStore;
import io.customerstudio.infra.workspace.Workspace;
import io.customerstudio.query.Problems;
import io.customerstudio.query.ValidationException;
import io.customerstudio.query.audience.AudienceDefinition;
import io.customerstudio.query.audience.AudienceJson;
import io.customerstudio.query.compile.AudienceCompiler;
import io.customerstudio.query.schema.Catalog;
import io.customerstudio.query.schema.SchemaDocument;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jooq.DSLContext;
import org.springframework.stereotype.Service;

/**
 * The workspace as code: schema, templates, audiences and journeys in one document that can live in
 * Git (journeys: {@link JourneysAsCode}, which never starts one). Import shows the differences, and
 * applies them only when everything in the document is valid against the warehouse (all or nothing,
 * one transaction). Items absent from the document are left alone: an import adds and changes, it
 * never deletes.
 */
@Service
public class AsCodeService {

  public record Changes(List<String> create, List<String> update, List<String> unchanged) {}

  public record ImportResult(
      boolean dryRun,
      boolean applied,
      String schema,
      Changes templates,
      Changes audiences,
      Changes journeys) {}

  private final SchemaStore schemas;
  private final TemplateStore templates;
  private final AudienceStore audiences;
  private final SchemaService schemaService;
  private final TemplateService templateService;
  private final AudienceService audienceService;
  private final Workspace workspace;
  private final DSLContext db;
  private final Clock clock;
  private final SchemaChanges schemaChanges;
  private final AuditTrail audit;
  private final JourneysAsCode journeys;

  public AsCodeService(
      SchemaStore schemas,
      TemplateStore templates,
      AudienceStore audiences,
      SchemaService schemaService,
      TemplateService templateService,
      AudienceService audienceService,
      Workspace workspace,
      DSLContext db,
      Clock clock,
      SchemaChanges schemaChanges,
      AuditTrail audit,
      JourneysAsCode journeys) {
    this.journeys = journeys;
    this.schemaChanges = schemaChanges;
    this.audit = audit;
    this.schemas = schemas;
    this.templates = templates;
    this.audiences = audiences;
    this.schemaService = schemaService;
    this.templateService = templateService;
    this.audienceService = audienceService;
    this.workspace = workspace;
    this.db = db;
    this.clock = clock;
  }

  public ObjectNode export() {
    ObjectNode doc = JsonNodeFactory.instance.objectNode();
    doc.put("format", "customer-studio/v1");
    doc.set("schema", schemaService.current().document());
    ArrayNode ts = doc.putArray("templates");
    for (TemplateStore.Template t : templates.list()) {
      ObjectNode o = ts.addObject();
      o.put("key", t.key());
      o.put("name", t.name());
      if (t.description() != null) {
        o.put("description", t.description());
      }
      o.set("params", Json.parse(t.params()));
      o.set("condition", Json.parse(t.condition()));
    }
    ArrayNode as = doc.putArray("audiences");
    for (AudienceStore.Audience a : audiences.list(null)) {
      ObjectNode o = as.addObject();
      o.put("key", a.key());
      o.put("name", a.name());
      if (a.description() != null) {
        o.put("description", a.description());
      }
      o.set("definition", Json.parse(a.definition()));
    }
    doc.set("journeys", journeys.export());
    return doc;
  }

  /** The document's list under {@code field}: an array, or empty when left out. */
  private static JsonNode list(JsonNode doc, String field) {
    JsonNode list = doc.path(field);
    if (!list.isMissingNode() && !list.isNull() && !list.isArray()) {
      throw ApiException.invalid("$." + field, "give an array");
    }
    return list.isArray() ? list : com.fasterxml.jackson.databind.node.MissingNode.getInstance();
  }

  private static JsonNode item(JsonNode list, int i, String path) {
    JsonNode item = list.get(i);
    if (item == null || !item.isObject()) {
      throw ApiException.invalid(path + "[" + i + "]", "give an object");
    }
    return item;
  }

  public ImportResult importDocument(JsonNode doc, boolean dryRun, String user) {
    if (doc == null || !doc.isObject()) {
      throw ApiException.invalid(
          "$",
          "expected an exported document: {\"schema\", \"templates\", \"audiences\","
              + " \"journeys\"}");
    }
    doc.fieldNames()
        .forEachRemaining(
            f -> {
              if (!List.of("format", "schema", "templates", "audiences", "journeys").contains(f)) {
                throw ApiException.invalid(
                    "$." + f,
                    "unknown field; expected format, schema, templates, audiences, journeys");
              }
            });
    // schema
    String schemaState = "unchanged";
    Catalog catalog;
    SchemaDocument newSchema = null;
    if (doc.has("schema")) {
      newSchema = Json.convert(doc.get("schema"), "$.schema", SchemaDocument.class);
      if (newSchema == null) {
        throw ApiException.invalid("$.schema", "give the schema as an object, or leave it out");
      }
      String current = schemas.current().map(SchemaStore.SchemaVersion::document).orElse(null);
      if (current == null || !SchemaDocument.parse(current).equals(newSchema)) {
        schemaState = "changed";
        try {
          catalog = workspace.validate(newSchema);
        } catch (ValidationException e) {
          throw prefixed(e, "$.schema");
        }
      } else {
        catalog = workspace.catalog();
        newSchema = null;
      }
    } else {
      catalog = workspace.catalog();
    }
    // templates and audiences, each read in full first
    Map<String, TemplateStore.Draft> newTemplates = new LinkedHashMap<>();
    Map<String, AudienceCompiler.TemplateBody> templateBodies = new LinkedHashMap<>();
    JsonNode ts = list(doc, "templates");
    for (int i = 0; i < ts.size(); i++) {
      JsonNode t = item(ts, i, "$.templates");
      String key = t.path("key").asText(null);
      if (key == null) {
        throw ApiException.invalid("$.templates[" + i + "].key", "is required");
      }
      List<String> params = new ArrayList<>();
      t.path("params").forEach(p -> params.add(p.asText()));
      newTemplates.put(
          key,
          new TemplateStore.Draft(
              t.path("name").asText(key),
              t.hasNonNull("description") ? t.get("description").asText() : null,
              Json.write(params),
              t.path("condition").toString()));
      templateBodies.put(key, new AudienceCompiler.TemplateBody(params, t.path("condition")));
    }
    Map<String, AudienceDefinition> newAudiences = new LinkedHashMap<>();
    Map<String, JsonNode> audienceJson = new LinkedHashMap<>();
    JsonNode as = list(doc, "audiences");
    Problems problems = new Problems();
    for (int i = 0; i < as.size(); i++) {
      JsonNode a = item(as, i, "$.audiences");
      String key = a.path("key").asText(null);
      if (key == null) {
        throw ApiException.invalid("$.audiences[" + i + "].key", "is required");
      }
      AudienceDefinition d =
          AudienceJson.readDefinition(
              a.get("definition"), "$.audiences[" + i + "].definition", problems);
      newAudiences.put(key, d);
      audienceJson.put(key, a);
    }
    List<JourneysAsCode.Planned> plannedJourneys = journeys.plan(doc.get("journeys"), problems);
    problems.throwIfAny();
    AudienceCompiler.Resolver stored = workspace.resolver();
    AudienceCompiler.Resolver resolver =
        new AudienceCompiler.Resolver() {
          @Override
          public Optional<AudienceDefinition> audience(String key) {
            return newAudiences.containsKey(key)
                ? Optional.ofNullable(newAudiences.get(key))
                : stored.audience(key);
          }

          @Override
          public Optional<AudienceCompiler.TemplateBody> template(String key) {
            return templateBodies.containsKey(key)
                ? Optional.of(templateBodies.get(key))
                : stored.template(key);
          }
        };
    int i = 0;
    for (Map.Entry<String, JsonNode> e : audienceJson.entrySet()) {
      new AudienceCompiler(catalog, resolver, clock.instant())
          .compile(e.getValue().get("definition"), "$.audiences[" + (i++) + "].definition");
    }
    // what would change
    Changes templateChanges =
        changes(
            newTemplates.keySet(),
            k ->
                templates
                    .find(k)
                    .map(
                        t ->
                            t.name().equals(newTemplates.get(k).name())
                                && Json.parse(t.condition())
                                    .equals(Json.parse(newTemplates.get(k).condition()))
                                && Json.parse(t.params())
                                    .equals(Json.parse(newTemplates.get(k).params()))));
    Changes audienceChanges =
        changes(
            newAudiences.keySet(),
            k ->
                audiences
                    .find(k)
                    .map(
                        a ->
                            a.name().equals(audienceJson.get(k).path("name").asText(k))
                                // both sides through the same reader and writer: a number
                                // stored as 1000 and read back as 1000.00 is no change
                                && AudienceJson.write(Workspace.definition(a.definition()))
                                    .equals(AudienceJson.write(newAudiences.get(k)))));
    Changes journeyChanges = journeyChanges(plannedJourneys);
    if (dryRun) {
      return new ImportResult(
          true, false, schemaState, templateChanges, audienceChanges, journeyChanges);
    }
    SchemaDocument schemaToSave = newSchema;
    SchemaService.SchemaView schemaBefore = schemaService.current();
    Map<String, TemplateService.TemplateView> templatesBefore = new LinkedHashMap<>();
    templateChanges.update().forEach(k -> templatesBefore.put(k, templateService.find(k)));
    Map<String, AudienceService.AudienceView> audiencesBefore = new LinkedHashMap<>();
    audienceChanges.update().forEach(k -> audiencesBefore.put(k, audienceService.get(k)));
    // the audit entries are written in the same transaction: recorded exactly when applied
    db.transaction(
        tx -> {
          if (schemaToSave != null) {
            schemaChanges.record(
                user, schemaBefore, SchemaService.saved(schemas.save(schemaToSave.toJson(), user)));
          }
          for (String k : templateChanges.create()) {
            templates.save(k, newTemplates.get(k), user);
          }
          for (String k : templateChanges.update()) {
            templates.save(k, newTemplates.get(k), user);
          }
          for (String k : audienceChanges.create()) {
            audiences.create(k, draft(k, audienceJson.get(k), newAudiences.get(k)), user);
          }
          for (String k : audienceChanges.update()) {
            audiences.update(k, draft(k, audienceJson.get(k), newAudiences.get(k)), user);
          }
          for (String k : templateChanges.create()) {
            audit.record(
                user,
                AuditTrail.Entity.TEMPLATE,
                k,
                AuditTrail.Action.CREATE,
                null,
                templateService.find(k));
          }
          for (String k : templateChanges.update()) {
            audit.record(
                user,
                AuditTrail.Entity.TEMPLATE,
                k,
                AuditTrail.Action.UPDATE,
                templatesBefore.get(k),
                templateService.find(k));
          }
          for (String k : audienceChanges.create()) {
            audit.record(
                user,
                AuditTrail.Entity.AUDIENCE,
                k,
                AuditTrail.Action.CREATE,
                null,
                audienceService.get(k));
          }
          for (String k : audienceChanges.update()) {
            audit.record(
                user,
                AuditTrail.Entity.AUDIENCE,
                k,
                AuditTrail.Action.UPDATE,
                audiencesBefore.get(k),
                audienceService.get(k));
          }
          // after the audiences: a journey's draft may name one the document brings
          journeys.apply(plannedJourneys, user);
        });
    workspace.refresh();
    return new ImportResult(
        false, true, schemaState, templateChanges, audienceChanges, journeyChanges);
  }

  private static Changes journeyChanges(List<JourneysAsCode.Planned> planned) {
    List<String> create = new ArrayList<>();
    List<String> update = new ArrayList<>();
    List<String> unchanged = new ArrayList<>();
    for (JourneysAsCode.Planned p : planned) {
      (!p.exists() ? create : p.unchanged() ? unchanged : update).add(p.key());
    }
    return new Changes(create, update, unchanged);
  }

  private static AudienceStore.Draft draft(String key, JsonNode a, AudienceDefinition d) {
    return new AudienceStore.Draft(
        a.path("name").asText(key),
        a.hasNonNull("description") ? a.get("description").asText() : null,
        d.parent(),
        AudienceJson.write(d).toString());
  }

  private static Changes changes(
      Iterable<String> keys, java.util.function.Function<String, Optional<Boolean>> same) {
    List<String> create = new ArrayList<>();
    List<String> update = new ArrayList<>();
    List<String> unchanged = new ArrayList<>();
    for (String k : keys) {
      Optional<Boolean> s = same.apply(k);
      (s.isEmpty() ? create : s.get() ? unchanged : update).add(k);
    }
    return new Changes(create, update, unchanged);
  }

  private static ValidationException prefixed(ValidationException e, String prefix) {
    return new ValidationException(
        e.problems().stream()
            .map(
                p ->
                    new io.customerstudio.query.Problem(
                        prefix + p.path().substring(1), p.message()))
            .toList());
  }
}
