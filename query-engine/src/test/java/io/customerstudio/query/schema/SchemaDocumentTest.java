package io.customerstudio.query.schema;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class SchemaDocumentTest {

  static final String SPEC_EXAMPLE =
      """
      {"models": [
        {"name": "users", "kind": "parent", "source": {"table": "demo.users"},
         "primaryKey": "user_id", "label": "email"},
        {"name": "events", "kind": "event",
         "source": {"sql": "select * from demo.events where event_type <> 'bot'"},
         "primaryKey": "event_id", "timestamp": "occurred_at", "eventType": "event_type"}],
       "relationships": [
        {"name": "events", "from": "users", "to": "events",
         "cardinality": "one_to_many", "on": [["user_id", "user_id"]]}],
       "traits": [{"name": "ltv", "model": "users", "kind": "sql", "expression": "1", "type": "number"}]}
      """;

  @Test
  void readsTheSpecExample() {
    SchemaDocument doc = SchemaDocument.parse(SPEC_EXAMPLE);
    assertThat(doc.models())
        .extracting(SchemaDocument.Model::name)
        .containsExactly("users", "events");
    assertThat(doc.models(SchemaDocument.Kind.PARENT))
        .singleElement()
        .extracting(SchemaDocument.Model::label)
        .isEqualTo("email");
    assertThat(doc.models().get(1).source().sql()).startsWith("select");
    assertThat(doc.relationships().get(0).on())
        .containsExactly(java.util.List.of("user_id", "user_id"));
    assertThat(doc.traits()).hasSize(1);
  }

  @Test
  void roundTripsThroughJson() {
    SchemaDocument doc = SchemaDocument.parse(SPEC_EXAMPLE);
    assertThat(SchemaDocument.parse(doc.toJson())).isEqualTo(doc);
  }

  @Test
  void rejectsUnknownFieldsAndKinds() {
    assertThatThrownBy(() -> SchemaDocument.parse("{\"modles\": []}"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("modles");
    assertThatThrownBy(
            () -> SchemaDocument.parse("{\"models\": [{\"name\": \"x\", \"kind\": \"fact\"}]}"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("fact");
  }

  @Test
  void anEmptyDocumentHasNoModels() {
    assertThat(SchemaDocument.parse("{}").models()).isEmpty();
  }
}
