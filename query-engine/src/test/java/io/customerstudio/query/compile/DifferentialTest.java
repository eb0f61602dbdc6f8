package io.customerstudio.query.compile;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.customerstudio.query.Problems;
import io.customerstudio.query.audience.AudienceDefinition;
import io.customerstudio.query.audience.AudienceJson;
import io.customerstudio.query.audience.Condition;
import io.customerstudio.query.testing.Engine;
import io.customerstudio.query.testing.RandomConditions;
import io.customerstudio.query.testing.ReferenceEvaluator;
import io.customerstudio.query.testing.ShopFixture;
import java.util.HashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.jooq.impl.DSL;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Thousands of random condition trees, each evaluated by the compiled SQL on PostgreSQL and on
 * DuckDB and by an independent in-memory evaluator; the member sets must be equal, NULLs and window
 * edges included. A failure prints the tree so it can be replayed.
 */
class DifferentialTest {

  static final int TREES = Integer.getInteger("differential.trees", 2000);

  @ParameterizedTest
  @EnumSource(Engine.class)
  void compiledSqlAgreesWithTheReferenceEvaluator(Engine engine) {
    ShopFixture shop = ShopFixture.get(engine);
    Map<String, AudienceDefinition> saved =
        Map.of(
            "germans",
                definition(
                    "{\"type\": \"property\", \"column\": \"country\", \"op\": \"in\", \"value\": [\"DE\", \"de\"]}"),
            "buyers",
                definition(
                    "{\"type\": \"relation\", \"relationship\": \"purchases\", \"where\": {\"type\": \"property\", \"column\": \"status\", \"op\": \"eq\", \"value\": \"paid\"}}"));
    AudienceCompiler.Resolver resolver =
        new AudienceCompiler.Resolver() {
          @Override
          public Optional<AudienceDefinition> audience(String key) {
            return Optional.ofNullable(saved.get(key));
          }

          @Override
          public Optional<AudienceCompiler.TemplateBody> template(String key) {
            return Optional.empty();
          }
        };
    ReferenceEvaluator reference = new ReferenceEvaluator(shop, saved, ShopFixture.AS_OF);
    RandomConditions random = new RandomConditions(20261128L);
    int nonTrivial = 0;
    long sqlNanos = 0;
    long refNanos = 0;
    for (int i = 0; i < TREES; i++) {
      JsonNode tree = random.condition(3);
      String json = RandomConditions.json(tree);
      AudienceDefinition d = definition(json);
      AudienceCompiler compiler = new AudienceCompiler(shop.catalog, resolver, ShopFixture.AS_OF);
      AudienceCompiler.Compiled c = compiler.compile(d, "$");
      long t0 = System.nanoTime();
      Set<Long> sql =
          new HashSet<>(
              shop.dsl
                  .select(c.key())
                  .from(c.root().table())
                  .where(c.where())
                  .fetch(0, Long.class));
      long ms = (System.nanoTime() - t0) / 1_000_000;
      sqlNanos += System.nanoTime() - t0;
      if (Boolean.getBoolean("differential.timing") && ms > 50) {
        System.out.println("SLOW " + ms + " ms: " + json);
      }
      long t1 = System.nanoTime();
      Set<Long> expected = reference.members(d);
      refNanos += System.nanoTime() - t1;
      assertThat(sql)
          .as(
              "tree #%d %s%nSQL: %s",
              i,
              json,
              shop.dsl.renderInlined(DSL.select(c.key()).from(c.root().table()).where(c.where())))
          .isEqualTo(expected);
      if (!expected.isEmpty() && expected.size() < shop.users.size()) {
        nonTrivial++;
      }
    }
    System.out.printf(
        "differential: %d trees, sql %d ms, reference %d ms%n",
        TREES, sqlNanos / 1_000_000, refNanos / 1_000_000);
    // the generator must mostly produce trees that split the users, or the test proves little
    assertThat(nonTrivial).isGreaterThan(TREES / 3);
  }

  static AudienceDefinition definition(String filterJson) {
    Problems problems = new Problems();
    Condition c = AudienceJson.readCondition(AudienceJson.parse(filterJson), "$.filter", problems);
    problems.throwIfAny();
    return new AudienceDefinition("users", c);
  }
}
