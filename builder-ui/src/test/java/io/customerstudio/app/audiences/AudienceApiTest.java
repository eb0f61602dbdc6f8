package io.customerstudio.app.audiences;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.customerstudio.app.ApiClient;
import io.customerstudio.app.AppTestSupport;
import io.customerstudio.infra.warehouse.Warehouse;
import java.util.Arrays;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;

/**
 * The audience API end to end on the demo warehouse (2,000 users, anchored 2026-11-01): exact
 * shapes, counts equal to hand-written SQL, versions, references, and 4xx with paths for bad input.
 */
class AudienceApiTest extends AppTestSupport {

  static final String AS_OF = "2026-11-01T00:00:00Z";
  static final String SEED_EXAMPLE =
      """
      {"parent": "users", "filter": {"type": "or", "conditions": [
        {"type": "event", "event": "events", "eventType": "order_completed", "window": {"withinLast": {"amount": 2, "unit": "week"}}},
        {"type": "property", "column": "loyalty_member", "op": "is_true"},
        {"type": "trait", "trait": "lifetime_value", "op": "gt", "value": 1000}]}}""";
  static final String SEED_SQL =
      """
      select count(*) from demo.users u where
        exists (select 1 from demo.events e where e.user_id = u.user_id and e.event_type = 'order_completed'
                and e.occurred_at between timestamptz '2026-10-18T00:00:00Z' and timestamptz '2026-11-01T00:00:00Z')
        or u.loyalty_member
        or (select sum(amount) from demo.purchases p where p.user_id = u.user_id and p.status = 'paid') > 1000""";

  @LocalServerPort int port;
  @Autowired Warehouse warehouse;
  ApiClient admin;
  ApiClient marketer;

  @BeforeEach
  void clients() {
    admin = new ApiClient(port, "admin", ADMIN_PASSWORD);
    if (admin.get("/api/v1/users/audience-marketer").status() == 404) {
      admin.post(
          "/api/v1/users",
          "{\"username\": \"audience-marketer\", \"role\": \"MARKETER\", \"password\": \"marketer-password\"}");
    }
    marketer = new ApiClient(port, "audience-marketer", "marketer-password");
  }

  long sql(String query) {
    return warehouse.dsl().fetchOne(query).get(0, Long.class);
  }

  @Test
  void previewOfTheSeedExampleMatchesHandWrittenSql() {
    ApiClient.Response r =
        marketer.post(
            "/api/v1/audiences/preview",
            "{\"definition\": "
                + SEED_EXAMPLE
                + ", \"asOf\": \""
                + AS_OF
                + "\", \"limit\": 3, \"columns\": [\"country\", \"lifetime_value\"]}");
    assertThat(r.status()).as(r.body()).isEqualTo(200);
    JsonNode body = r.json();
    assertThat(body.get("count").asLong()).isEqualTo(sql(SEED_SQL)).isPositive();
    assertThat(body.get("estimated").asBoolean()).isFalse();
    assertThat(body.get("sample")).hasSize(3);
    assertThat(body.get("sample").get(0).has("email")).isTrue();
    // every requested column is present on every member, null included
    body.get("sample").forEach(m -> assertThat(m.has("lifetime_value")).as(m.toString()).isTrue());
    assertThat(body.get("sql").asText()).contains("\"demo\".\"events\"");

    JsonNode sampled =
        marketer
            .post(
                "/api/v1/audiences/preview",
                "{\"definition\": "
                    + SEED_EXAMPLE
                    + ", \"asOf\": \""
                    + AS_OF
                    + "\", \"sampling\": {\"percent\": 25, \"seed\": 1}, \"limit\": 0}")
            .json();
    assertThat(sampled.get("estimated").asBoolean()).isTrue();
    assertThat(sampled.get("count").asLong())
        .isEqualTo(Math.round(sampled.get("sampleCount").asLong() * 4.0));
  }

  @Test
  void audiencesAreVersionedRestoredAndSearched() {
    ApiClient.Response created =
        marketer.post(
            "/api/v1/audiences",
            "{\"key\": \"seed-example\", \"name\": \"Seed example\", \"description\": \"ordered lately, loyal or valuable\", \"definition\": "
                + SEED_EXAMPLE
                + "}");
    assertThat(created.status()).as(created.body()).isEqualTo(201);
    assertThat(created.json().get("version").asInt()).isEqualTo(1);
    assertThat(created.json().get("createdBy").asText()).isEqualTo("audience-marketer");
    assertThat(
            marketer
                .post(
                    "/api/v1/audiences",
                    "{\"key\": \"seed-example\", \"name\": \"x\", \"definition\": "
                        + SEED_EXAMPLE
                        + "}")
                .status())
        .isEqualTo(409);

    // reading and saving back gives the same definition
    JsonNode definition = marketer.get("/api/v1/audiences/seed-example").json().get("definition");
    ApiClient.Response saved =
        marketer.put(
            "/api/v1/audiences/seed-example",
            "{\"name\": \"Seed example (loyal only)\", \"definition\": {\"parent\": \"users\", \"filter\": {\"type\": \"property\", \"column\": \"loyalty_member\", \"op\": \"is_true\"}}}");
    assertThat(saved.json().get("version").asInt()).isEqualTo(2);
    assertThat(marketer.get("/api/v1/audiences/seed-example/versions").json()).hasSize(2);
    ApiClient.Response restored =
        marketer.post("/api/v1/audiences/seed-example/versions/1/restore", null);
    assertThat(restored.json().get("version").asInt()).isEqualTo(3);
    assertThat(restored.json().get("definition")).isEqualTo(definition);
    assertThat(restored.json().get("name").asText()).isEqualTo("Seed example");

    assertThat(marketer.get("/api/v1/audiences?search=SEED").json())
        .extracting(n -> n.get("key").asText())
        .contains("seed-example");
    JsonNode byKey =
        marketer
            .post("/api/v1/audiences/preview", "{\"audience\": \"seed-example\", \"limit\": 0}")
            .json();
    assertThat(marketer.get("/api/v1/audiences/seed-example").json().get("size").asLong())
        .isEqualTo(byKey.get("count").asLong());
  }

  @Test
  void evaluateStreamsExactlyTheMembers() {
    ApiClient.Response r =
        marketer.post(
            "/api/v1/audiences/evaluate",
            "{\"definition\": " + SEED_EXAMPLE + ", \"asOf\": \"" + AS_OF + "\"}");
    assertThat(r.status()).isEqualTo(200);
    assertThat(r.raw().headers().firstValue("Content-Type").orElse("")).startsWith("text/plain");
    long[] keys = Arrays.stream(r.body().split("\n")).mapToLong(Long::parseLong).toArray();
    assertThat(keys.length).isEqualTo(sql(SEED_SQL));
    assertThat(keys).isSorted();
    assertThat(
            marketer
                .post(
                    "/api/v1/audiences/evaluate",
                    "{\"definition\": " + SEED_EXAMPLE + ", \"sampling\": {\"percent\": 10}}")
                .status())
        .isEqualTo(400);
  }

  @Test
  void explainOverlapBreakdownAndProfile() {
    JsonNode explain =
        marketer
            .post(
                "/api/v1/audiences/explain",
                "{\"definition\": " + SEED_EXAMPLE + ", \"asOf\": \"" + AS_OF + "\"}")
            .json();
    assertThat(explain.get("steps")).hasSize(3);
    assertThat(explain.get("steps").get(2).get("count").asLong())
        .isEqualTo(explain.get("count").asLong())
        .isEqualTo(sql(SEED_SQL));
    assertThat(explain.get("cost").asDouble()).isPositive();

    marketer.post(
        "/api/v1/audiences",
        "{\"key\": \"loyal\", \"name\": \"Loyal\", \"definition\": {\"parent\": \"users\", \"filter\": {\"type\": \"property\", \"column\": \"loyalty_member\", \"op\": \"is_true\"}}}");
    marketer.post(
        "/api/v1/audiences",
        "{\"key\": \"germany\", \"name\": \"Germany\", \"definition\": {\"parent\": \"users\", \"filter\": {\"type\": \"property\", \"column\": \"country\", \"op\": \"eq\", \"value\": \"DE\"}}}");
    JsonNode overlap =
        marketer
            .post(
                "/api/v1/insights/overlap",
                "{\"audiences\": [\"loyal\", \"germany\"], \"asOf\": \"" + AS_OF + "\"}")
            .json();
    assertThat(overlap.at("/pairs/0/both").asLong())
        .isEqualTo(sql("select count(*) from demo.users where loyalty_member and country = 'DE'"));
    assertThat(overlap.at("/sizes/germany").asLong())
        .isEqualTo(sql("select count(*) from demo.users where country = 'DE'"));

    JsonNode byCountry =
        marketer
            .post(
                "/api/v1/insights/breakdown",
                "{\"audience\": \"loyal\", \"column\": \"country\", \"limit\": 3}")
            .json();
    assertThat(byCountry.get("buckets")).hasSize(3);
    assertThat(byCountry.get("total").asLong())
        .isEqualTo(sql("select count(*) from demo.users where loyalty_member"));
    JsonNode byLtv =
        marketer
            .post(
                "/api/v1/insights/breakdown",
                "{\"audience\": \"loyal\", \"trait\": \"lifetime_value\"}")
            .json();
    assertThat(byLtv.get("type").asText()).isEqualTo("number");
    assertThat(byLtv.get("buckets")).hasSize(10);

    long someone = sql("select min(user_id) from demo.purchases");
    JsonNode profile = marketer.get("/api/v1/profiles/users/" + someone).json();
    assertThat(profile.at("/properties/user_id").asLong()).isEqualTo(someone);
    assertThat(profile.at("/traits/order_count").asLong())
        .isEqualTo(
            sql(
                "select count(*) from demo.purchases where status in ('paid', 'refunded') and user_id = "
                    + someone));
    assertThat(marketer.get("/api/v1/profiles/users/999999999").status()).isEqualTo(404);
  }

  @Test
  void referencesTemplatesAndDeletion() {
    ApiClient.Response t =
        marketer.put(
            "/api/v1/templates/big-spender",
            "{\"name\": \"Big spender\", \"params\": [\"min\"], \"condition\": {\"type\": \"trait\", \"trait\": \"lifetime_value\", \"op\": \"gte\", \"value\": {\"param\": \"min\"}}}");
    assertThat(t.status()).as(t.body()).isEqualTo(200);
    assertThat(
            marketer
                .put(
                    "/api/v1/templates/broken",
                    "{\"name\": \"x\", \"params\": [\"a\"], \"condition\": {\"type\": \"trait\", \"trait\": \"lifetime_value\", \"op\": \"gte\", \"value\": {\"param\": \"b\"}}}")
                .json()
                .get("errors"))
        .extracting(e -> e.get("path").asText())
        .contains("$.condition", "$.params[0]");

    assertThat(
            marketer
                .post(
                    "/api/v1/audiences",
                    "{\"key\": \"base\", \"name\": \"Base\", \"definition\": {\"parent\": \"users\", \"filter\": {\"type\": \"template\", \"template\": \"big-spender\", \"params\": {\"min\": 500}}}}")
                .status())
        .isEqualTo(201);
    assertThat(
            marketer
                .post(
                    "/api/v1/audiences",
                    "{\"key\": \"derived\", \"name\": \"Derived\", \"definition\": {\"parent\": \"users\", \"filter\": {\"type\": \"audience\", \"audience\": \"base\", \"op\": \"not_member\"}}}")
                .status())
        .isEqualTo(201);
    long base =
        marketer
            .post("/api/v1/audiences/preview", "{\"audience\": \"base\", \"limit\": 0}")
            .json()
            .get("count")
            .asLong();
    assertThat(base)
        .isEqualTo(
            sql(
                "select count(*) from demo.users u where (select sum(amount) from demo.purchases p where p.user_id = u.user_id and p.status = 'paid') >= 500"));
    long derived =
        marketer
            .post("/api/v1/audiences/preview", "{\"audience\": \"derived\", \"limit\": 0}")
            .json()
            .get("count")
            .asLong();
    assertThat(derived + base).isEqualTo(2000);

    ApiClient.Response cycle =
        marketer.put(
            "/api/v1/audiences/base",
            "{\"name\": \"Base\", \"definition\": {\"parent\": \"users\", \"filter\": {\"type\": \"audience\", \"audience\": \"derived\", \"op\": \"member\"}}}");
    assertThat(cycle.status()).isEqualTo(400);
    assertThat(cycle.body()).contains("cycle");

    ApiClient.Response refused = marketer.delete("/api/v1/audiences/base");
    assertThat(refused.status()).isEqualTo(409);
    assertThat(refused.body()).contains("derived");
    assertThat(marketer.delete("/api/v1/templates/big-spender").status()).isEqualTo(409);
    assertThat(marketer.delete("/api/v1/audiences/derived").status()).isEqualTo(204);
    assertThat(marketer.delete("/api/v1/audiences/base").status()).isEqualTo(204);
    assertThat(marketer.delete("/api/v1/templates/big-spender").status()).isEqualTo(204);
  }

  @Test
  void badInputIs400WithThePath() {
    ApiClient.Response r =
        marketer.post(
            "/api/v1/audiences/preview",
            "{\"definition\": {\"parent\": \"users\", \"filter\": {\"type\": \"property\", \"column\": \"contry\", \"op\": \"eq\", \"value\": 1}}}");
    assertThat(r.status()).isEqualTo(400);
    assertThat(r.raw().headers().firstValue("Content-Type")).hasValue("application/problem+json");
    assertThat(r.json().at("/errors/0/path").asText()).isEqualTo("$.definition.filter.column");
    assertThat(r.json().at("/errors/0/message").asText()).contains("did you mean \"country\"");

    assertThat(
            marketer
                .post(
                    "/api/v1/audiences/preview",
                    "{\"definition\": {\"parent\": \"users\"}, \"extra\": 1}")
                .json()
                .at("/errors/0/path")
                .asText())
        .isEqualTo("$.extra");
    assertThat(
            marketer
                .post(
                    "/api/v1/audiences/preview",
                    "{\"definition\": {\"parent\": \"users\", \"filter\": {\"type\": \"property\", \"column\": \"email\", \"op\": \"contains\", \"value\": \"a\\u0000b\"}}}")
                .status())
        .isEqualTo(400);
    assertThat(marketer.post("/api/v1/audiences/preview", "{}").status()).isEqualTo(400);
    // a null column name was a bare 500 (NullPointerException in the engine)
    ApiClient.Response nullColumn =
        marketer.post(
            "/api/v1/audiences/preview",
            "{\"definition\": {\"parent\": \"users\"}, \"columns\": [\"country\", null]}");
    assertThat(nullColumn.status()).isEqualTo(400);
    assertThat(nullColumn.raw().headers().firstValue("Content-Type"))
        .hasValue("application/problem+json");
    assertThat(nullColumn.json().at("/errors/0/path").asText()).isEqualTo("$.columns[1]");
    assertThat(marketer.post("/api/v1/audiences/preview", "{\"audience\": \"nope\"}").status())
        .isEqualTo(400);
    assertThat(
            marketer
                .post(
                    "/api/v1/audiences",
                    "{\"key\": \"Bad Key\", \"name\": \"\", \"definition\": {\"parent\": \"users\"}}")
                .json()
                .get("errors"))
        .extracting(e -> e.get("path").asText())
        .containsExactlyInAnyOrder("$.key", "$.name");
    assertThat(marketer.get("/api/v1/audiences/nope").status()).isEqualTo(404);
  }

  @Test
  void schemaIsReadByAllAndReplacedByAdminsOnlyAfterValidation() {
    JsonNode schema = marketer.get("/api/v1/schema").json();
    assertThat(schema.get("models")).hasSize(5);
    assertThat(marketer.put("/api/v1/schema", schema.toString()).status()).isEqualTo(403);

    String broken =
        schema.toString().replace("\"product_id\",\"product_id\"", "\"product_id\",\"productid\"");
    ApiClient.Response r = admin.put("/api/v1/schema", broken);
    assertThat(r.status()).as(r.body()).isEqualTo(400);
    assertThat(r.json().at("/errors/0/path").asText()).isEqualTo("$.relationships[1].on[0][1]");
    assertThat(r.json().at("/errors/0/message").asText()).contains("did you mean \"product_id\"");
    assertThat(admin.put("/api/v1/schema", schema.toString()).status()).isEqualTo(200);

    JsonNode columns = marketer.get("/api/v1/schema/models/users/columns").json();
    assertThat(columns)
        .anySatisfy(
            c -> {
              assertThat(c.get("name").asText()).isEqualTo("signup_at");
              assertThat(c.get("type").asText()).isEqualTo("timestamp");
            });
    JsonNode values =
        marketer.get("/api/v1/schema/models/events/values?column=event_type&limit=3").json();
    assertThat(values).hasSize(3);
    assertThat(values.get(0).get("value").asText()).isEqualTo("page_view");
    assertThat(marketer.get("/api/v1/schema/models/nope/columns").status()).isEqualTo(404);
  }
}
