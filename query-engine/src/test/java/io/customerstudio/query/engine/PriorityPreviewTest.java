package io.customerstudio.query.engine;

import static io.customerstudio.query.engine.AudienceEngineTest.def;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.customerstudio.query.Problem;
import io.customerstudio.query.Problems;
import io.customerstudio.query.ValidationException;
import io.customerstudio.query.audience.AudienceDefinition;
import io.customerstudio.query.audience.AudienceJson;
import io.customerstudio.query.compile.AudienceCompiler;
import io.customerstudio.query.testing.Engine;
import io.customerstudio.query.testing.ShopFixture;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A priority list's preview on the fixture, against hand-written SQL that decides each member's
 * winner with NOT EXISTS-style negations instead of the engine's CASE.
 */
class PriorityPreviewTest {

  /** The engine this class runs on; the DuckDB twin beside it overrides it. */
  Engine engine() {
    return Engine.POSTGRES;
  }

  final ShopFixture shop = ShopFixture.get(engine());
  final AudienceEngine engine =
      new AudienceEngine(shop.catalog, shop.dsl, AudienceCompiler.Resolver.NONE);

  // each as the engine reads it: a NULL value is not a member
  static final String VIP = "coalesce(u.vip, false)";
  static final String GERMAN = "coalesce(u.country in ('DE', 'de'), false)";
  static final String BUYER = "exists (select 1 from shop.purchases p where p.user_id = u.user_id)";

  long sql(String where) {
    return shop.dsl.fetchOne("select count(*) from shop.users u where " + where).get(0, Long.class);
  }

  static List<Map.Entry<String, AudienceDefinition>> ranked(Object... keysAndDefinitions) {
    List<Map.Entry<String, AudienceDefinition>> out = new java.util.ArrayList<>();
    for (int i = 0; i < keysAndDefinitions.length; i += 2) {
      out.add(
          Map.entry(
              (String) keysAndDefinitions[i], (AudienceDefinition) keysAndDefinitions[i + 1]));
    }
    return out;
  }

  @Test
  void eachMemberIsKeptByTheHighestRankedAudienceContainingIt() {
    List<PriorityPreview.Rank> ranks =
        engine.priority(
            ranked(
                "vips",
                def(AudienceEngineTest.VIPS),
                "germans",
                def(AudienceEngineTest.GERMANS),
                "buyers",
                def(AudienceEngineTest.BUYERS)),
            "$.audiences",
            ShopFixture.AS_OF);

    assertThat(ranks)
        .extracting(PriorityPreview.Rank::audience)
        .containsExactly("vips", "germans", "buyers");

    PriorityPreview.Rank vips = ranks.get(0);
    assertThat(vips.members()).isEqualTo(sql(VIP)).isPositive();
    assertThat(vips.kept()).isEqualTo(vips.members());
    assertThat(vips.lostTo()).isEmpty();

    PriorityPreview.Rank germans = ranks.get(1);
    assertThat(germans.members()).isEqualTo(sql(GERMAN));
    assertThat(germans.kept()).isEqualTo(sql(GERMAN + " and not " + VIP));
    assertThat(germans.lostTo())
        .containsExactly(new PriorityPreview.Loss("vips", sql(GERMAN + " and " + VIP)));

    PriorityPreview.Rank buyers = ranks.get(2);
    assertThat(buyers.members()).isEqualTo(sql(BUYER));
    assertThat(buyers.kept()).isEqualTo(sql(BUYER + " and not " + VIP + " and not " + GERMAN));
    assertThat(buyers.lostTo())
        .containsExactly(
            new PriorityPreview.Loss("vips", sql(BUYER + " and " + VIP)),
            new PriorityPreview.Loss("germans", sql(BUYER + " and " + GERMAN + " and not " + VIP)));
    // the test means something: buyers lose members to both higher ranks
    assertThat(buyers.lostTo()).allSatisfy(l -> assertThat(l.members()).isPositive());

    for (PriorityPreview.Rank r : ranks) {
      assertThat(r.kept() + r.lostTo().stream().mapToLong(PriorityPreview.Loss::members).sum())
          .isEqualTo(r.members());
    }
  }

  @Test
  void anAudienceWithoutAFilterHasEveryRowAndLosesTheRestToHigherRanks() {
    List<PriorityPreview.Rank> ranks =
        engine.priority(
            ranked("vips", def(AudienceEngineTest.VIPS), "everyone", def(null)),
            "$.audiences",
            ShopFixture.AS_OF);
    assertThat(ranks.get(1).members()).isEqualTo(sql("true"));
    assertThat(ranks.get(1).kept()).isEqualTo(sql("not " + VIP));
    assertThat(ranks.get(1).lostTo()).containsExactly(new PriorityPreview.Loss("vips", sql(VIP)));
  }

  @Test
  void audiencesOfAnotherParentAndEmptyListsAreRefusedWithTheirPath() {
    Problems p = new Problems();
    AudienceDefinition purchases =
        AudienceJson.readDefinition(AudienceJson.parse("{\"parent\": \"purchases\"}"), "$", p);
    assertThatThrownBy(
            () ->
                engine.priority(
                    ranked("vips", def(AudienceEngineTest.VIPS), "orders", purchases),
                    "$.audiences",
                    ShopFixture.AS_OF))
        .isInstanceOf(ValidationException.class)
        .extracting(e -> ((ValidationException) e).problems())
        .asList()
        .extracting(x -> ((Problem) x).path())
        .containsExactly("$.audiences[1]");
    assertThatThrownBy(() -> engine.priority(List.of(), "$.audiences", ShopFixture.AS_OF))
        .isInstanceOf(ValidationException.class);
  }
}
