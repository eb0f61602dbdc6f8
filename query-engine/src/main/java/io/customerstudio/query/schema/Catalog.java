package io.customerstudio.query.schema;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A validated schema: every model with its introspected columns, every relationship resolved in
 * both directions, every trait with its type. The compiler takes identifiers only from here.
 * Immutable once built.
 */
public final class Catalog {

  /** A model and the columns the warehouse reported for its source. */
  public record ModelInfo(SchemaDocument.Model def, Map<String, Column> columnsByName) {
    public String name() {
      return def.name();
    }

    public Optional<Column> column(String name) {
      return Optional.ofNullable(columnsByName.get(name));
    }

    public Collection<Column> columns() {
      return columnsByName.values();
    }

    public Column primaryKey() {
      return columnsByName.get(def.primaryKey());
    }
  }

  /**
   * One step along a relationship from {@code from} to {@code to}; the columns pair up in order. A
   * relationship can be walked both ways.
   */
  public record Hop(
      String relationship,
      String cardinality,
      ModelInfo from,
      ModelInfo to,
      List<String> fromColumns,
      List<String> toColumns) {}

  public record TraitInfo(TraitDef def, ColumnType type) {}

  private final SchemaDocument document;
  private final Map<String, ModelInfo> models;
  private final List<SchemaDocument.Relationship> relationships;
  private final Map<String, Map<String, TraitInfo>> traits;

  Catalog(
      SchemaDocument document,
      Map<String, ModelInfo> models,
      List<SchemaDocument.Relationship> relationships,
      Map<String, Map<String, TraitInfo>> traits) {
    this.document = document;
    this.models = Map.copyOf(models);
    this.relationships = List.copyOf(relationships);
    this.traits = traits;
  }

  public SchemaDocument document() {
    return document;
  }

  public Optional<ModelInfo> model(String name) {
    return Optional.ofNullable(models.get(name));
  }

  public Collection<String> modelNames() {
    return document.models().stream().map(SchemaDocument.Model::name).toList();
  }

  public List<ModelInfo> models() {
    return document.models().stream().map(m -> models.get(m.name())).toList();
  }

  /** Relationships leaving {@code model}: those defined from it, and those defined to it. */
  public List<Hop> hops(ModelInfo model) {
    List<Hop> hops = new ArrayList<>();
    for (SchemaDocument.Relationship r : relationships) {
      if (r.from().equals(model.name())) {
        hops.add(hop(r, true));
      }
    }
    for (SchemaDocument.Relationship r : relationships) {
      if (r.to().equals(model.name()) && !r.from().equals(model.name())) {
        hops.add(hop(r, false));
      }
    }
    return hops;
  }

  /** A relationship by name from {@code model}; one defined from the model wins. */
  public Optional<Hop> hop(ModelInfo model, String relationship) {
    return hops(model).stream().filter(h -> h.relationship().equals(relationship)).findFirst();
  }

  private Hop hop(SchemaDocument.Relationship r, boolean forward) {
    List<String> left = r.on().stream().map(p -> p.get(0)).toList();
    List<String> right = r.on().stream().map(p -> p.get(1)).toList();
    return forward
        ? new Hop(r.name(), r.cardinality(), models.get(r.from()), models.get(r.to()), left, right)
        : new Hop(r.name(), r.cardinality(), models.get(r.to()), models.get(r.from()), right, left);
  }

  public Optional<TraitInfo> trait(ModelInfo model, String name) {
    return Optional.ofNullable(traits.getOrDefault(model.name(), Map.of()).get(name));
  }

  public Collection<TraitInfo> traits(ModelInfo model) {
    return traits.getOrDefault(model.name(), Map.of()).values();
  }

  public List<TraitInfo> allTraits() {
    List<TraitInfo> all = new ArrayList<>();
    traits.values().forEach(m -> all.addAll(m.values()));
    return all;
  }

  static Map<String, Map<String, TraitInfo>> emptyTraits() {
    return new LinkedHashMap<>();
  }
}
