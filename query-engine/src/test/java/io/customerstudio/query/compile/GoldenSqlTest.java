package io.customerstudio.query.compile;

import static org.assertj.core.api.Assertions.assertThat;

import io.customerstudio.query.audience.AudienceDefinition;
import io.customerstudio.query.testing.Engine;
import io.customerstudio.query.testing.ShopFixture;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.jooq.conf.ParamType;
import org.jooq.impl.DSL;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Pins the SQL shape of each node on each engine (values as '?': they are always bind values). A
 * change to a shape shows up as a diff of a file under src/test/resources/golden; rerun with
 * -Dgolden.update=true to accept it after review.
 */
class GoldenSqlTest {

  static final Path DIR = Path.of("src/test/resources/golden");

  static Stream<Arguments> nodes() {
    return Stream.of(
        Arguments.of("property-eq", OperatorResultTest.p("country", "eq", "\"DE\"")),
        Arguments.of("property-neq-nullable", OperatorResultTest.p("country", "neq", "\"DE\"")),
        Arguments.of(
            "property-eq-not-null-column", OperatorResultTest.p("email", "eq", "\"a@b.c\"")),
        Arguments.of("property-contains", OperatorResultTest.p("email", "contains", "\"mail\"")),
        Arguments.of(
            "property-within-last",
            OperatorResultTest.p("signup_at", "within_last", "{\"amount\": 7, \"unit\": \"day\"}")),
        Arguments.of(
            "property-date-before", OperatorResultTest.p("birthday", "before", "\"1980-01-01\"")),
        Arguments.of(
            "and-or-not",
            "{\"type\": \"and\", \"conditions\": ["
                + OperatorResultTest.p("vip", "is_true", null)
                + ", {\"type\": \"not\", \"condition\": {\"type\": \"or\", \"conditions\": ["
                + OperatorResultTest.p("age", "lt", "30")
                + ", "
                + OperatorResultTest.p("country", "in", "[\"DE\", \"FR\"]")
                + "]}}]}"),
        Arguments.of(
            "relation-exists",
            "{\"type\": \"relation\", \"relationship\": \"purchases\", \"where\": "
                + OperatorResultTest.p("status", "eq", "\"paid\"")
                + "}"),
        Arguments.of(
            "relation-aggregate-semi-join", OperatorResultTest.rel("sum", "amount", "gte", "1000")),
        Arguments.of(
            "relation-aggregate-anti-join", OperatorResultTest.rel("count", null, "lt", "3")),
        Arguments.of(
            "relation-nested",
            "{\"type\": \"relation\", \"relationship\": \"purchases\", \"where\": {\"type\": \"relation\", \"relationship\": \"product\", \"where\": "
                + OperatorResultTest.p("category", "eq", "\"shoes\"")
                + "}}"),
        Arguments.of(
            "or-of-key-sets",
            "{\"type\": \"or\", \"conditions\": ["
                + OperatorResultTest.p("vip", "is_true", null)
                + ", {\"type\": \"event\", \"event\": \"events\", \"eventType\": \"order\"}, "
                + OperatorResultTest.t("ltv", "gt", "1000")
                + "]}"),
        Arguments.of(
            "event-window",
            "{\"type\": \"event\", \"event\": \"events\", \"eventType\": \"order\", \"window\": {\"withinLast\": {\"amount\": 14, \"unit\": \"day\"}}}"),
        Arguments.of(
            "event-did-not",
            "{\"type\": \"event\", \"event\": \"events\", \"eventType\": \"cart\", \"count\": {\"op\": \"eq\", \"value\": 0}}"),
        Arguments.of(
            "event-count",
            "{\"type\": \"event\", \"event\": \"events\", \"count\": {\"op\": \"gte\", \"value\": 3}}"),
        Arguments.of("trait-aggregation", OperatorResultTest.t("ltv", "gt", "1000")),
        Arguments.of(
            "trait-most-frequent-path", OperatorResultTest.t("fav_category", "eq", "\"books\"")),
        Arguments.of("trait-first", OperatorResultTest.t("first_status", "eq", "\"paid\"")),
        Arguments.of("trait-case", OperatorResultTest.t("value_tier", "eq", "\"gold\"")),
        Arguments.of("trait-sql", OperatorResultTest.t("email_domain", "eq", "\"shop.de\"")),
        Arguments.of(
            "audience-not-member",
            "{\"type\": \"audience\", \"audience\": \"germans\", \"op\": \"not_member\"}"),
        Arguments.of(
            "template",
            "{\"type\": \"template\", \"template\": \"big-spender\", \"params\": {\"min\": 700}}"));
  }

  static Stream<Arguments> nodesOnEachEngine() {
    return Stream.of(Engine.values())
        .flatMap(
            e ->
                nodes()
                    .map(
                        a -> {
                          Object[] x = a.get();
                          return Arguments.of(e, x[0], x[1]);
                        }));
  }

  @ParameterizedTest(name = "{0} {1}")
  @MethodSource("nodesOnEachEngine")
  void sqlShapeIsPinned(Engine engine, String name, String filter) throws IOException {
    ShopFixture shop = ShopFixture.get(engine);
    AudienceDefinition d = DifferentialTest.definition(filter);
    AudienceCompiler.Compiled c =
        new AudienceCompiler(shop.catalog, OperatorResultTest.RESOLVER, ShopFixture.AS_OF)
            .compile(d, "$");
    String sql =
        shop.dsl
                .renderContext()
                .paramType(ParamType.INDEXED)
                .render(DSL.select(c.key()).from(c.root().table()).where(c.where()))
            + "\n";
    // PostgreSQL's files at the top (as before DuckDB came), DuckDB's in their own folder
    Path file = (engine == Engine.POSTGRES ? DIR : DIR.resolve("duckdb")).resolve(name + ".sql");
    Files.createDirectories(file.getParent());
    if (Boolean.getBoolean("golden.update") || !Files.exists(file)) {
      Files.writeString(file, sql);
    }
    assertThat(sql).isEqualTo(Files.readString(file));
  }
}
