package io.customerstudio.query.schema;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.customerstudio.query.Problem;
import io.customerstudio.query.ValidationException;
import io.customerstudio.query.testing.ShopFixture;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A schema naming what does not exist is refused, with the path and a likely fix. */
class SchemaValidatorTest {

  final ShopFixture shop = ShopFixture.get();

  List<Problem> problems(String json) {
    try {
      new SchemaValidator(new JdbcIntrospector(shop.dataSource))
          .validate(SchemaDocument.parse(json));
    } catch (ValidationException e) {
      return e.problems();
    }
    throw new AssertionError("expected the schema to be refused");
  }

  static String schema(String models, String relationships, String traits) {
    return "{\"models\": ["
        + models
        + "], \"relationships\": ["
        + relationships
        + "], \"traits\": ["
        + traits
        + "]}";
  }

  static final String USERS =
      "{\"name\": \"users\", \"kind\": \"parent\", \"source\": {\"table\": \"shop.users\"}, \"primaryKey\": \"user_id\"}";
  static final String PRODUCTS =
      "{\"name\": \"products\", \"kind\": \"related\", \"source\": {\"table\": \"shop.products\"}, \"primaryKey\": \"product_id\"}";
  static final String PURCHASES =
      "{\"name\": \"purchases\", \"kind\": \"related\", \"source\": {\"table\": \"shop.purchases\"}, \"primaryKey\": \"purchase_id\"}";

  @Test
  void theFixtureSchemaIsValidAndIntrospected() {
    assertThat(shop.catalog.model("users").orElseThrow().column("score").orElseThrow().type())
        .isEqualTo(ColumnType.NUMBER);
    assertThat(shop.catalog.model("users").orElseThrow().column("email").orElseThrow().nullable())
        .isFalse();
    assertThat(shop.catalog.model("events").orElseThrow().column("properties").orElseThrow().type())
        .isEqualTo(ColumnType.JSON);
    assertThat(
            shop.catalog
                .trait(shop.catalog.model("users").orElseThrow(), "value_tier")
                .orElseThrow()
                .type())
        .isEqualTo(ColumnType.STRING);
  }

  @Test
  void aMisspelledJoinColumnIsNamedWithASuggestion() {
    assertThat(
            problems(
                schema(
                    PURCHASES + "," + PRODUCTS,
                    "{\"name\": \"product\", \"from\": \"purchases\", \"to\": \"products\", \"cardinality\": \"many_to_one\", \"on\": [[\"product_id\", \"productid\"]]}",
                    "")))
        .containsExactly(
            new Problem(
                "$.relationships[0].on[0][1]",
                "no column \"productid\" in model \"products\"; did you mean \"product_id\"?"));
  }

  @Test
  void anUnknownTableIsNamedWithASuggestion() {
    assertThat(
            problems(
                schema(
                    "{\"name\": \"users\", \"kind\": \"parent\", \"source\": {\"table\": \"shop.userz\"}, \"primaryKey\": \"user_id\"}",
                    "",
                    "")))
        .singleElement()
        .satisfies(
            p -> {
              assertThat(p.path()).isEqualTo("$.models[0].source.table");
              assertThat(p.message()).contains("did you mean \"shop.users\"");
            });
  }

  @Test
  void joinColumnsOfIncompatibleTypesAreRefused() {
    assertThat(
            problems(
                schema(
                    USERS + "," + PURCHASES,
                    "{\"name\": \"purchases\", \"from\": \"users\", \"to\": \"purchases\", \"cardinality\": \"one_to_many\", \"on\": [[\"email\", \"user_id\"]]}",
                    "")))
        .singleElement()
        .satisfies(
            p -> {
              assertThat(p.path()).isEqualTo("$.relationships[0].on[0]");
              assertThat(p.message()).contains("cannot join", "string", "number");
            });
  }

  @Test
  void aSqlSourceTheWarehouseRejectsIsReported() {
    assertThat(
            problems(
                schema(
                    "{\"name\": \"users\", \"kind\": \"parent\", \"source\": {\"sql\": \"select * from shop.nothing\"}, \"primaryKey\": \"user_id\"}",
                    "",
                    "")))
        .singleElement()
        .satisfies(
            p -> {
              assertThat(p.path()).isEqualTo("$.models[0].source.sql");
              assertThat(p.message()).contains("does not exist");
            });
  }

  @Test
  void aSqlSourceCannotCarryASecondStatement() {
    assertThat(
            problems(
                schema(
                    "{\"name\": \"users\", \"kind\": \"parent\", \"source\": {\"sql\": \"select 1 as user_id; drop table shop.users\"}, \"primaryKey\": \"user_id\"}",
                    "",
                    "")))
        .singleElement()
        .satisfies(p -> assertThat(p.message()).contains("single statement"));
    assertThat(shop.dsl.fetchCount(org.jooq.impl.DSL.table("shop.users"))).isEqualTo(300);
  }

  @Test
  void traitCyclesAreRefused() {
    String a =
        "{\"name\": \"a\", \"model\": \"users\", \"kind\": \"case\", \"cases\": [{\"when\": {\"type\": \"trait\", \"trait\": \"b\", \"op\": \"eq\", \"value\": \"x\"}, \"then\": \"x\"}]}";
    String b =
        "{\"name\": \"b\", \"model\": \"users\", \"kind\": \"case\", \"cases\": [{\"when\": {\"type\": \"trait\", \"trait\": \"a\", \"op\": \"eq\", \"value\": \"x\"}, \"then\": \"x\"}]}";
    assertThat(problems(schema(USERS, "", a + "," + b)))
        .anySatisfy(p -> assertThat(p.message()).contains("cycle"));
  }

  @Test
  void aSqlTraitIsCheckedByTheWarehouse() {
    String bad =
        "{\"name\": \"d\", \"model\": \"users\", \"kind\": \"sql\", \"expression\": \"split_part(emial, '@', 2)\", \"type\": \"string\"}";
    assertThat(problems(schema(USERS, "", bad)))
        .singleElement()
        .satisfies(
            p -> {
              assertThat(p.path()).isEqualTo("$.traits[0].expression");
              assertThat(p.message()).contains("emial");
            });
    String wrongType =
        "{\"name\": \"d\", \"model\": \"users\", \"kind\": \"sql\", \"expression\": \"length(email)\", \"type\": \"string\"}";
    assertThat(problems(schema(USERS, "", wrongType)))
        .singleElement()
        .satisfies(p -> assertThat(p.path()).isEqualTo("$.traits[0].type"));
    String injection =
        "{\"name\": \"d\", \"model\": \"users\", \"kind\": \"sql\", \"expression\": \"1); drop table shop.users; --\", \"type\": \"number\"}";
    assertThat(problems(schema(USERS, "", injection)))
        .singleElement()
        .satisfies(p -> assertThat(p.message()).contains("single expression"));
  }

  @Test
  void aTraitWhereNamingAnUnknownColumnPointsIntoTheTrait() {
    String t =
        "{\"name\": \"ltv\", \"model\": \"users\", \"kind\": \"aggregation\", \"relationship\": \"purchases\", \"function\": \"sum\", \"column\": \"amount\","
            + " \"where\": {\"type\": \"property\", \"column\": \"staus\", \"op\": \"eq\", \"value\": \"paid\"}}";
    assertThat(
            problems(
                schema(
                    USERS + "," + PURCHASES,
                    "{\"name\": \"purchases\", \"from\": \"users\", \"to\": \"purchases\", \"cardinality\": \"one_to_many\", \"on\": [[\"user_id\", \"user_id\"]]}",
                    t)))
        .containsExactly(
            new Problem(
                "$.traits[0].where.column",
                "no column \"staus\" in model \"purchases\"; did you mean \"status\"?"));
  }

  @Test
  void unknownFieldsInTheDocumentAreRefused() {
    assertThatThrownBy(
            () ->
                SchemaDocument.parse(
                    "{\"models\": [{\"name\": \"u\", \"kind\": \"parent\", \"primarykey\": \"id\"}]}"))
        .hasMessageContaining("primarykey");
  }
}
