package io.customerstudio.app.subsets;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.customerstudio.app.ApiClient;
import io.customerstudio.app.AppTestSupport;
import io.customerstudio.infra.store.AuditStore;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;

/**
 * The subset-categories API and the subsets of users, syncs and destinations: shapes, validation
 * with JSON paths, admin-only writes, 409s that name who requires a category, and audit entries.
 */
class SubsetApiTest extends AppTestSupport {

  static final String DE =
      "{\"type\": \"property\", \"column\": \"country\", \"op\": \"eq\", \"value\": \"DE\"}";

  @LocalServerPort int port;
  @Autowired AuditStore auditStore;
  ApiClient admin;

  @BeforeEach
  void clients() {
    admin = new ApiClient(port, "admin", ADMIN_PASSWORD);
  }

  static String category(String key, String subsets) {
    return "{\"key\": \""
        + key
        + "\", \"name\": \"Region\", \"parent\": \"users\", \"subsets\": "
        + subsets
        + "}";
  }

  static List<String> paths(ApiClient.Response r) {
    assertThat(r.status()).as(r.body()).isEqualTo(400);
    assertThat(r.raw().headers().firstValue("content-type").orElse(""))
        .startsWith("application/problem+json");
    return r.json().path("errors").findValuesAsText("path");
  }

  @Test
  void aCategoryRoundTripsAndIsAudited() {
    ApiClient.Response created =
        admin.post(
            "/api/v1/subset-categories",
            category(
                "sa-region",
                "[{\"key\": \"de\", \"name\": \"Germany\", \"condition\": " + DE + "}]"));
    assertThat(created.status()).as(created.body()).isEqualTo(201);
    JsonNode c = admin.get("/api/v1/subset-categories/sa-region").json();
    assertThat(c.path("parent").asText()).isEqualTo("users");
    assertThat(c.at("/subsets/0/condition/value").asText()).isEqualTo("DE");
    assertThat(c.path("createdBy").asText()).isEqualTo("admin");
    assertThat(admin.get("/api/v1/subset-categories").json().findValuesAsText("key"))
        .contains("sa-region");

    ApiClient.Response updated =
        admin.put(
            "/api/v1/subset-categories/sa-region",
            "{\"name\": \"Regions\", \"parent\": \"users\", \"subsets\": [{\"key\": \"de\","
                + " \"name\": \"Germany\", \"condition\": "
                + DE
                + "}, {\"key\": \"fr\", \"name\": \"France\", \"condition\": {\"type\":"
                + " \"property\", \"column\": \"country\", \"op\": \"eq\", \"value\": \"FR\"}}]}");
    assertThat(updated.status()).as(updated.body()).isEqualTo(200);
    assertThat(updated.json().path("subsets")).hasSize(2);

    List<AuditStore.Entry> entries =
        auditStore.list(
            new AuditStore.Query("subset_category", "sa-region", null, null, null, 0, 10, false));
    assertThat(entries).extracting(AuditStore.Entry::action).contains("create", "update");
    assertThat(admin.delete("/api/v1/subset-categories/sa-region").status()).isEqualTo(204);
    assertThat(admin.get("/api/v1/subset-categories/sa-region").status()).isEqualTo(404);
  }

  @Test
  void badCategoriesAreRefusedWithPaths() {
    assertThat(
            paths(
                admin.post(
                    "/api/v1/subset-categories",
                    "{\"key\": \"Bad Key\", \"name\": \"\", \"parent\": \"purchases\","
                        + " \"subsets\": []}")))
        .contains("$.key", "$.name", "$.parent", "$.subsets");
    assertThat(
            paths(
                admin.post(
                    "/api/v1/subset-categories",
                    category(
                        "sa-bad",
                        "[{\"key\": \"a\", \"name\": \"A\", \"condition\": "
                            + DE
                            + "}, {\"key\": \"a\", \"name\": \"A again\", \"condition\":"
                            + " {\"type\": \"and\", \"conditions\": [{\"type\": \"property\","
                            + " \"column\": \"no_such_column\", \"op\": \"eq\", \"value\": 1}]}}]"))))
        .contains("$.subsets[1].key", "$.subsets[1].condition.conditions[0].column");
  }

  @Test
  void usersSyncsAndDestinationsCarrySubsetsAndADeleteInUseIsRefusedNamingThem() {
    admin.post(
        "/api/v1/subset-categories",
        category(
            "sa-use", "[{\"key\": \"de\", \"name\": \"Germany\", \"condition\": " + DE + "}]"));
    ApiClient.Response user =
        admin.post(
            "/api/v1/users",
            "{\"username\": \"sa-mia\", \"role\": \"MARKETER\", \"password\": \"sa-mia-password\","
                + " \"subsets\": {\"sa-use\": [\"de\"]}}");
    assertThat(user.status()).as(user.body()).isEqualTo(201);
    assertThat(user.json().at("/subsets/sa-use/0").asText()).isEqualTo("de");

    assertThat(
            paths(
                admin.put(
                    "/api/v1/users/sa-mia",
                    "{\"subsets\": {\"sa-use\": [\"xx\"], \"nope\": [\"de\"]}}")))
        .contains("$.subsets.sa-use[0]", "$.subsets.nope");
    assertThat(
            paths(
                admin.post(
                    "/api/v1/users",
                    "{\"username\": \"sa-boss\", \"role\": \"ADMIN\", \"password\":"
                        + " \"sa-boss-password\", \"subsets\": {\"sa-use\": [\"de\"]}}")))
        .containsExactly("$.subsets");
    assertThat(paths(admin.put("/api/v1/users/sa-mia", "{\"role\": \"ADMIN\"}")))
        .containsExactly("$.subsets");

    ApiClient.Response destination =
        admin.post(
            "/api/v1/destinations",
            "{\"key\": \"sa-dest\", \"name\": \"F\", \"type\": \"file\", \"config\":"
                + " {\"directory\": \"sa\", \"format\": \"csv\"}, \"subsets\": {\"sa-use\": [\"de\"]}}");
    assertThat(destination.status()).as(destination.body()).isEqualTo(201);
    assertThat(admin.get("/api/v1/destinations/sa-dest").json().at("/subsets/sa-use/0").asText())
        .isEqualTo("de");
    assertThat(
            paths(
                admin.post(
                    "/api/v1/destinations",
                    "{\"key\": \"sa-dest2\", \"name\": \"F\", \"type\": \"file\", \"config\":"
                        + " {\"directory\": \"sa\", \"format\": \"csv\"}, \"subsets\": {\"sa-use\":"
                        + " []}}")))
        .contains("$.subsets.sa-use");

    ApiClient.Response conflict = admin.delete("/api/v1/subset-categories/sa-use");
    assertThat(conflict.status()).isEqualTo(409);
    assertThat(conflict.body())
        .contains("user \\\"sa-mia\\\"")
        .contains("destination \\\"sa-dest\\\"");
    ApiClient.Response removing =
        admin.put(
            "/api/v1/subset-categories/sa-use",
            "{\"name\": \"R\", \"parent\": \"users\", \"subsets\": [{\"key\": \"fr\", \"name\":"
                + " \"F\", \"condition\": "
                + DE
                + "}]}");
    assertThat(removing.status()).isEqualTo(409);

    ApiClient.Response lifted = admin.put("/api/v1/users/sa-mia", "{\"subsets\": {}}");
    assertThat(lifted.json().path("subsets").isNull()).isTrue();
    admin.put(
        "/api/v1/destinations/sa-dest",
        "{\"name\": \"F\", \"type\": \"file\", \"config\": {\"directory\": \"sa\", \"format\":"
            + " \"csv\"}, \"subsets\": {}}");
    assertThat(admin.delete("/api/v1/subset-categories/sa-use").status()).isEqualTo(204);
  }

  @Test
  void marketersReadButDoNotWriteCategories() {
    admin.post(
        "/api/v1/users",
        "{\"username\": \"sa-reader\", \"role\": \"MARKETER\", \"password\": \"sa-reader-password\"}");
    ApiClient marketer = new ApiClient(port, "sa-reader", "sa-reader-password");
    assertThat(marketer.get("/api/v1/subset-categories").status()).isEqualTo(200);
    assertThat(
            marketer
                .post(
                    "/api/v1/subset-categories",
                    category(
                        "sa-x", "[{\"key\": \"de\", \"name\": \"G\", \"condition\": " + DE + "}]"))
                .status())
        .isEqualTo(403);
  }
}
