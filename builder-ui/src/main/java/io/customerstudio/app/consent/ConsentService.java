package io.customerstudio.app.consent;

import com.fasterxml.jackson.databind.JsonNode;
import io.customerstudio.app.audit.AuditTrail;
import io.customerstudio.app.errors.ConflictException;
import io.customerstudio.app.errors.NotFoundException;
import io.customerstudio.infra.store.ConsentStore;
import io.customerstudio.infra.warehouse.Warehouse;
import io.customerstudio.infra.workspace.Workspace;
import io.customerstudio.query.Problems;
import io.customerstudio.query.ValidationException;
import io.customerstudio.query.audience.AudienceJson;
import io.customerstudio.query.governance.Consent;
import io.customerstudio.query.governance.ConsentPurposes;
import io.customerstudio.query.schema.Catalog;
import io.customerstudio.query.schema.Column;
import io.customerstudio.query.schema.ColumnType;
import io.customerstudio.query.schema.SchemaDocument;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.springframework.stereotype.Service;

/**
 * The installation's consent source (governance spec, section 5): read, checked against the
 * warehouse and the schema before it is saved, and summarized per purpose for the admin. Saving and
 * deleting are recorded in the audit trail. What a run does with consent is not decided here.
 */
@Service
public class ConsentService {

  static final String AUDIT_KEY = "consent";

  /** The four receipt columns, as the API names them. */
  private static final List<String> RECEIPT_FIELDS =
      List.of("subjectColumn", "purposeColumn", "statusColumn", "timestampColumn");

  private final ConsentStore store;
  private final Workspace workspace;
  private final Warehouse warehouse;
  private final AuditTrail audit;

  public ConsentService(
      ConsentStore store, Workspace workspace, Warehouse warehouse, AuditTrail audit) {
    this.store = store;
    this.workspace = workspace;
    this.warehouse = warehouse;
    this.audit = audit;
  }

  /** The consent source, if one is set. */
  public Optional<Consent> current() {
    return store.get().map(s -> read(AudienceJson.parse(s.config())));
  }

  /**
   * @throws NotFoundException when none is set
   */
  public Consent get() {
    return current()
        .orElseThrow(
            () ->
                new NotFoundException(
                    "No consent source is set; an admin sets one (PUT /api/v1/consent)"));
  }

  /**
   * Checks the consent against the warehouse and the schema, then saves it.
   *
   * @param found problems met while reading the request (reported with the checks' own)
   * @throws ValidationException naming each field at fault ({@code $.source.table}, {@code
   *     $.timestampColumn}, {@code $.parent})
   */
  public Consent put(Consent consent, Problems found, String user) {
    Problems problems = new Problems();
    found.list().forEach(p -> problems.add(p.path(), p.message()));
    if (consent != null) {
      check(consent, problems);
    }
    problems.throwIfAny();
    Optional<Consent> before = current();
    store.put(consent.toJson().toString(), user);
    audit.record(
        user,
        AuditTrail.Entity.CONSENT,
        AUDIT_KEY,
        before.isPresent() ? AuditTrail.Action.UPDATE : AuditTrail.Action.CREATE,
        before.map(Consent::toJson).orElse(null),
        consent.toJson());
    return consent;
  }

  /** Reads the API's JSON and saves it; see {@link #put(Consent, Problems, String)}. */
  public Consent put(JsonNode body, String user) {
    Problems found = new Problems();
    Consent consent = Consent.read(body, "$", found);
    return put(consent, found, user);
  }

  /**
   * Removes the consent source: runs stop applying consent.
   *
   * @throws NotFoundException when none is set
   */
  public void delete(String user) {
    Consent before = get();
    store.delete();
    audit.record(
        user,
        AuditTrail.Entity.CONSENT,
        AUDIT_KEY,
        AuditTrail.Action.DELETE,
        before.toJson(),
        null);
  }

  /**
   * Per purpose found in the source, the subjects whose latest receipt allows, blocks or ties.
   *
   * @throws NotFoundException when no consent source is set
   * @throws ConflictException when the warehouse no longer reads the saved source
   */
  public List<ConsentPurposes.Count> purposes() {
    return purposes(get());
  }

  /** The same for a consent not saved yet (the page's preview); checked first. */
  public List<ConsentPurposes.Count> purposes(Consent consent) {
    Problems problems = new Problems();
    check(consent, problems);
    if (!problems.isEmpty()) {
      throw new ValidationException(problems.list());
    }
    try {
      return ConsentPurposes.fetch(warehouse.dsl(), consent);
    } catch (org.jooq.exception.DataAccessException e) {
      String reason = e.getCause() != null ? e.getCause().getMessage() : e.getMessage();
      throw new ConflictException(
          "The warehouse could not read the consent source: "
              + reason.lines().findFirst().orElse(reason)
              + "; fix the source (PUT /api/v1/consent)");
    }
  }

  /** The purposes the source names (trimmed, lower-cased), or none when no source is set. */
  public List<String> purposeNames() {
    try {
      return current().map(c -> ConsentPurposes.names(warehouse.dsl(), c)).orElse(List.of());
    } catch (RuntimeException e) {
      return List.of(); // a picker's suggestions: typing a purpose still works
    }
  }

  /** Tables and views of the warehouse, for the source picker. */
  public List<String> tables() {
    return workspace.introspector().tables();
  }

  /**
   * The columns a source offers (a table, or a query prepared read-only), for the column pickers.
   *
   * @throws ValidationException naming {@code $.source.table} or {@code $.source.sql}
   */
  public List<Column> sourceColumns(String table, String sql) {
    Problems problems = new Problems();
    Optional<List<Column>> columns = columns(table, sql, problems);
    problems.throwIfAny();
    return columns.orElse(List.of());
  }

  /** Parent models of the schema, with their column names, for the parent pickers. */
  public Map<String, List<String>> parentModels() {
    try {
      return workspace.catalog().models().stream()
          .filter(m -> m.def().kind() == SchemaDocument.Kind.PARENT)
          .collect(
              Collectors.toMap(
                  Catalog.ModelInfo::name,
                  m -> List.copyOf(m.columnsByName().keySet()),
                  (a, b) -> a,
                  java.util.LinkedHashMap::new));
    } catch (ValidationException e) {
      return Map.of(); // no schema registered yet
    }
  }

  private void check(Consent c, Problems problems) {
    // a consent built by a form (not read from JSON) may leave fields out
    List<String> given =
        java.util.Arrays.asList(
            c.subjectColumn(),
            c.purposeColumn(),
            c.statusColumn(),
            c.timestampColumn(),
            c.parentColumn());
    List<String> fields = new java.util.ArrayList<>(RECEIPT_FIELDS);
    fields.add("parentColumn");
    for (int i = 0; i < given.size(); i++) {
      if (given.get(i) == null || given.get(i).isBlank()) {
        problems.add("$." + fields.get(i), "is required: a column name");
      }
    }
    if (given.contains(null) || given.stream().anyMatch(String::isBlank)) {
      columns(c.table(), c.sql(), problems);
      return;
    }
    Optional<List<Column>> columns = columns(c.table(), c.sql(), problems);
    if (columns.isPresent()) {
      Map<String, Column> byName =
          columns.get().stream()
              .collect(Collectors.toMap(Column::name, Function.identity(), (a, b) -> a));
      List<String> names = List.of(c.subjectColumn(), c.purposeColumn(), c.statusColumn());
      for (int i = 0; i < names.size(); i++) {
        if (!byName.containsKey(names.get(i))) {
          problems.add(
              "$." + RECEIPT_FIELDS.get(i),
              Problems.unknown("column", names.get(i), "the consent source", byName.keySet()));
        }
      }
      Column ts = byName.get(c.timestampColumn());
      if (ts == null) {
        problems.add(
            "$.timestampColumn",
            Problems.unknown("column", c.timestampColumn(), "the consent source", byName.keySet()));
      } else if (ts.type() != ColumnType.TIMESTAMP) {
        problems.add(
            "$.timestampColumn",
            "\""
                + ts.name()
                + "\" is "
                + ts.nativeType()
                + "; the receipts' time must be a date or timestamp column");
      }
    }
    checkParent(c, problems);
  }

  private void checkParent(Consent c, Problems problems) {
    Catalog catalog;
    try {
      catalog = workspace.catalog();
    } catch (ValidationException e) {
      problems.add(
          c.parent() == null ? "$.parentColumn" : "$.parent", e.problems().get(0).message());
      return;
    }
    List<Catalog.ModelInfo> parents =
        catalog.models().stream()
            .filter(m -> m.def().kind() == SchemaDocument.Kind.PARENT)
            .toList();
    if (c.parent() != null) {
      Catalog.ModelInfo model =
          parents.stream().filter(m -> m.name().equals(c.parent())).findFirst().orElse(null);
      if (model == null) {
        problems.add(
            "$.parent",
            Problems.unknown(
                "parent model",
                c.parent(),
                "the schema",
                parents.stream().map(Catalog.ModelInfo::name).toList()));
      } else if (model.column(c.parentColumn()).isEmpty()) {
        problems.add(
            "$.parentColumn",
            Problems.unknown(
                "column",
                c.parentColumn(),
                "model " + model.name(),
                model.columnsByName().keySet()));
      }
    } else if (parents.stream().noneMatch(m -> m.column(c.parentColumn()).isPresent())) {
      problems.add(
          "$.parentColumn",
          "no parent model has a column \""
              + c.parentColumn()
              + "\"; parent models: "
              + parents.stream().map(Catalog.ModelInfo::name).toList());
    }
  }

  /** The source's columns, or a problem at its path. */
  private Optional<List<Column>> columns(String table, String sql, Problems problems) {
    if (table != null) {
      String[] parts = table.split("\\.");
      if (parts.length != 2) {
        problems.add("$.source.table", "must be schema.table");
        return Optional.empty();
      }
      Optional<List<Column>> columns = workspace.introspector().tableColumns(parts[0], parts[1]);
      if (columns.isEmpty()) {
        problems.add(
            "$.source.table",
            Problems.unknown("table", table, "the warehouse", workspace.introspector().tables()));
      }
      return columns;
    }
    if (sql == null || sql.isBlank()) {
      problems.add("$.source", "needs exactly one of table and sql");
      return Optional.empty();
    }
    if (sql.contains("?") || sql.contains("{") || sql.contains("}")) {
      problems.add("$.source.sql", "must not contain '?', '{' or '}'");
      return Optional.empty();
    }
    try {
      return Optional.of(workspace.introspector().queryColumns(sql));
    } catch (IllegalArgumentException e) {
      problems.add("$.source.sql", "the warehouse rejected the query: " + e.getMessage());
      return Optional.empty();
    }
  }

  private static Consent read(JsonNode json) {
    Problems problems = new Problems();
    Consent c = Consent.read(json, "$", problems);
    problems.throwIfAny();
    return c;
  }
}
