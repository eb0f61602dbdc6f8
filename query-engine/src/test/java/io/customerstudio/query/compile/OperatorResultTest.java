package io.customerstudio.query.compile;

import static org.assertj.core.api.Assertions.assertThat;

import io.customerstudio.query.audience.AudienceDefinition;
import io.customerstudio.query.testing.Engine;
import io.customerstudio.query.testing.ShopFixture;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;
import org.jooq.impl.DSL;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every operator on every column type, and every condition type, against a hand-written query for
 * the same members (as an analyst would write it, NULL rule spelled out). asOf is
 * 2026-06-15T12:00Z.
 */
class OperatorResultTest {

  static Stream<Arguments> cases() {
    return Stream.of(
        // string
        c("country eq", p("country", "eq", "\"DE\""), "country = 'DE'"),
        c(
            "country neq (NULL holds)",
            p("country", "neq", "\"DE\""),
            "country is distinct from 'DE'"),
        c("country in", p("country", "in", "[\"DE\", \"FR\"]"), "country in ('DE', 'FR')"),
        c(
            "country not_in (NULL holds)",
            p("country", "not_in", "[\"DE\", \"FR\"]"),
            "country is null or country not in ('DE', 'FR')"),
        c(
            "country contains, any case",
            p("country", "contains", "\"e\""),
            "position('e' in lower(country)) > 0"),
        c(
            "country not_contains",
            p("country", "not_contains", "\"e\""),
            "country is null or position('e' in lower(country)) = 0"),
        c(
            "email starts_with",
            p("email", "starts_with", "\"USER1\""),
            "lower(email) like 'user1%'"),
        c("email ends_with", p("email", "ends_with", "\".DE\""), "lower(email) like '%.de'"),
        c(
            "contains with LIKE wildcards is literal",
            p("email", "contains", "\"_%\""),
            "position('_%' in lower(email)) > 0"),
        c("country is_null", p("country", "is_null", null), "country is null"),
        c("country is_not_null", p("country", "is_not_null", null), "country is not null"),
        // number: numeric and integer columns
        c("score eq", p("score", "eq", "2.5"), "score = 2.5"),
        c("score neq", p("score", "neq", "2.5"), "score is null or score <> 2.5"),
        c("score gt", p("score", "gt", "0"), "score > 0"),
        c("score gte", p("score", "gte", "0"), "score >= 0"),
        c("score lt", p("score", "lt", "-1.5"), "score < -1.5"),
        c("score lte", p("score", "lte", "-1.5"), "score <= -1.5"),
        c("score between", p("score", "between", "[-1, 1]"), "score between -1 and 1"),
        c("age in", p("age", "in", "[20, 30, 40]"), "age in (20, 30, 40)"),
        c(
            "age not_in",
            p("age", "not_in", "[20, 30, 40]"),
            "age is null or age not in (20, 30, 40)"),
        c("age gt a fraction", p("age", "gt", "40.5"), "age > 40.5"),
        // boolean
        c("vip eq true", p("vip", "eq", "true"), "vip = true"),
        c("vip neq true (NULL holds)", p("vip", "neq", "true"), "vip is distinct from true"),
        c("vip is_true", p("vip", "is_true", null), "vip is true"),
        c("vip is_false", p("vip", "is_false", null), "vip is false"),
        // timestamp (timestamptz) and date
        c(
            "signup_at within_last 30 days",
            p("signup_at", "within_last", "{\"amount\": 30, \"unit\": \"day\"}"),
            "signup_at between timestamptz '2026-05-16T12:00:00Z' and timestamptz '2026-06-15T12:00:00Z'"),
        c(
            "signup_at not_within_last 30 days",
            p("signup_at", "not_within_last", "{\"amount\": 30, \"unit\": \"day\"}"),
            "signup_at is null or not (signup_at between timestamptz '2026-05-16T12:00:00Z' and timestamptz '2026-06-15T12:00:00Z')"),
        c(
            "signup_at within_last 1 month (calendar)",
            p("signup_at", "within_last", "{\"amount\": 1, \"unit\": \"month\"}"),
            "signup_at between timestamptz '2026-05-15T12:00:00Z' and timestamptz '2026-06-15T12:00:00Z'"),
        c(
            "signup_at before",
            p("signup_at", "before", "\"2026-06-01T00:00:00Z\""),
            "signup_at < timestamptz '2026-06-01T00:00:00Z'"),
        c(
            "signup_at after",
            p("signup_at", "after", "\"2026-06-01T00:00:00Z\""),
            "signup_at > timestamptz '2026-06-01T00:00:00Z'"),
        c(
            "signup_at between",
            p("signup_at", "between", "[\"2026-03-01\", \"2026-04-01\"]"),
            "signup_at between timestamptz '2026-03-01T00:00:00Z' and timestamptz '2026-04-01T00:00:00Z'"),
        c(
            "signup_at neq",
            p("signup_at", "neq", "\"2026-06-15T12:00:00Z\""),
            "signup_at is distinct from timestamptz '2026-06-15T12:00:00Z'"),
        c(
            "birthday (date) before",
            p("birthday", "before", "\"1980-01-01\""),
            "birthday < date '1980-01-01'"),
        c(
            "birthday (date) gte",
            p("birthday", "gte", "\"1990-06-01T00:00:00Z\""),
            "birthday >= date '1990-06-01'"),
        // a date is the start of its day (UTC): against a time of day, the compiler compares
        // days; the hand-written side compares the day's midnight with the time itself. The
        // boundaries are birthdays in the fixture with the day after one too (1981-07-15 and
        // 1981-07-16), so floor and ceiling are each tested on both sides
        c(
            "birthday (date) lt a time of day",
            p("birthday", "lt", "\"1981-07-15T12:00:00Z\""),
            "cast(birthday as timestamp) < timestamp '1981-07-15 12:00:00'"),
        c(
            "birthday (date) lte a time of day",
            p("birthday", "lte", "\"1981-07-15T12:00:00Z\""),
            "cast(birthday as timestamp) <= timestamp '1981-07-15 12:00:00'"),
        c(
            "birthday (date) gt a time of day",
            p("birthday", "gt", "\"1981-07-15T12:00:00Z\""),
            "cast(birthday as timestamp) > timestamp '1981-07-15 12:00:00'"),
        c(
            "birthday (date) gte a time of day",
            p("birthday", "gte", "\"1981-07-15T12:00:00Z\""),
            "cast(birthday as timestamp) >= timestamp '1981-07-15 12:00:00'"),
        c(
            "birthday (date) before midnight",
            p("birthday", "before", "\"1981-07-16\""),
            "cast(birthday as timestamp) < timestamp '1981-07-16 00:00:00'"),
        c(
            "birthday (date) gte midnight",
            p("birthday", "gte", "\"1981-07-16\""),
            "cast(birthday as timestamp) >= timestamp '1981-07-16 00:00:00'"),
        c(
            "birthday (date) after midnight",
            p("birthday", "after", "\"1981-07-15\""),
            "cast(birthday as timestamp) > timestamp '1981-07-15 00:00:00'"),
        c(
            "birthday (date) lte midnight",
            p("birthday", "lte", "\"1981-07-15\""),
            "cast(birthday as timestamp) <= timestamp '1981-07-15 00:00:00'"),
        c(
            "birthday (date) lte a time given with an offset",
            p("birthday", "lte", "\"1981-07-16T01:00:00+02:00\""),
            "cast(birthday as timestamp) <= timestamp '1981-07-15 23:00:00'"),
        c(
            "birthday (date) eq midnight",
            p("birthday", "eq", "\"1981-07-16\""),
            "birthday = date '1981-07-16'"),
        c(
            "birthday (date) eq a time of day: no day matches",
            p("birthday", "eq", "\"1981-07-16T00:00:01Z\""),
            "false"),
        c(
            "birthday (date) neq a time of day: every day and NULL hold",
            p("birthday", "neq", "\"1981-07-16T00:00:01Z\""),
            "true"),
        c(
            "birthday (date) neq midnight (NULL holds)",
            p("birthday", "neq", "\"1981-07-16\""),
            "birthday is distinct from date '1981-07-16'"),
        c(
            "not (birthday (date) lt a time of day) holds for NULL",
            "{\"type\": \"not\", \"condition\": "
                + p("birthday", "lt", "\"1981-07-15T12:00:00Z\"")
                + "}",
            "birthday is null or cast(birthday as timestamp) >= timestamp '1981-07-15 12:00:00'"),
        c(
            "birthday (date) between times of day",
            p("birthday", "between", "[\"1980-03-19T06:00:00Z\", \"1981-07-15T18:00:00Z\"]"),
            "cast(birthday as timestamp) between timestamp '1980-03-19 06:00:00'"
                + " and timestamp '1981-07-15 18:00:00'"),
        c(
            "birthday (date) within_last days from noon",
            p("birthday", "within_last", "{\"amount\": 16406, \"unit\": \"day\"}"),
            "cast(birthday as timestamp) between timestamp '1981-07-15 12:00:00'"
                + " and timestamp '2026-06-15 12:00:00'"),
        c(
            "birthday (date) not_within_last (NULL holds)",
            p("birthday", "not_within_last", "{\"amount\": 16406, \"unit\": \"day\"}"),
            "birthday is null or cast(birthday as timestamp) < timestamp '1981-07-15 12:00:00'"
                + " or cast(birthday as timestamp) > timestamp '2026-06-15 12:00:00'"),
        // json
        c("attrs is_null", p("attrs", "is_null", null), "attrs is null"),
        c("attrs is_not_null", p("attrs", "is_not_null", null), "attrs is not null"),
        // groups
        c("empty and holds", "{\"type\": \"and\", \"conditions\": []}", "true"),
        c("empty or fails", "{\"type\": \"or\", \"conditions\": []}", "false"),
        c(
            "not is the exact complement",
            "{\"type\": \"not\", \"condition\": " + p("country", "eq", "\"DE\"") + "}",
            "country is distinct from 'DE'"),
        // relation
        c(
            "relation exists",
            "{\"type\": \"relation\", \"relationship\": \"purchases\"}",
            "exists (select 1 from shop.purchases p where p.user_id = u.user_id)"),
        c(
            "relation with where",
            "{\"type\": \"relation\", \"relationship\": \"purchases\", \"where\": "
                + p("status", "eq", "\"paid\"")
                + "}",
            "exists (select 1 from shop.purchases p where p.user_id = u.user_id and p.status = 'paid')"),
        c(
            "relation count eq 0 (did not buy)",
            rel("count", null, "eq", "0"),
            "not exists (select 1 from shop.purchases p where p.user_id = u.user_id)"),
        c(
            "relation count lt 3 (includes none)",
            rel("count", null, "lt", "3"),
            "(select count(*) from shop.purchases p where p.user_id = u.user_id) < 3"),
        c(
            "relation sum gte 1000",
            rel("sum", "amount", "gte", "1000"),
            "(select sum(amount) from shop.purchases p where p.user_id = u.user_id) >= 1000"),
        c(
            "relation sum neq 0 (NULL sum holds)",
            rel("sum", "amount", "neq", "0"),
            "(select sum(amount) from shop.purchases p where p.user_id = u.user_id) is distinct from 0"),
        c(
            "relation avg between",
            rel("avg", "amount", "between", "[50, 150]"),
            "(select avg(amount) from shop.purchases p where p.user_id = u.user_id) between 50 and 150"),
        c(
            "relation count_distinct",
            rel("count_distinct", "status", "gte", "2"),
            "(select count(distinct status) from shop.purchases p where p.user_id = u.user_id) >= 2"),
        c(
            "relation max timestamp",
            rel("max", "purchased_at", "after", "\"2026-06-01T00:00:00Z\""),
            "(select max(purchased_at) from shop.purchases p where p.user_id = u.user_id) > timestamptz '2026-06-01T00:00:00Z'"),
        c(
            "nested relation (bought shoes)",
            "{\"type\": \"relation\", \"relationship\": \"purchases\", \"where\": {\"type\": \"relation\", \"relationship\": \"product\", \"where\": "
                + p("category", "eq", "\"shoes\"")
                + "}}",
            "exists (select 1 from shop.purchases p join shop.products pr on pr.product_id = p.product_id where p.user_id = u.user_id and pr.category = 'shoes')"),
        // event
        c(
            "event in window",
            "{\"type\": \"event\", \"event\": \"events\", \"eventType\": \"order\", \"window\": {\"withinLast\": {\"amount\": 14, \"unit\": \"day\"}}}",
            "exists (select 1 from shop.events e where e.user_id = u.user_id and e.event_type = 'order' and e.occurred_at between timestamptz '2026-06-01T12:00:00Z' and timestamptz '2026-06-15T12:00:00Z')"),
        c(
            "event did not perform",
            "{\"type\": \"event\", \"event\": \"events\", \"eventType\": \"cart\", \"count\": {\"op\": \"eq\", \"value\": 0}}",
            "not exists (select 1 from shop.events e where e.user_id = u.user_id and e.event_type = 'cart')"),
        c(
            "event count gte 3 between",
            "{\"type\": \"event\", \"event\": \"events\", \"window\": {\"between\": [\"2026-01-01\", \"2026-06-01\"]}, \"count\": {\"op\": \"gte\", \"value\": 3}}",
            "(select count(*) from shop.events e where e.user_id = u.user_id and e.event_type is distinct from 'bot' and e.occurred_at >= '2026-01-01' and e.occurred_at < '2026-06-01') >= 3"),
        c(
            "event excludes the model's sql filter",
            "{\"type\": \"event\", \"event\": \"events\"}",
            "exists (select 1 from shop.events e where e.user_id = u.user_id and e.event_type is distinct from 'bot')"),
        // traits
        c(
            "aggregation trait gt",
            t("ltv", "gt", "1000"),
            "(select sum(amount) from shop.purchases p where p.user_id = u.user_id and p.status = 'paid') > 1000"),
        c(
            "count trait eq 0",
            t("order_count", "eq", "0"),
            "not exists (select 1 from shop.purchases p where p.user_id = u.user_id)"),
        c(
            "most_frequent trait over a path",
            t("fav_category", "eq", "\"books\""),
            "(select mode() within group (order by pr.category) from shop.purchases p join shop.products pr on pr.product_id = p.product_id where p.user_id = u.user_id) = 'books'"),
        c(
            "first trait",
            t("first_status", "eq", "\"paid\""),
            "(select p.status from shop.purchases p where p.user_id = u.user_id order by p.purchased_at nulls last, p.purchase_id limit 1) = 'paid'"),
        c(
            "case trait",
            t("value_tier", "eq", "\"silver\""),
            "coalesce((select sum(amount) from shop.purchases p where p.user_id = u.user_id and p.status = 'paid'), 0) >= 100 and "
                + "coalesce((select sum(amount) from shop.purchases p where p.user_id = u.user_id and p.status = 'paid'), 0) < 500"),
        c(
            "sql trait",
            t("email_domain", "eq", "\"shop.de\""),
            "split_part(email, '@', 2) = 'shop.de'"),
        // audience reference
        c(
            "audience member",
            "{\"type\": \"audience\", \"audience\": \"germans\", \"op\": \"member\"}",
            "country in ('DE', 'de')"),
        c(
            "audience not_member",
            "{\"type\": \"audience\", \"audience\": \"germans\", \"op\": \"not_member\"}",
            "country is null or country not in ('DE', 'de')"),
        // template
        c(
            "template with a parameter",
            "{\"type\": \"template\", \"template\": \"big-spender\", \"params\": {\"min\": 700}}",
            "(select sum(amount) from shop.purchases p where p.user_id = u.user_id and p.status = 'paid') >= 700"));
  }

  /** Every case on each engine. */
  static Stream<Arguments> casesOnEachEngine() {
    return Stream.of(Engine.values())
        .flatMap(
            e ->
                cases()
                    .map(
                        a -> {
                          Object[] x = a.get();
                          return Arguments.of(e, x[0], x[1], x[2]);
                        }));
  }

  @ParameterizedTest(name = "{0} {1}")
  @MethodSource("casesOnEachEngine")
  void compiledMembersEqualTheHandWrittenQuery(
      Engine engine, String name, String filter, String handWritten) {
    ShopFixture shop = ShopFixture.get(engine);
    AudienceDefinition d = DifferentialTest.definition(filter);
    AudienceCompiler.Compiled c =
        new AudienceCompiler(shop.catalog, RESOLVER, ShopFixture.AS_OF).compile(d, "$");
    Set<Long> compiled =
        new HashSet<>(
            shop.dsl.select(c.key()).from(c.root().table()).where(c.where()).fetch(0, Long.class));
    Set<Long> expected =
        new HashSet<>(
            shop.dsl
                .fetch("select user_id from shop.users u where " + handWritten)
                .getValues(0, Long.class));
    assertThat(compiled)
        .as(shop.dsl.renderInlined(DSL.select(c.key()).from(c.root().table()).where(c.where())))
        .isEqualTo(expected);
  }

  static final AudienceCompiler.Resolver RESOLVER =
      new AudienceCompiler.Resolver() {
        @Override
        public Optional<AudienceDefinition> audience(String key) {
          return key.equals("germans")
              ? Optional.of(DifferentialTest.definition(p("country", "in", "[\"DE\", \"de\"]")))
              : Optional.empty();
        }

        @Override
        public Optional<AudienceCompiler.TemplateBody> template(String key) {
          return key.equals("big-spender")
              ? Optional.of(
                  new AudienceCompiler.TemplateBody(
                      List.of("min"),
                      io.customerstudio.query.audience.AudienceJson.parse(
                          "{\"type\": \"trait\", \"trait\": \"ltv\", \"op\": \"gte\", \"value\": {\"param\": \"min\"}}")))
              : Optional.empty();
        }
      };

  static Arguments c(String name, String filter, String sql) {
    return Arguments.of(name, filter, sql);
  }

  static String p(String column, String op, String value) {
    return "{\"type\": \"property\", \"column\": \""
        + column
        + "\", \"op\": \""
        + op
        + "\""
        + (value == null ? "" : ", \"value\": " + value)
        + "}";
  }

  static String t(String trait, String op, String value) {
    return "{\"type\": \"trait\", \"trait\": \""
        + trait
        + "\", \"op\": \""
        + op
        + "\", \"value\": "
        + value
        + "}";
  }

  static String rel(String fn, String column, String op, String value) {
    return "{\"type\": \"relation\", \"relationship\": \"purchases\", \"aggregate\": {\"function\": \""
        + fn
        + "\""
        + (column == null ? "" : ", \"column\": \"" + column + "\"")
        + ", \"op\": \""
        + op
        + "\", \"value\": "
        + value
        + "}}";
  }
}
