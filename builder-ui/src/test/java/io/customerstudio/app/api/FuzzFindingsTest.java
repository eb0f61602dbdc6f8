package io.customerstudio.app.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.customerstudio.app.ApiClient;
import io.customerstudio.app.AppTestSupport;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.web.server.LocalServerPort;

/**
 * What {@link ApiFuzzTest} found, each once, by name: every one was a 500 or a bare status before
 * and is now a 400 problem+json that names its path.
 */
class FuzzFindingsTest extends AppTestSupport {

  @LocalServerPort int port;

  ApiClient admin() {
    return new ApiClient(port, "admin", ADMIN_PASSWORD);
  }

  static void refused(ApiClient.Response r, String path) {
    assertThat(r.status()).as(r.body()).isEqualTo(400);
    assertThat(r.raw().headers().firstValue("Content-Type")).hasValue("application/problem+json");
    assertThat(r.json().get("errors")).extracting(e -> e.get("path").asText()).contains(path);
  }

  @Test
  void aNumberBeyondADoublesRangeIsRefusedWhereItStands() {
    refused(
        admin()
            .post(
                "/api/v1/audiences/preview",
                "{\"definition\": {\"parent\": \"users\", \"filter\": {\"type\": \"trait\","
                    + " \"trait\": \"lifetime_value\", \"op\": \"gt\", \"value\": 1e400}}}"),
        "$.definition.filter.value");
  }

  @Test
  void anImportWithANullSchemaOrListsThatAreNotListsIsRefused() {
    refused(admin().post("/api/v1/import", "{\"schema\": null}"), "$.schema");
    refused(admin().post("/api/v1/import", "{\"audiences\": {\"a\": 1}}"), "$.audiences");
    refused(admin().post("/api/v1/import", "{\"templates\": [1]}"), "$.templates[0]");
  }

  @Test
  void aPasswordBcryptCannotTakeIsRefused() {
    refused(
        admin()
            .post(
                "/api/v1/users",
                "{\"username\": \"long-pw\", \"role\": \"MARKETER\", \"password\": \""
                    + "ü".repeat(40)
                    + "\"}"),
        "$.password");
  }

  @Test
  void aNulByteInAKeyLookedUpInTheAppStoreIsRefused() {
    refused(
        admin().post("/api/v1/insights/overlap", "{\"audiences\": [\"a\\u0000b\", \"c\"]}"), "$");
  }

  @Test
  void aUrlTheFirewallRefusesIsProblemJsonToo() {
    ApiClient.Response r = admin().get("/api/v1/audiences/a%25b");
    assertThat(r.status()).isEqualTo(400);
    assertThat(r.raw().headers().firstValue("Content-Type")).hasValue("application/problem+json");
    assertThat(r.json().get("detail").asText()).contains("refused");
  }
}
