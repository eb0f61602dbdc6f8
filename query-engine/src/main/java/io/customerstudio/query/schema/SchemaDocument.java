package io.customerstudio.query.schema;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.List;

/**
 * The schema document of spec/audience-definition.md, section 1: the models, relationships and
 * traits a data team registers once. Plain JSON in, records out; unknown fields are rejected so a
 * typo never silently drops part of a schema.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record SchemaDocument(
    List<Model> models, List<Relationship> relationships, List<JsonNode> traits) {

  private static final ObjectMapper JSON =
      new ObjectMapper().enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

  public SchemaDocument {
    models = models == null ? List.of() : List.copyOf(models);
    relationships = relationships == null ? List.of() : List.copyOf(relationships);
    traits = traits == null ? List.of() : List.copyOf(traits);
  }

  /** What role a model plays in audiences. */
  public enum Kind {
    @JsonProperty("parent")
    PARENT,
    @JsonProperty("related")
    RELATED,
    @JsonProperty("event")
    EVENT
  }

  /** Where a model's rows come from: a schema-qualified table or a read-only query. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record Source(String table, String sql) {}

  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record Model(
      String name,
      Kind kind,
      Source source,
      String primaryKey,
      String label,
      String timestamp,
      String eventType) {}

  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record Relationship(
      String name, String from, String to, String cardinality, List<List<String>> on) {}

  public List<Model> models(Kind kind) {
    return models.stream().filter(m -> m.kind() == kind).toList();
  }

  /**
   * Reads a schema document.
   *
   * @throws IllegalArgumentException naming what is malformed
   */
  public static SchemaDocument parse(String json) {
    try {
      return JSON.readValue(json, SchemaDocument.class);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException(
          "Not a valid schema document: " + e.getOriginalMessage(), e);
    }
  }

  public String toJson() {
    try {
      return JSON.writeValueAsString(this);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }
}
