package io.customerstudio.query.audience;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.customerstudio.query.Problem;
import io.customerstudio.query.Problems;
import io.customerstudio.query.ValidationException;
import io.customerstudio.query.compile.AudienceCompiler;
import io.customerstudio.query.testing.ShopFixture;
import java.util.List;
import java.util.Optional;
import org.jooq.impl.DSL;
import org.junit.jupiter.api.Test;

/**
 * Mutated and hostile definitions: each is refused with a path before any SQL runs, or, where it is
 * valid, SQL in values stays a value.
 */
class HostileInputTest {

  final ShopFixture shop = ShopFixture.get();

  static AudienceDefinition read(String json) {
    Problems problems = new Problems();
    AudienceDefinition d =
        AudienceJson.readDefinition(AudienceJson.parse(json), "$.definition", problems);
    problems.throwIfAny();
    return d;
  }

  List<Problem> refuse(String definitionJson) {
    try {
      new AudienceCompiler(shop.catalog, AudienceCompiler.Resolver.NONE, ShopFixture.AS_OF)
          .compile(AudienceJson.parse(definitionJson), "$.definition");
    } catch (ValidationException e) {
      return e.problems();
    }
    throw new AssertionError("expected a refusal for " + definitionJson);
  }

  long count(AudienceDefinition d) {
    var c =
        new AudienceCompiler(shop.catalog, AudienceCompiler.Resolver.NONE, ShopFixture.AS_OF)
            .compile(d, "$");
    return shop.dsl.fetchCount(DSL.selectOne().from(c.root().table()).where(c.where()));
  }

  @Test
  void sqlInAnIdentifierIsAnUnknownColumn() {
    assertThat(
            refuse(
                "{\"parent\": \"users\", \"filter\": {\"type\": \"property\", \"column\": \"email\\\" = '' or 1=1 --\", \"op\": \"is_null\"}}"))
        .singleElement()
        .satisfies(
            p -> {
              assertThat(p.path()).isEqualTo("$.definition.filter.column");
              assertThat(p.message()).startsWith("no column");
            });
  }

  @Test
  void sqlInAValueIsJustAValue() {
    AudienceDefinition d =
        read(
            "{\"parent\": \"users\", \"filter\": {\"type\": \"property\", \"column\": \"country\", \"op\": \"eq\", \"value\": \"DE' or '1'='1\"}}");
    assertThat(count(d)).isZero();
  }

  @Test
  void unknownFieldsTypesAndOperatorsAreNamed() {
    assertThat(
            refuse(
                "{\"parent\": \"users\", \"filter\": {\"type\": \"property\", \"column\": \"age\", \"op\": \"eq\", \"value\": 3, \"extra\": 1}}"))
        .extracting(Problem::path)
        .containsExactly("$.definition.filter.extra");
    assertThat(refuse("{\"parent\": \"users\", \"filter\": {\"type\": \"propperty\"}}"))
        .singleElement()
        .satisfies(p -> assertThat(p.message()).contains("did you mean \"property\""));
    assertThat(
            refuse(
                "{\"parent\": \"users\", \"filter\": {\"type\": \"property\", \"column\": \"age\", \"op\": \"greater\", \"value\": 3}}"))
        .extracting(Problem::path)
        .containsExactly("$.definition.filter.op");
    assertThat(
            refuse(
                "{\"parent\": \"users\", \"filter\": {\"type\": \"property\", \"column\": \"age\", \"op\": \"gt\", \"value\": \"3\"}}"))
        .singleElement()
        .satisfies(
            p -> {
              assertThat(p.path()).isEqualTo("$.definition.filter.value");
              assertThat(p.message()).contains("expected a number");
            });
    assertThat(
            refuse(
                "{\"parent\": \"users\", \"filter\": {\"type\": \"property\", \"column\": \"age\", \"op\": \"gt\"}}"))
        .extracting(Problem::path)
        .containsExactly("$.definition.filter.value");
    assertThat(
            refuse(
                "{\"parent\": \"users\", \"filter\": {\"type\": \"property\", \"column\": \"email\", \"op\": \"gt\", \"value\": \"a\"}}"))
        .singleElement()
        .satisfies(p -> assertThat(p.message()).contains("does not apply to a string"));
    assertThat(refuse("{\"parent\": \"purchases\"}"))
        .singleElement()
        .satisfies(p -> assertThat(p.message()).contains("parent model"));
    assertThat(
            refuse(
                "{\"parent\": \"users\", \"filter\": {\"type\": \"property\", \"column\": \"country\", \"op\": \"in\", \"value\": []}}"))
        .extracting(Problem::path)
        .containsExactly("$.definition.filter.value");
  }

  @Test
  void everyProblemIsReportedAtOnce() {
    List<Problem> problems =
        refuse(
            "{\"parent\": \"users\", \"filter\": {\"type\": \"and\", \"conditions\": ["
                + "{\"type\": \"property\", \"column\": \"agee\", \"op\": \"eq\", \"value\": 3},"
                + "{\"type\": \"relation\", \"relationship\": \"purchase\"},"
                + "{\"type\": \"event\", \"event\": \"events\", \"window\": {\"withinLast\": {\"amount\": 2, \"unit\": \"fortnight\"}}}]}}");
    assertThat(problems)
        .extracting(Problem::path)
        .containsExactlyInAnyOrder(
            "$.definition.filter.conditions[0].column",
            "$.definition.filter.conditions[1].relationship",
            "$.definition.filter.conditions[2].window.withinLast.unit");
    assertThat(problems).anySatisfy(p -> assertThat(p.message()).contains("did you mean \"age\""));
  }

  @Test
  void hugeAndDeepTreesAreRefused() {
    String deep = "{\"type\": \"and\", \"conditions\": []}";
    for (int i = 0; i < 40; i++) {
      deep = "{\"type\": \"not\", \"condition\": " + deep + "}";
    }
    assertThat(refuse("{\"parent\": \"users\", \"filter\": " + deep + "}"))
        .anySatisfy(p -> assertThat(p.message()).contains("nested more than"));
    StringBuilder wide = new StringBuilder("{\"type\": \"or\", \"conditions\": [");
    for (int i = 0; i < 2500; i++) {
      wide.append(i == 0 ? "" : ",")
          .append("{\"type\": \"property\", \"column\": \"age\", \"op\": \"eq\", \"value\": ")
          .append(i)
          .append("}");
    }
    assertThat(refuse("{\"parent\": \"users\", \"filter\": " + wide + "]}}"))
        .anySatisfy(p -> assertThat(p.message()).contains("more than 2000 conditions"));
  }

  @Test
  void unicodeValuesAreValues() {
    assertThat(
            count(
                read(
                    "{\"parent\": \"users\", \"filter\": {\"type\": \"property\", \"column\": \"email\", \"op\": \"contains\", \"value\": \"ü😀\"}}")))
        .isZero();
  }

  @Test
  void audienceAndTemplateCyclesAreRefused() {
    AudienceCompiler.Resolver cyclic =
        new AudienceCompiler.Resolver() {
          @Override
          public Optional<AudienceDefinition> audience(String key) {
            String next = key.equals("a") ? "b" : "a";
            return Optional.of(
                read(
                    "{\"parent\": \"users\", \"filter\": {\"type\": \"audience\", \"audience\": \""
                        + next
                        + "\", \"op\": \"member\"}}"));
          }

          @Override
          public Optional<AudienceCompiler.TemplateBody> template(String key) {
            return Optional.of(
                new AudienceCompiler.TemplateBody(
                    List.of(),
                    AudienceJson.parse("{\"type\": \"template\", \"template\": \"" + key + "\"}")));
          }
        };
    assertThatThrownBy(
            () ->
                new AudienceCompiler(shop.catalog, cyclic, ShopFixture.AS_OF)
                    .compile(
                        read(
                            "{\"parent\": \"users\", \"filter\": {\"type\": \"audience\", \"audience\": \"a\", \"op\": \"member\"}}"),
                        "$"))
        .isInstanceOf(ValidationException.class)
        .hasMessageContaining("cycle: a -> b -> a");
    assertThatThrownBy(
            () ->
                new AudienceCompiler(shop.catalog, cyclic, ShopFixture.AS_OF)
                    .compile(
                        read(
                            "{\"parent\": \"users\", \"filter\": {\"type\": \"template\", \"template\": \"loop\"}}"),
                        "$"))
        .isInstanceOf(ValidationException.class)
        .hasMessageContaining("templates form a cycle");
  }

  @Test
  void aDefinitionRoundTripsThroughItsCanonicalJson() {
    String json =
        "{\"parent\":\"users\",\"filter\":{\"type\":\"or\",\"conditions\":[{\"type\":\"event\",\"event\":\"events\",\"eventType\":\"order\","
            + "\"window\":{\"withinLast\":{\"amount\":14,\"unit\":\"day\"}}},{\"type\":\"property\",\"column\":\"vip\",\"op\":\"is_true\"},"
            + "{\"type\":\"trait\",\"trait\":\"ltv\",\"op\":\"gt\",\"value\":1000},{\"type\":\"relation\",\"relationship\":\"purchases\","
            + "\"where\":{\"type\":\"property\",\"column\":\"status\",\"op\":\"eq\",\"value\":\"paid\"},\"aggregate\":{\"function\":\"sum\",\"column\":\"amount\",\"op\":\"gte\",\"value\":10}},"
            + "{\"type\":\"not\",\"condition\":{\"type\":\"audience\",\"audience\":\"x\",\"op\":\"not_member\"}},"
            + "{\"type\":\"template\",\"template\":\"t\",\"params\":{\"min\":5}},{\"type\":\"event\",\"event\":\"events\",\"window\":{\"between\":[\"2026-01-01T00:00:00Z\",\"2026-02-01T00:00:00Z\"]},\"count\":{\"op\":\"eq\",\"value\":0}}]}}";
    assertThat(AudienceJson.write(read(json)).toString()).isEqualTo(json);
  }
}
