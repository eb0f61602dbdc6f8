package io.customerstudio.query.governance;

import static org.assertj.core.api.Assertions.assertThat;

import io.customerstudio.query.audience.AudienceDefinition;
import io.customerstudio.query.audience.AudienceJson;
import io.customerstudio.query.audience.Condition;
import io.customerstudio.query.compile.AudienceCompiler;
import io.customerstudio.query.engine.AudienceEngine;
import io.customerstudio.query.governance.Restriction.CategoryDef;
import io.customerstudio.query.testing.Engine;
import io.customerstudio.query.testing.ShopFixture;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * The restriction's shape (OR within, AND across, other parents ignored, fail closed) and its
 * result on a real PostgreSQL, compared with hand-written SQL.
 */
class RestrictionTest {

  static final String DE =
      "{\"type\": \"property\", \"column\": \"country\", \"op\": \"eq\", \"value\": \"DE\"}";
  static final String FR =
      "{\"type\": \"property\", \"column\": \"country\", \"op\": \"eq\", \"value\": \"FR\"}";
  static final String VIP = "{\"type\": \"property\", \"column\": \"vip\", \"op\": \"is_true\"}";

  static final Map<String, CategoryDef> CATEGORIES =
      Map.of(
          "region",
          new CategoryDef(
              "region",
              "users",
              Map.of("de", AudienceJson.parse(DE), "fr", AudienceJson.parse(FR))),
          "tier",
          new CategoryDef("tier", "users", Map.of("vip", AudienceJson.parse(VIP))),
          "market",
          new CategoryDef("market", "accounts", Map.of("all", AudienceJson.parse(VIP))));

  /** The engine this class runs on; the DuckDB twin beside it overrides it. */
  Engine engine() {
    return Engine.POSTGRES;
  }

  final ShopFixture shop = ShopFixture.get(engine());
  final AudienceEngine engine =
      new AudienceEngine(shop.catalog, shop.dsl, AudienceCompiler.Resolver.NONE);

  Optional<Condition> restriction(Map<String, List<String>> selection) {
    return Restriction.condition("users", selection, CATEGORIES);
  }

  long restrictedCount(Map<String, List<String>> selection) {
    return engine.count(
        Restriction.apply(new AudienceDefinition("users", null), restriction(selection)),
        "$",
        ShopFixture.AS_OF);
  }

  long sql(String where) {
    return shop.dsl.fetchOne("select count(*) from shop.users u where " + where).get(0, Long.class);
  }

  @Test
  void noSelectionRestrictsNothing() {
    assertThat(restriction(null)).isEmpty();
    assertThat(restriction(Map.of())).isEmpty();
  }

  @Test
  void categoriesOfAnotherParentDoNotRestrictThisOne() {
    assertThat(restriction(Map.of("market", List.of("all")))).isEmpty();
    assertThat(Restriction.condition("accounts", Map.of("market", List.of("all")), CATEGORIES))
        .isPresent();
  }

  @Test
  void subsetsOfOneCategoryAreOred() {
    assertThat(restrictedCount(Map.of("region", List.of("de", "fr"))))
        .isEqualTo(sql("u.country in ('DE', 'FR')"))
        .isPositive();
    assertThat(restrictedCount(Map.of("region", List.of("de")))).isEqualTo(sql("u.country = 'DE'"));
  }

  @Test
  void categoriesAreAnded() {
    assertThat(restrictedCount(Map.of("region", List.of("de"), "tier", List.of("vip"))))
        .isEqualTo(sql("u.country = 'DE' and u.vip"))
        .isLessThan(sql("u.country = 'DE'"));
  }

  @Test
  void theRestrictionIsAndedWithTheAudiencesOwnFilter() {
    AudienceDefinition vips =
        new AudienceDefinition(
            "users",
            AudienceJson.readCondition(
                AudienceJson.parse(VIP), "$.filter", new io.customerstudio.query.Problems()));
    long n =
        engine.count(
            Restriction.apply(vips, restriction(Map.of("region", List.of("fr")))),
            "$",
            ShopFixture.AS_OF);
    assertThat(n).isEqualTo(sql("u.country = 'FR' and u.vip"));
  }

  @Test
  void unknownCategoriesAndSubsetsAndEmptyChoicesMatchNobody() {
    assertThat(restrictedCount(Map.of("planet", List.of("mars")))).isZero();
    assertThat(Restriction.condition("accounts", Map.of("planet", List.of("x")), CATEGORIES))
        .isPresent();
    assertThat(restrictedCount(Map.of("region", List.of("de", "atlantis")))).isZero();
    assertThat(restrictedCount(Map.of("region", List.of()))).isZero();
    assertThat(sql("true")).isPositive();
  }

  @Test
  void aSubsetWhoseConditionDoesNotReadMatchesNobody() {
    Map<String, CategoryDef> broken =
        Map.of(
            "region",
            new CategoryDef(
                "region", "users", Map.of("x", AudienceJson.parse("{\"type\": \"nonsense\"}"))));
    Optional<Condition> r = Restriction.condition("users", Map.of("region", List.of("x")), broken);
    assertThat(r).containsInstanceOf(Condition.Or.class);
    assertThat(((Condition.Or) r.get()).conditions()).isEmpty();
  }

  @Test
  void aRestrictedEngineCountsListsExplainsAndProfilesOnlyItsRows() {
    AudienceEngine de =
        engine.restrictedTo(
            parent -> Restriction.condition(parent, Map.of("region", List.of("de")), CATEGORIES));
    AudienceDefinition all = new AudienceDefinition("users", null);
    AudienceDefinition vips =
        new AudienceDefinition(
            "users",
            AudienceJson.readCondition(
                AudienceJson.parse(
                    "{\"type\": \"and\", \"conditions\": [" + VIP + ", " + FR + "]}"),
                "$.filter",
                new io.customerstudio.query.Problems()));
    long germans = sql("u.country = 'DE'");
    assertThat(de.count(all, "$", ShopFixture.AS_OF)).isEqualTo(germans);
    assertThat(de.preview(all, "$", ShopFixture.AS_OF, null, 0, List.of()).count())
        .isEqualTo(germans);
    assertThat(de.sql(all, "$", ShopFixture.AS_OF)).contains("'DE'");
    List<Map<String, Object>> page =
        de.page(all, "$", ShopFixture.AS_OF, List.of("country"), 0, 1000);
    assertThat(page).hasSize((int) germans).allMatch(r -> "DE".equals(r.get("country")));

    // a German vip who is French: nobody; the funnel's steps are restricted too
    assertThat(de.count(vips, "$", ShopFixture.AS_OF)).isZero();
    AudienceEngine.Explanation x = de.explain(vips, "$", ShopFixture.AS_OF);
    assertThat(x.steps())
        .extracting(AudienceEngine.Step::count)
        .containsExactly(sql("u.vip and u.country = 'DE'"), 0L);

    AudienceEngine.Breakdown b = de.breakdown(all, "$", ShopFixture.AS_OF, "country", null, 10);
    assertThat(b.total()).isEqualTo(germans);
    assertThat(b.buckets()).extracting(AudienceEngine.Bucket::value).containsExactly("DE");
    assertThat(de.values("users", "country", null, 100))
        .extracting(AudienceEngine.ValueCount::value)
        .containsExactly("DE");

    Object german = shop.dsl.fetchValue("select min(user_id) from shop.users where country = 'DE'");
    Object french = shop.dsl.fetchValue("select min(user_id) from shop.users where country = 'FR'");
    assertThat(de.profile("users", german.toString())).isPresent();
    assertThat(de.profile("users", french.toString())).isEmpty();
    assertThat(engine.profile("users", french.toString())).isPresent();
    assertThat(de.profile("purchases", "1")).isEmpty();
    assertThat(de.sample("events", 10)).isEmpty();
    assertThat(de.sample("users", 1000)).hasSize((int) germans);
    assertThat(de.values("events", "event_type", null, 10)).isEmpty();
    assertThat(de.restricted()).isTrue();
    assertThat(engine.restricted()).isFalse();
  }
}
