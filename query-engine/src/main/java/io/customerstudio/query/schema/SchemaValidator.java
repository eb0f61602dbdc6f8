package io.customerstudio.query.schema;

import com.fasterxml.jackson.databind.JsonNode;
import io.customerstudio.query.Problems;
import io.customerstudio.query.audience.AggFunction;
import io.customerstudio.query.audience.AudienceJson;
import io.customerstudio.query.audience.Condition;
import io.customerstudio.query.compile.AudienceCompiler;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Checks a schema document against the warehouse and builds the {@link Catalog}: every table,
 * column and model it names must exist, join columns must have compatible types, traits must
 * compile and must not form cycles, and sql sources and sql traits must be accepted by the
 * warehouse. Every problem names its JSON path and, for a typo, the likely intended name.
 */
public final class SchemaValidator {

  private static final Pattern NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]{0,62}");
  private static final Set<String> CARDINALITIES =
      Set.of("one_to_one", "one_to_many", "many_to_one", "many_to_many");

  private final Introspector introspector;
  private final Problems problems = new Problems();
  private List<String> tables;

  public SchemaValidator(Introspector introspector) {
    this.introspector = introspector;
  }

  /**
   * @throws io.customerstudio.query.ValidationException with every problem found
   */
  public Catalog validate(SchemaDocument doc) {
    Map<String, Catalog.ModelInfo> models = new LinkedHashMap<>();
    for (int i = 0; i < doc.models().size(); i++) {
      model(doc.models().get(i), "$.models[" + i + "]", models);
    }
    List<SchemaDocument.Relationship> relationships = new ArrayList<>();
    Set<String> relNames = new HashSet<>();
    for (int i = 0; i < doc.relationships().size(); i++) {
      SchemaDocument.Relationship r = doc.relationships().get(i);
      if (relationship(r, "$.relationships[" + i + "]", models)) {
        if (!relNames.add(r.from() + "/" + r.name())) {
          problems.add(
              "$.relationships[" + i + "].name",
              "model \"" + r.from() + "\" already has a relationship \"" + r.name() + "\"");
        } else {
          relationships.add(r);
        }
      }
    }
    problems.throwIfAny();

    Map<String, Map<String, Catalog.TraitInfo>> traits = Catalog.emptyTraits();
    Catalog partial = new Catalog(doc, models, relationships, traits);
    for (int i = 0; i < doc.traits().size(); i++) {
      trait(doc.traits().get(i), "$.traits[" + i + "]", partial, traits);
    }
    problems.throwIfAny();
    Catalog catalog = new Catalog(doc, models, relationships, traits);
    // compile every trait once: unknown columns in where clauses, bad operators and cycles
    for (Catalog.TraitInfo t : catalog.allTraits()) {
      AudienceCompiler compiler =
          new AudienceCompiler(catalog, AudienceCompiler.Resolver.NONE, Instant.EPOCH);
      compiler.traitValue(
          compiler.newScope(catalog.model(t.def().model()).orElseThrow()), t, t.def().path());
      compiler.problems().list().forEach(p -> problems.add(p.path(), p.message()));
      if (t.def() instanceof TraitDef.Sql sql) {
        checkSqlTrait(sql, catalog.model(sql.model()).orElseThrow());
      }
    }
    problems.throwIfAny();
    return catalog;
  }

  private void model(SchemaDocument.Model m, String path, Map<String, Catalog.ModelInfo> models) {
    if (m.name() == null || !NAME.matcher(m.name()).matches()) {
      problems.add(
          path + ".name",
          "use letters, digits and '_' (starting with a letter or '_'), at most 63");
      return;
    }
    if (models.containsKey(m.name())) {
      problems.add(path + ".name", "another model is already called \"" + m.name() + "\"");
      return;
    }
    if (m.kind() == null) {
      problems.add(path + ".kind", "is required: parent, related or event");
      return;
    }
    Optional<List<Column>> columns = source(m.source(), path + ".source");
    if (columns.isEmpty()) {
      return;
    }
    Map<String, Column> byName = new LinkedHashMap<>();
    columns.get().forEach(c -> byName.put(c.name(), c));
    Catalog.ModelInfo info = new Catalog.ModelInfo(m, byName);
    boolean ok = column(info, m.primaryKey(), path + ".primaryKey", true, null);
    ok &= column(info, m.label(), path + ".label", false, null);
    if (m.kind() == SchemaDocument.Kind.EVENT) {
      ok &= column(info, m.timestamp(), path + ".timestamp", true, ColumnType.TIMESTAMP);
      ok &= column(info, m.eventType(), path + ".eventType", false, ColumnType.STRING);
    } else {
      ok &= column(info, m.timestamp(), path + ".timestamp", false, ColumnType.TIMESTAMP);
      if (m.eventType() != null) {
        problems.add(path + ".eventType", "only event models have an eventType");
        ok = false;
      }
    }
    if (ok) {
      models.put(m.name(), info);
    }
  }

  private Optional<List<Column>> source(SchemaDocument.Source src, String path) {
    if (src == null || (src.table() == null) == (src.sql() == null)) {
      problems.add(
          path, "give exactly one of \"table\" (schema.table) or \"sql\" (a read-only query)");
      return Optional.empty();
    }
    if (src.table() != null) {
      String[] parts = src.table().split("\\.");
      if (parts.length != 2 || Arrays.stream(parts).anyMatch(p -> p.isEmpty())) {
        problems.add(path + ".table", "expected schema.table, got \"" + src.table() + "\"");
        return Optional.empty();
      }
      Optional<List<Column>> columns = introspector.tableColumns(parts[0], parts[1]);
      if (columns.isEmpty()) {
        if (tables == null) {
          tables = introspector.tables();
        }
        problems.add(
            path + ".table", Problems.unknown("table", src.table(), "the warehouse", tables));
      }
      return columns;
    }
    if (src.sql().contains("?") || src.sql().contains("{") || src.sql().contains("}")) {
      problems.add(path + ".sql", "must not contain '?', '{' or '}'");
      return Optional.empty();
    }
    try {
      return Optional.of(introspector.queryColumns(src.sql()));
    } catch (IllegalArgumentException e) {
      problems.add(path + ".sql", "the warehouse rejected the query: " + e.getMessage());
      return Optional.empty();
    }
  }

  private boolean column(
      Catalog.ModelInfo m, String name, String path, boolean required, ColumnType type) {
    if (name == null) {
      if (required) {
        problems.add(path, "is required");
        return false;
      }
      return true;
    }
    Optional<Column> c = m.column(name);
    if (c.isEmpty()) {
      problems.add(
          path,
          Problems.unknown(
              "column", name, "model \"" + m.name() + "\"", m.columnsByName().keySet()));
      return false;
    }
    if (type != null && c.get().type() != type) {
      problems.add(
          path,
          "\""
              + name
              + "\" is "
              + c.get().type().json()
              + "; a "
              + type.json()
              + " column is needed");
      return false;
    }
    return true;
  }

  private boolean relationship(
      SchemaDocument.Relationship r, String path, Map<String, Catalog.ModelInfo> models) {
    boolean ok = true;
    if (r.name() == null || !NAME.matcher(r.name()).matches()) {
      problems.add(path + ".name", "use letters, digits and '_'");
      ok = false;
    }
    Catalog.ModelInfo from = models.get(r.from());
    Catalog.ModelInfo to = models.get(r.to());
    if (from == null) {
      problems.add(path + ".from", Problems.unknown("model", r.from(), null, models.keySet()));
      ok = false;
    }
    if (to == null) {
      problems.add(path + ".to", Problems.unknown("model", r.to(), null, models.keySet()));
      ok = false;
    }
    if (r.cardinality() == null || !CARDINALITIES.contains(r.cardinality())) {
      problems.add(
          path + ".cardinality", "expected one of " + CARDINALITIES.stream().sorted().toList());
      ok = false;
    }
    if (r.on() == null || r.on().isEmpty()) {
      problems.add(path + ".on", "give at least one [fromColumn, toColumn] pair");
      return false;
    }
    if (!ok) {
      return false;
    }
    for (int i = 0; i < r.on().size(); i++) {
      List<String> pair = r.on().get(i);
      String at = path + ".on[" + i + "]";
      if (pair == null || pair.size() != 2) {
        problems.add(at, "expected [fromColumn, toColumn]");
        ok = false;
        continue;
      }
      Optional<Column> left = from.column(pair.get(0));
      Optional<Column> right = to.column(pair.get(1));
      if (left.isEmpty()) {
        problems.add(
            at + "[0]",
            Problems.unknown(
                "column",
                pair.get(0),
                "model \"" + from.name() + "\"",
                from.columnsByName().keySet()));
        ok = false;
      }
      if (right.isEmpty()) {
        problems.add(
            at + "[1]",
            Problems.unknown(
                "column", pair.get(1), "model \"" + to.name() + "\"", to.columnsByName().keySet()));
        ok = false;
      }
      if (left.isPresent() && right.isPresent() && left.get().type() != right.get().type()) {
        problems.add(
            at,
            "cannot join "
                + from.name()
                + "."
                + pair.get(0)
                + " ("
                + left.get().type().json()
                + ") with "
                + to.name()
                + "."
                + pair.get(1)
                + " ("
                + right.get().type().json()
                + ")");
        ok = false;
      }
    }
    return ok;
  }

  private void trait(
      JsonNode json,
      String path,
      Catalog catalog,
      Map<String, Map<String, Catalog.TraitInfo>> traits) {
    if (json == null || !json.isObject()) {
      problems.add(path, "expected a trait object");
      return;
    }
    String name = text(json, "name", path);
    String modelName = text(json, "model", path);
    String kind = text(json, "kind", path);
    if (name == null || modelName == null || kind == null) {
      return;
    }
    if (!NAME.matcher(name).matches()) {
      problems.add(path + ".name", "use letters, digits and '_'");
      return;
    }
    Optional<Catalog.ModelInfo> model = catalog.model(modelName);
    if (model.isEmpty()) {
      problems.add(
          path + ".model", Problems.unknown("model", modelName, null, catalog.modelNames()));
      return;
    }
    if (traits.getOrDefault(modelName, Map.of()).containsKey(name)) {
      problems.add(
          path + ".name", "model \"" + modelName + "\" already has a trait \"" + name + "\"");
      return;
    }
    Problems parse = new Problems();
    Catalog.TraitInfo info =
        switch (kind) {
          case "aggregation" ->
              aggregation(json, path, name, modelName, catalog, model.get(), parse);
          case "case" -> caseTrait(json, path, name, modelName, parse);
          case "sql" -> sqlTrait(json, path, name, modelName);
          default -> {
            problems.add(
                path + ".kind",
                Problems.unknown("trait kind", kind, null, List.of("aggregation", "case", "sql")));
            yield null;
          }
        };
    parse.list().forEach(p -> problems.add(p.path(), p.message()));
    if (info != null) {
      traits.computeIfAbsent(modelName, k -> new LinkedHashMap<>()).put(name, info);
    }
  }

  private Catalog.TraitInfo aggregation(
      JsonNode json,
      String path,
      String name,
      String modelName,
      Catalog catalog,
      Catalog.ModelInfo model,
      Problems parse) {
    only(
        json,
        path,
        Set.of("name", "model", "kind", "relationship", "function", "column", "where", "orderBy"));
    String rel = text(json, "relationship", path);
    String fn = text(json, "function", path);
    if (rel == null || fn == null) {
      return null;
    }
    AggFunction function = AggFunction.ofJson(fn);
    if (function == null) {
      problems.add(
          path + ".function",
          Problems.unknown(
              "function",
              fn,
              null,
              Arrays.stream(AggFunction.values()).map(AggFunction::json).toList()));
      return null;
    }
    List<String> relPath = List.of(rel.split("\\."));
    Catalog.ModelInfo target = model;
    for (String hop : relPath) {
      Optional<Catalog.Hop> h = catalog.hop(target, hop);
      if (h.isEmpty()) {
        problems.add(
            path + ".relationship",
            Problems.unknown(
                "relationship",
                hop,
                "model \"" + target.name() + "\"",
                catalog.hops(target).stream().map(Catalog.Hop::relationship).toList()));
        return null;
      }
      target = h.get().to();
    }
    String columnName = json.hasNonNull("column") ? json.get("column").asText() : null;
    ColumnType type = ColumnType.NUMBER;
    if (columnName != null) {
      Optional<Column> c = target.column(columnName);
      if (c.isEmpty()) {
        problems.add(
            path + ".column",
            Problems.unknown(
                "column",
                columnName,
                "model \"" + target.name() + "\"",
                target.columnsByName().keySet()));
        return null;
      }
      if (!function.zeroOnEmpty() && function != AggFunction.SUM && function != AggFunction.AVG) {
        type = c.get().type();
      }
    } else if (function.needsColumn()) {
      problems.add(path + ".column", "is required for " + fn);
      return null;
    }
    Condition where =
        json.hasNonNull("where")
            ? AudienceJson.readCondition(json.get("where"), path + ".where", parse)
            : null;
    String orderBy = json.hasNonNull("orderBy") ? json.get("orderBy").asText() : null;
    return new Catalog.TraitInfo(
        new TraitDef.Aggregation(
            name, modelName, path, relPath, function, columnName, where, orderBy),
        type);
  }

  private Catalog.TraitInfo caseTrait(
      JsonNode json, String path, String name, String modelName, Problems parse) {
    only(json, path, Set.of("name", "model", "kind", "cases", "else"));
    JsonNode cases = json.get("cases");
    if (cases == null || !cases.isArray() || cases.isEmpty()) {
      problems.add(path + ".cases", "give at least one {\"when\": condition, \"then\": value}");
      return null;
    }
    List<TraitDef.When> whens = new ArrayList<>();
    ColumnType type = null;
    List<JsonNode> values = new ArrayList<>();
    for (int i = 0; i < cases.size(); i++) {
      JsonNode c = cases.get(i);
      String at = path + ".cases[" + i + "]";
      if (!c.isObject() || !c.has("when") || !c.has("then")) {
        problems.add(at, "expected {\"when\": condition, \"then\": value}");
        continue;
      }
      whens.add(
          new TraitDef.When(
              AudienceJson.readCondition(c.get("when"), at + ".when", parse), c.get("then")));
      values.add(c.get("then"));
    }
    JsonNode elseValue = json.get("else");
    if (elseValue != null) {
      values.add(elseValue);
    }
    for (JsonNode v : values) {
      ColumnType t =
          v.isNull()
              ? null
              : v.isNumber()
                  ? ColumnType.NUMBER
                  : v.isBoolean()
                      ? ColumnType.BOOLEAN
                      : v.isTextual() ? ColumnType.STRING : ColumnType.JSON;
      if (t == ColumnType.JSON) {
        problems.add(path, "case values must be strings, numbers or booleans");
        return null;
      }
      if (t != null && type != null && t != type) {
        problems.add(
            path,
            "every then and else value must have the same type; found "
                + type.json()
                + " and "
                + t.json());
        return null;
      }
      type = type == null ? t : type;
    }
    return new Catalog.TraitInfo(
        new TraitDef.Case(name, modelName, path, whens, elseValue),
        type == null ? ColumnType.STRING : type);
  }

  private Catalog.TraitInfo sqlTrait(JsonNode json, String path, String name, String modelName) {
    only(json, path, Set.of("name", "model", "kind", "expression", "type"));
    String expression = text(json, "expression", path);
    String typeName = text(json, "type", path);
    if (expression == null || typeName == null) {
      return null;
    }
    ColumnType type = ColumnType.ofJson(typeName);
    if (type == null || type == ColumnType.JSON) {
      problems.add(path + ".type", "expected string, number, boolean or timestamp");
      return null;
    }
    for (String bad : List.of(";", "--", "/*", "?", "{", "}")) {
      if (expression.contains(bad)) {
        problems.add(path + ".expression", "must be a single expression without '" + bad + "'");
        return null;
      }
    }
    return new Catalog.TraitInfo(new TraitDef.Sql(name, modelName, path, expression, type), type);
  }

  private void checkSqlTrait(TraitDef.Sql t, Catalog.ModelInfo model) {
    SchemaDocument.Source src = model.def().source();
    String from =
        src.table() != null
            ? Arrays.stream(src.table().split("\\."))
                    .map(p -> "\"" + p.replace("\"", "\"\"") + "\"")
                    .reduce((a, b) -> a + "." + b)
                    .orElseThrow()
                + " cs_row"
            : "(" + src.sql() + ") cs_row";
    try {
      Column c = introspector.expressionType(from, t.expression());
      if (c.type() != t.type()) {
        problems.add(
            t.path() + ".type",
            "the expression gives a "
                + c.type().json()
                + " ("
                + c.nativeType()
                + "), not a "
                + t.type().json());
      }
    } catch (IllegalArgumentException e) {
      problems.add(t.path() + ".expression", "the warehouse rejected it: " + e.getMessage());
    }
  }

  private String text(JsonNode json, String field, String path) {
    JsonNode v = json.get(field);
    if (v == null || !v.isTextual() || v.asText().isBlank()) {
      problems.add(path + "." + field, "is required (a string)");
      return null;
    }
    return v.asText();
  }

  private void only(JsonNode json, String path, Set<String> allowed) {
    Iterator<String> names = json.fieldNames();
    while (names.hasNext()) {
      String n = names.next();
      if (!allowed.contains(n)) {
        problems.add(
            path + "." + n, "unknown field; allowed: " + allowed.stream().sorted().toList());
      }
    }
  }
}
