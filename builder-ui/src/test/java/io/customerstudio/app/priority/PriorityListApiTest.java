package io.customerstudio.app.priority;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.customerstudio.app.ApiClient;
import io.customerstudio.app.AppTestSupport;
import io.customerstudio.infra.store.AudienceStore;
import io.customerstudio.infra.store.AuditStore;
import io.customerstudio.infra.warehouse.Warehouse;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;

/**
 * Priority lists through the API on the demo warehouse: saved and reordered, refused with the JSON
 * path at fault or a 409 naming the list that holds an audience, audited, and previewed with
 * numbers equal to hand-written SQL that picks each member's winner by negations.
 */
class PriorityListApiTest extends AppTestSupport {

  // the demo users as the three audiences below select them (country may be NULL: not German)
  static final String LOYAL = "loyalty_member";
  static final String GERMAN = "coalesce(country = 'DE', false)";
  static final String OPT_IN = "marketing_opt_in";

  @LocalServerPort int port;
  @Autowired Warehouse warehouse;
  @Autowired AudienceStore audienceStore;
  @Autowired AuditStore auditStore;
  ApiClient admin;
  ApiClient marketer;

  @BeforeEach
  void audiences() {
    admin = new ApiClient(port, "admin", ADMIN_PASSWORD);
    if (admin.get("/api/v1/users/priority-marketer").status() == 404) {
      admin.post(
          "/api/v1/users",
          "{\"username\": \"priority-marketer\", \"role\": \"MARKETER\", \"password\": \"priority-password\"}");
    }
    marketer = new ApiClient(port, "priority-marketer", "priority-password");
    audience(
        "pl-loyal",
        "{\"type\": \"property\", \"column\": \"loyalty_member\", \"op\": \"is_true\"}");
    audience(
        "pl-de",
        "{\"type\": \"property\", \"column\": \"country\", \"op\": \"eq\", \"value\": \"DE\"}");
    audience(
        "pl-optin",
        "{\"type\": \"property\", \"column\": \"marketing_opt_in\", \"op\": \"is_true\"}");
  }

  void audience(String key, String filter) {
    if (marketer.get("/api/v1/audiences/" + key).status() == 404) {
      ApiClient.Response r =
          marketer.post(
              "/api/v1/audiences",
              "{\"key\": \""
                  + key
                  + "\", \"name\": \""
                  + key
                  + "\", \"definition\": {\"parent\": \"users\", \"filter\": "
                  + filter
                  + "}}");
      assertThat(r.status()).as(r.body()).isEqualTo(201);
    }
  }

  long users(String where) {
    return warehouse
        .dsl()
        .fetchOne("select count(*) from demo.users where " + where)
        .get(0, Long.class);
  }

  static String list(String key, String name, String... audiences) {
    return "{\"key\": \""
        + key
        + "\", \"name\": \""
        + name
        + "\", \"audiences\": [\""
        + String.join("\", \"", audiences)
        + "\"]}";
  }

  static List<String> texts(JsonNode array) {
    List<String> out = new ArrayList<>();
    array.forEach(x -> out.add(x.asText()));
    return out;
  }

  @Test
  void createReorderPreviewAndAudit() {
    ApiClient.Response created =
        marketer.post(
            "/api/v1/priority-lists", list("pl-q4", "Q4 offers", "pl-loyal", "pl-de", "pl-optin"));
    assertThat(created.status()).as(created.body()).isEqualTo(201);
    assertThat(created.json().get("parent").asText()).isEqualTo("users");
    assertThat(texts(created.json().get("audiences")))
        .containsExactly("pl-loyal", "pl-de", "pl-optin");
    assertThat(created.json().get("createdBy").asText()).isEqualTo("priority-marketer");
    assertThat(marketer.get("/api/v1/priority-lists").json().findValuesAsText("key"))
        .contains("pl-q4");

    JsonNode preview = marketer.get("/api/v1/priority-lists/pl-q4/preview").json();
    assertThat(preview.get("list").asText()).isEqualTo("pl-q4");
    JsonNode loyal = preview.at("/audiences/0");
    assertThat(loyal.get("audience").asText()).isEqualTo("pl-loyal");
    assertThat(loyal.get("members").asLong()).isEqualTo(users(LOYAL)).isPositive();
    assertThat(loyal.get("kept").asLong()).isEqualTo(users(LOYAL));
    assertThat(loyal.get("lostTo")).isEmpty();

    JsonNode de = preview.at("/audiences/1");
    assertThat(de.get("members").asLong()).isEqualTo(users(GERMAN));
    assertThat(de.get("kept").asLong()).isEqualTo(users(GERMAN + " and not " + LOYAL));
    assertThat(de.at("/lostTo/0/audience").asText()).isEqualTo("pl-loyal");
    assertThat(de.at("/lostTo/0/members").asLong())
        .isEqualTo(users(GERMAN + " and " + LOYAL))
        .isPositive();

    JsonNode optIn = preview.at("/audiences/2");
    assertThat(optIn.get("members").asLong()).isEqualTo(users(OPT_IN));
    assertThat(optIn.get("kept").asLong())
        .isEqualTo(users(OPT_IN + " and not " + LOYAL + " and not " + GERMAN));
    assertThat(optIn.get("lostTo")).hasSize(2);
    assertThat(optIn.at("/lostTo/0/members").asLong()).isEqualTo(users(OPT_IN + " and " + LOYAL));
    assertThat(optIn.at("/lostTo/1/audience").asText()).isEqualTo("pl-de");
    assertThat(optIn.at("/lostTo/1/members").asLong())
        .isEqualTo(users(OPT_IN + " and " + GERMAN + " and not " + LOYAL))
        .isPositive();

    // reordered: Germans first, and the loyal non-Germans are all the loyal list keeps
    ApiClient.Response updated =
        marketer.put(
            "/api/v1/priority-lists/pl-q4",
            "{\"name\": \"Q4\", \"audiences\": [\"pl-de\", \"pl-loyal\"]}");
    assertThat(updated.status()).as(updated.body()).isEqualTo(200);
    assertThat(texts(updated.json().get("audiences"))).containsExactly("pl-de", "pl-loyal");
    JsonNode after = marketer.get("/api/v1/priority-lists/pl-q4/preview").json();
    assertThat(after.at("/audiences/1/kept").asLong())
        .isEqualTo(users(LOYAL + " and not " + GERMAN));
    assertThat(after.get("audiences")).hasSize(2);
    // the audience taken out of the list is free for another one
    assertThat(
            marketer
                .post("/api/v1/priority-lists", list("pl-spring", "Spring", "pl-optin"))
                .status())
        .isEqualTo(201);
    assertThat(marketer.delete("/api/v1/priority-lists/pl-spring").status()).isEqualTo(204);

    List<AuditStore.Entry> audit =
        auditStore.list(
            new AuditStore.Query("priority_list", "pl-q4", null, null, null, 0, 100, false));
    assertThat(audit).extracting(AuditStore.Entry::action).containsExactly("create", "update");
    assertThat(audit.get(1).before()).contains("\"pl-optin\"");
    assertThat(audit.get(1).after()).doesNotContain("pl-optin").contains("\"Q4\"");
    assertThat(audit.get(1).actor()).isEqualTo("priority-marketer");

    assertThat(marketer.delete("/api/v1/priority-lists/pl-q4").status()).isEqualTo(204);
    assertThat(marketer.get("/api/v1/priority-lists/pl-q4").status()).isEqualTo(404);
    assertThat(
            auditStore.list(
                new AuditStore.Query("priority_list", "pl-q4", null, null, null, 0, 100, false)))
        .extracting(AuditStore.Entry::action)
        .containsExactly("create", "update", "delete");
  }

  @Test
  void anAudienceIsInAtMostOneListAndCannotBeDeletedWhileListed() {
    assertThat(
            marketer
                .post("/api/v1/priority-lists", list("pl-first", "First", "pl-loyal", "pl-de"))
                .status())
        .isEqualTo(201);
    try {
      ApiClient.Response second =
          marketer.post("/api/v1/priority-lists", list("pl-second", "Second", "pl-optin", "pl-de"));
      assertThat(second.status()).isEqualTo(409);
      assertThat(second.raw().headers().firstValue("content-type"))
          .hasValueSatisfying(t -> assertThat(t).startsWith("application/problem+json"));
      assertThat(second.json().get("detail").asText()).contains("'pl-de'").contains("'pl-first'");
      assertThat(marketer.get("/api/v1/priority-lists/pl-second").status()).isEqualTo(404);

      ApiClient.Response taken =
          marketer.post("/api/v1/priority-lists", list("pl-first", "Again", "pl-optin"));
      assertThat(taken.status()).isEqualTo(409);

      ApiClient.Response deleting = marketer.delete("/api/v1/audiences/pl-de");
      assertThat(deleting.status()).isEqualTo(409);
      assertThat(deleting.json().get("detail").asText()).contains("priority list 'pl-first'");
      assertThat(marketer.get("/api/v1/audiences/pl-de").status()).isEqualTo(200);
    } finally {
      assertThat(marketer.delete("/api/v1/priority-lists/pl-first").status()).isEqualTo(204);
    }
    // once the list is gone, the audience may go
    audience(
        "pl-gone",
        "{\"type\": \"property\", \"column\": \"city\", \"op\": \"eq\", \"value\": \"Berlin\"}");
    marketer.post("/api/v1/priority-lists", list("pl-short", "Short", "pl-gone"));
    assertThat(marketer.delete("/api/v1/audiences/pl-gone").status()).isEqualTo(409);
    marketer.delete("/api/v1/priority-lists/pl-short");
    assertThat(marketer.delete("/api/v1/audiences/pl-gone").status()).isEqualTo(204);
  }

  @Test
  void badRequestsNameTheirPaths() {
    assertErrors(
        marketer.post("/api/v1/priority-lists", "{\"key\": \"Bad Key\", \"audiences\": []}"),
        "$.key",
        "$.name",
        "$.audiences");
    assertErrors(
        marketer.post(
            "/api/v1/priority-lists", list("pl-bad", "Bad", "pl-loyal", "pl-nope", "pl-loyal")),
        "$.audiences[1]",
        "$.audiences[2]");
    ApiClient.Response unknown =
        marketer.post("/api/v1/priority-lists", list("pl-bad", "Bad", "pl-loyl"));
    assertThat(unknown.json().at("/errors/0/message").asText())
        .contains("did you mean \"pl-loyal\"");
    assertErrors(
        marketer.post(
            "/api/v1/priority-lists",
            "{\"key\": \"pl-bad\", \"name\": \"B\", \"audiences\": [1, {}]}"),
        "$.audiences[1]");
    assertErrors(
        marketer.put(
            "/api/v1/priority-lists/pl-none", "{\"name\": \"\", \"audiences\": [\"pl-de\"]}"),
        404);
    assertThat(marketer.get("/api/v1/priority-lists/pl-none/preview").status()).isEqualTo(404);
    assertThat(new ApiClient(port, "admin", "wrong").get("/api/v1/priority-lists").status())
        .isEqualTo(401);
  }

  @Test
  void audiencesOfAnotherParentAreRefusedAtTheirPath() {
    // the demo schema has one parent model; an audience saved over another one (as under a schema
    // that had it) is what the check is for
    audienceStore.create(
        "pl-accounts",
        new AudienceStore.Draft("Accounts", null, "accounts", "{\"parent\": \"accounts\"}"),
        "admin");
    try {
      ApiClient.Response r =
          marketer.post(
              "/api/v1/priority-lists", list("pl-mixed", "Mixed", "pl-loyal", "pl-accounts"));
      assertErrors(r, "$.audiences[1]");
      assertThat(r.json().at("/errors/0/message").asText())
          .contains("is over accounts; the list is over users");
    } finally {
      audienceStore.delete("pl-accounts");
    }
  }

  static void assertErrors(ApiClient.Response r, String... paths) {
    assertThat(r.status()).as(r.body()).isEqualTo(400);
    assertThat(r.json().get("errors").findValuesAsText("path")).containsExactlyInAnyOrder(paths);
  }

  static void assertErrors(ApiClient.Response r, int status) {
    assertThat(r.status()).as(r.body()).isEqualTo(status);
    assertThat(r.json().get("errors").isArray()).isTrue();
  }
}
