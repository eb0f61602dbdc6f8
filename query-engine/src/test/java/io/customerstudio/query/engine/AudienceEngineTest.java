package io.customerstudio.query.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.customerstudio.query.Problems;
import io.customerstudio.query.ValidationException;
import io.customerstudio.query.audience.AudienceDefinition;
import io.customerstudio.query.audience.AudienceJson;
import io.customerstudio.query.compile.AudienceCompiler;
import io.customerstudio.query.testing.Engine;
import io.customerstudio.query.testing.ShopFixture;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The engine's operations on the fixture, each checked against an independent query. */
class AudienceEngineTest {

  /** The engine this class runs on; the DuckDB twin beside it overrides it. */
  Engine engine() {
    return Engine.POSTGRES;
  }

  final ShopFixture shop = ShopFixture.get(engine());
  final AudienceEngine engine =
      new AudienceEngine(shop.catalog, shop.dsl, AudienceCompiler.Resolver.NONE);

  static AudienceDefinition def(String filter) {
    Problems p = new Problems();
    AudienceDefinition d =
        AudienceJson.readDefinition(
            AudienceJson.parse(
                "{\"parent\": \"users\"" + (filter == null ? "" : ", \"filter\": " + filter) + "}"),
            "$",
            p);
    p.throwIfAny();
    return d;
  }

  static final String BUYERS = "{\"type\": \"relation\", \"relationship\": \"purchases\"}";
  static final String GERMANS =
      "{\"type\": \"property\", \"column\": \"country\", \"op\": \"in\", \"value\": [\"DE\", \"de\"]}";
  static final String VIPS = "{\"type\": \"property\", \"column\": \"vip\", \"op\": \"is_true\"}";

  long sql(String where) {
    return shop.dsl.fetchOne("select count(*) from shop.users u where " + where).get(0, Long.class);
  }

  @Test
  void keyedRowsAnswerForABatchOfKeys() {
    KeyedRows keyed = engine.keyed();
    List<String> keys = List.of("1", "2", "3", "17", "250", "99999", "x'); drop table t; --");
    assertThat(keyed.existing("users", keys)).containsExactlyInAnyOrder("1", "2", "3", "17", "250");
    java.util.Set<String> vips =
        keyed.matching("users", def(VIPS).filter(), keys, ShopFixture.AS_OF);
    assertThat(vips)
        .isEqualTo(
            new java.util.HashSet<>(
                shop.dsl
                    .fetch(
                        "select cast(user_id as varchar) from shop.users where vip"
                            + " and user_id in (1, 2, 3, 17, 250)")
                    .getValues(0, String.class)));
    Map<String, Map<String, Object>> values =
        keyed.values(
            "users",
            List.of("3", "17"),
            List.of("email", "ltv", "email_domain", "value_tier"),
            ShopFixture.AS_OF);
    assertThat(values).containsOnlyKeys("3", "17");
    String email = (String) shop.dsl.fetchValue("select email from shop.users where user_id = 17");
    assertThat(values.get("17").get("email")).isEqualTo(email);
    // text traits come back as text too (on DuckDB they cross the driver as bytes)
    assertThat(values.get("17").get("email_domain")).isEqualTo(email.split("@")[1]);
    Object ltv = values.get("17").get("ltv");
    double spent = ltv == null ? 0 : ((Number) ltv).doubleValue();
    assertThat(values.get("17").get("value_tier"))
        .isEqualTo(spent >= 500 ? "gold" : spent >= 100 ? "silver" : "bronze");
    assertThat(values.get("3")).containsKey("ltv");
  }

  @Test
  void textIsReadBackExactlyAsStored() {
    // backslashes (which a cast to BLOB would read as escapes), multi-byte UTF-8, empty, null,
    // read from a column of rows as a select list reads a table's
    List<String> texts =
        java.util.Arrays.asList(
            "plain", "", "C:\\xampp\\new", "\\x41\\x42", "Zoë – 日本 🚀", "a'b\"c", null);
    for (String text : texts) {
      var rows =
          org.jooq.impl.DSL.select(org.jooq.impl.DSL.val(text, String.class).as("x")).asTable("t");
      String back =
          shop.dsl
              .select(
                  io.customerstudio.query.sql.Dialects.readText(
                      shop.dsl.dialect(), rows.field("x", String.class)))
              .from(rows)
              .fetchOne(0, String.class);
      assertThat(back).as("read back %s", text).isEqualTo(text);
    }
    // a uuid reads as its canonical text on both engines
    String uuid =
        shop.dsl
            .select(
                io.customerstudio.query.sql.Dialects.readText(
                    shop.dsl.dialect(),
                    org.jooq.impl.DSL.cast(
                        org.jooq.impl.DSL.val("A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A11"),
                        org.jooq.impl.SQLDataType.UUID)))
            .fetchOne(0, String.class);
    assertThat(uuid).isEqualTo("a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11");
  }

  @Test
  void previewCountsAndShowsASortedPageWithColumnsAndTraits() {
    AudienceEngine.Preview p =
        engine.preview(
            def(BUYERS), "$", ShopFixture.AS_OF, null, 5, List.of("country", "ltv", "value_tier"));
    assertThat(p.count())
        .isEqualTo(sql("exists (select 1 from shop.purchases p where p.user_id = u.user_id)"));
    assertThat(p.estimated()).isFalse();
    assertThat(p.sample()).hasSize(5);
    assertThat(p.sample().get(0)).containsKeys("user_id", "email", "country", "ltv", "value_tier");
    assertThat(p.sample()).extracting(r -> (Long) r.get("user_id")).isSorted();
    assertThat(p.sql()).contains("\"shop\".\"purchases\"");
  }

  @Test
  void samplingIsDeterministicAndScaled() {
    AudienceEngine.Preview a =
        engine.preview(
            def(null), "$", ShopFixture.AS_OF, new AudienceEngine.Sampling(20, 42), 0, List.of());
    AudienceEngine.Preview b =
        engine.preview(
            def(null), "$", ShopFixture.AS_OF, new AudienceEngine.Sampling(20, 42), 0, List.of());
    AudienceEngine.Preview other =
        engine.preview(
            def(null), "$", ShopFixture.AS_OF, new AudienceEngine.Sampling(20, 7), 0, List.of());
    assertThat(a.estimated()).isTrue();
    assertThat(a.sampleCount()).isEqualTo(b.sampleCount()).isBetween(30L, 90L);
    assertThat(a.count()).isEqualTo(Math.round(a.sampleCount() * 5.0));
    assertThat(other.sampleCount()).isNotEqualTo(a.sampleCount());
  }

  @Test
  void keysStreamInOrder() {
    List<Object> keys = new ArrayList<>();
    long n = engine.streamKeys(def(GERMANS), "$", ShopFixture.AS_OF, keys::add);
    assertThat(n).isEqualTo(keys.size()).isEqualTo(sql("country in ('DE', 'de')"));
    assertThat(keys).extracting(k -> (Long) k).isSorted();
  }

  @Test
  void explainGivesTheFunnelAndACost() {
    AudienceEngine.Explanation e =
        engine.explain(
            def(
                "{\"type\": \"and\", \"conditions\": ["
                    + BUYERS
                    + ", "
                    + GERMANS
                    + ", "
                    + VIPS
                    + "]}"),
            "$",
            ShopFixture.AS_OF);
    assertThat(e.steps()).hasSize(3);
    assertThat(e.steps().get(0).count())
        .isEqualTo(sql("exists (select 1 from shop.purchases p where p.user_id = u.user_id)"));
    assertThat(e.steps().get(1).count())
        .isEqualTo(
            sql(
                "exists (select 1 from shop.purchases p where p.user_id = u.user_id) and country in ('DE', 'de')"));
    assertThat(e.steps().get(2).count()).isEqualTo(e.count());
    assertThat(e.steps())
        .extracting(AudienceEngine.Step::count)
        .isSortedAccordingTo((x, y) -> Long.compare(y, x));
    assertThat(e.steps().get(1).label()).contains("country in");
    assertThat(e.cost()).isPositive();
  }

  @Test
  void overlapCountsEveryPairAndAllInOneScan() {
    Map<String, AudienceDefinition> audiences = new LinkedHashMap<>();
    audiences.put("buyers", def(BUYERS));
    audiences.put("germans", def(GERMANS));
    audiences.put("vips", def(VIPS));
    AudienceEngine.Overlap o = engine.overlap(audiences, "$.audiences", ShopFixture.AS_OF);
    String buyers = "exists (select 1 from shop.purchases p where p.user_id = u.user_id)";
    assertThat(o.sizes())
        .containsEntry("germans", sql("country in ('DE', 'de')"))
        .containsEntry("vips", sql("vip"));
    assertThat(o.pairs())
        .contains(
            new AudienceEngine.Pair(
                "buyers", "germans", sql(buyers + " and country in ('DE', 'de')")));
    assertThat(o.all()).isEqualTo(sql(buyers + " and country in ('DE', 'de') and vip"));
    assertThat(o.union()).isEqualTo(sql(buyers + " or country in ('DE', 'de') or vip"));
    assertThatThrownBy(
            () -> engine.overlap(Map.of("a", def(VIPS)), "$.audiences", ShopFixture.AS_OF))
        .isInstanceOf(ValidationException.class);
  }

  @Test
  void breakdownByColumnTraitAndNumber() {
    AudienceEngine.Breakdown country =
        engine.breakdown(def(null), "$", ShopFixture.AS_OF, "country", null, 2);
    assertThat(country.buckets()).hasSize(2);
    assertThat(country.total()).isEqualTo(300);
    assertThat(country.nulls()).isEqualTo(sql("country is null"));
    assertThat(
            country.buckets().stream().mapToLong(AudienceEngine.Bucket::count).sum()
                + country.other()
                + country.nulls())
        .isEqualTo(300);

    AudienceEngine.Breakdown tier =
        engine.breakdown(def(null), "$", ShopFixture.AS_OF, null, "value_tier", 10);
    assertThat(tier.buckets())
        .extracting(AudienceEngine.Bucket::value)
        .containsExactlyInAnyOrder("gold", "silver", "bronze");

    AudienceEngine.Breakdown age =
        engine.breakdown(def(null), "$", ShopFixture.AS_OF, "age", null, 10);
    assertThat(age.buckets()).hasSize(10);
    assertThat(age.buckets().stream().mapToLong(AudienceEngine.Bucket::count).sum())
        .isEqualTo(sql("age is not null"));

    AudienceEngine.Breakdown signup =
        engine.breakdown(def(BUYERS), "$", ShopFixture.AS_OF, "signup_at", null, 10);
    assertThat(signup.type()).isEqualTo("timestamp");
    assertThat((String) signup.buckets().get(0).from()).endsWith("Z");
  }

  @Test
  void profileHasPropertiesTraitsRelatedRowsAndATimeline() {
    long someone = shop.dsl.fetchOne("select min(user_id) from shop.purchases").get(0, Long.class);
    AudienceEngine.Profile p = engine.profile("users", String.valueOf(someone)).orElseThrow();
    assertThat(p.properties()).containsEntry("user_id", someone);
    assertThat(p.traits()).containsKeys("ltv", "order_count", "value_tier", "email_domain");
    assertThat(p.traits().get("order_count"))
        .as(String.valueOf(p.traits().get("order_count").getClass()))
        .isEqualTo(
            shop.dsl
                .fetchOne("select count(*) from shop.purchases where user_id = " + someone)
                .get(0, Long.class));
    assertThat(p.related())
        .extracting(AudienceEngine.Related::relationship)
        .contains("purchases", "events");
    assertThat(engine.profile("users", "999999")).isEmpty();
    assertThatThrownBy(() -> engine.profile("users", "abc"))
        .isInstanceOf(ValidationException.class);
  }

  @Test
  void valueSuggestionsAreTheMostFrequentFirst() {
    List<AudienceEngine.ValueCount> values = engine.values("purchases", "status", null, 10);
    assertThat(values)
        .extracting(AudienceEngine.ValueCount::value)
        .containsExactlyInAnyOrder("paid", "refunded", "pending");
    assertThat(values)
        .extracting(AudienceEngine.ValueCount::count)
        .isSortedAccordingTo((x, y) -> Long.compare(y, x));
    assertThat(engine.values("purchases", "status", "pa", 10))
        .extracting(AudienceEngine.ValueCount::value)
        .containsExactly("paid");
    assertThatThrownBy(() -> engine.values("purchases", "statuss", null, 10))
        .hasMessageContaining("did you mean \"status\"");
  }
}
