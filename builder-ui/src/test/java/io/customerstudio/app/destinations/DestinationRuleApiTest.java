package io.customerstudio.app.destinations;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.customerstudio.app.ApiClient;
import io.customerstudio.app.AppTestSupport;
import io.customerstudio.infra.store.DestinationStore;
import io.customerstudio.infra.warehouse.Warehouse;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;

/**
 * Who a destination may receive (governance spec, sections 3 and 5): a rule and consent purposes,
 * validated with paths; the rule's impact on an audience equals a hand-written count; a sync is
 * refused when its destination's rule does not apply to its audience's parent.
 */
class DestinationRuleApiTest extends AppTestSupport {

  static final String RULE =
      "{\"type\": \"property\", \"column\": \"country\", \"op\": \"eq\", \"value\": \"DE\"}";

  @LocalServerPort int port;
  @Autowired Warehouse warehouse;
  @Autowired DestinationStore destinationStore;

  ApiClient admin;

  @BeforeEach
  void audience() {
    admin = new ApiClient(port, "admin", ADMIN_PASSWORD);
    if (admin.get("/api/v1/audiences/rule-opted-in").status() == 404) {
      ApiClient.Response a =
          admin.post(
              "/api/v1/audiences",
              """
              {"key": "rule-opted-in", "name": "Opted in", "definition": {"parent": "users",
               "filter": {"type": "property", "column": "marketing_opt_in", "op": "eq", "value": true}}}""");
      assertThat(a.status()).as(a.body()).isEqualTo(201);
    }
  }

  @Test
  void ruleAndPurposesAreValidatedWithPathsAndShownNormalized() {
    ApiClient.Response bad =
        admin.post(
            "/api/v1/destinations",
            """
            {"key": "rule-bad", "name": "Bad", "type": "webhook",
             "config": {"url": "http://127.0.0.1:9/hook", "signingSecret": "whsec-0123456789abcdef"},
             "rule": {"type": "and", "conditions": [%s,
                      {"type": "property", "column": "shoe_size", "op": "gt", "value": 40}]},
             "consentPurposes": [" Advertising ", "", "advertising"]}"""
                .formatted(RULE));
    assertThat(bad.status()).isEqualTo(400);
    Map<String, String> errors = errors(bad);
    assertThat(errors.keySet())
        .containsExactlyInAnyOrder(
            "$.rule.conditions[1].column", "$.consentPurposes[1]", "$.consentPurposes[2]");
    assertThat(errors.get("$.consentPurposes[2]")).contains("listed twice");
    assertThat(admin.get("/api/v1/destinations/rule-bad").status()).isEqualTo(404);

    ApiClient.Response shape =
        admin.post(
            "/api/v1/destinations",
            """
            {"key": "rule-bad", "name": "Bad", "type": "webhook",
             "config": {"url": "http://127.0.0.1:9/hook", "signingSecret": "whsec-0123456789abcdef"},
             "rule": {"type": "sometimes"}, "consentPurposes": [{"a": 1}]}""");
    assertThat(shape.status()).isEqualTo(400);
    assertThat(errors(shape).keySet()).allMatch(p -> p.startsWith("$.consentPurposes[0]"));
    ApiClient.Response type =
        admin.post(
            "/api/v1/destinations",
            """
            {"key": "rule-bad", "name": "Bad", "type": "webhook",
             "config": {"url": "http://127.0.0.1:9/hook", "signingSecret": "whsec-0123456789abcdef"},
             "rule": {"type": "sometimes"}}""");
    assertThat(errors(type).keySet()).containsExactly("$.rule.type");

    ApiClient.Response ok =
        admin.post(
            "/api/v1/destinations",
            """
            {"key": "rule-ok", "name": "Rule", "type": "webhook",
             "config": {"url": "http://127.0.0.1:9/hook", "signingSecret": "whsec-0123456789abcdef"},
             "rule": %s, "consentPurposes": [" Advertising ", "email_marketing"]}"""
                .formatted(RULE));
    assertThat(ok.status()).as(ok.body()).isEqualTo(201);
    JsonNode view = admin.get("/api/v1/destinations/rule-ok").json();
    assertThat(view.get("rule").get("column").asText()).isEqualTo("country");
    assertThat(view.get("consentPurposes").toString())
        .isEqualTo("[\"advertising\",\"email_marketing\"]");

    // PUT replaces them: left out, they are gone
    ApiClient.Response put =
        admin.put(
            "/api/v1/destinations/rule-ok",
            "{\"name\": \"Rule\", \"type\": \"webhook\", \"config\": {\"url\": \"http://127.0.0.1:9/hook\"}}");
    assertThat(put.status()).as(put.body()).isEqualTo(200);
    assertThat(put.json().get("rule").isNull()).isTrue();
    assertThat(put.json().get("consentPurposes")).isEmpty();
    admin.delete("/api/v1/destinations/rule-ok");
  }

  @Test
  void ruleImpactIsTheAudienceMembersTheRuleKeepsOut() {
    createHook("impact-hook", RULE);
    long members = count("select count(*) from demo.users where marketing_opt_in");
    long excluded =
        count(
            "select count(*) from demo.users"
                + " where marketing_opt_in and not coalesce(country = 'DE', false)");
    JsonNode impact =
        admin.get("/api/v1/destinations/impact-hook/rule-impact?audience=rule-opted-in").json();
    assertThat(impact.get("members").asLong()).isEqualTo(members);
    assertThat(impact.get("excluded").asLong()).isEqualTo(excluded);
    assertThat(excluded).isPositive().isLessThan(members);

    createHook("impact-none", null);
    JsonNode none =
        admin.get("/api/v1/destinations/impact-none/rule-impact?audience=rule-opted-in").json();
    assertThat(none.get("members").asLong()).isEqualTo(members);
    assertThat(none.get("excluded").asLong()).isZero();

    ApiClient.Response missing = admin.get("/api/v1/destinations/impact-hook/rule-impact");
    assertThat(errors(missing).keySet()).containsExactly("audience");
    ApiClient.Response unknown =
        admin.get("/api/v1/destinations/impact-hook/rule-impact?audience=rule-opted");
    assertThat(errors(unknown).get("audience")).contains("did you mean \"rule-opted-in\"");
    assertThat(admin.get("/api/v1/destinations/nope/rule-impact?audience=rule-opted-in").status())
        .isEqualTo(404);
  }

  @Test
  void aSyncIsRefusedWhenItsDestinationsRuleDoesNotApplyToItsParent() {
    createHook("rule-sync-hook", RULE);
    String sync =
        """
        {"key": "rule-sync", "audience": "rule-opted-in", "destination": "rule-sync-hook",
         "mode": "upsert", "mapping": [{"from": "city", "to": "city"}],
         "identifier": {"from": "user_id", "to": "id"}, "schedule": {"type": "manual"}}""";
    ApiClient.Response created = admin.post("/api/v1/syncs", sync);
    assertThat(created.status()).as(created.body()).isEqualTo(201);

    // with a sync delivering there, the rule must compile for its audience's parent
    ApiClient.Response update =
        admin.put(
            "/api/v1/destinations/rule-sync-hook",
            """
            {"name": "Hook", "type": "webhook", "config": {"url": "http://127.0.0.1:9/hook"},
             "rule": {"type": "property", "column": "shoe_size", "op": "gt", "value": 40}}""");
    assertThat(errors(update).keySet()).containsExactly("$.rule.column");
    assertThat(errors(update).get("$.rule.column")).contains("users");

    // a rule that no longer applies (the schema changed under it) refuses the sync's save
    destinationStore.setRuleAndPurposes(
        "rule-sync-hook",
        "{\"type\": \"property\", \"column\": \"shoe_size\", \"op\": \"gt\", \"value\": 40}",
        null);
    ApiClient.Response refused = admin.put("/api/v1/syncs/rule-sync", sync);
    Map<String, String> errors = errors(refused);
    assertThat(errors.keySet()).containsExactly("$.destination");
    assertThat(errors.get("$.destination"))
        .contains("rule of destination rule-sync-hook")
        .contains("$.rule.column")
        .contains("shoe_size");
    assertThat(admin.delete("/api/v1/syncs/rule-sync").status()).isEqualTo(204);
  }

  private void createHook(String key, String rule) {
    if (admin.get("/api/v1/destinations/" + key).status() == 200) {
      return;
    }
    ApiClient.Response r =
        admin.post(
            "/api/v1/destinations",
            """
            {"key": "%s", "name": "Hook", "type": "webhook",
             "config": {"url": "http://127.0.0.1:9/hook", "signingSecret": "whsec-0123456789abcdef"},
             "rule": %s}"""
                .formatted(key, rule));
    assertThat(r.status()).as(r.body()).isEqualTo(201);
  }

  private long count(String sql) {
    return warehouse.dsl().fetchOne(sql).get(0, Long.class);
  }

  static Map<String, String> errors(ApiClient.Response r) {
    assertThat(r.status()).as(r.body()).isEqualTo(400);
    Map<String, String> out = new LinkedHashMap<>();
    for (JsonNode e : r.json().get("errors")) {
      out.put(e.get("path").asText(), e.get("message").asText());
    }
    return out;
  }
}
