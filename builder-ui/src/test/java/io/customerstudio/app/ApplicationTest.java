package io.customerstudio.app;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.customerstudio.infra.warehouse.Warehouse;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import org.jooq.DSLContext;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;

/** The app boots on its defaults, migrates, generates demo data, and guards every door. */
class ApplicationTest extends AppTestSupport {

  @LocalServerPort int port;
  @Autowired DSLContext appStore;
  @Autowired Warehouse warehouse;
  final HttpClient http =
      HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).build();
  final ObjectMapper json = new ObjectMapper();

  @Test
  void migrationsApply() {
    assertThat(
            appStore.fetchValue(
                "select count(*) from flyway_schema_history where success and version = '1'"))
        .isEqualTo(1L);
    assertThat(appStore.fetchValue("select count(*) from app_user where username = 'admin'"))
        .isEqualTo(1L);
  }

  @Test
  void apiWithoutCredentialsIs401AsProblemJson() throws Exception {
    HttpResponse<String> r = get("/api/v1/status", null);
    assertThat(r.statusCode()).isEqualTo(401);
    assertThat(r.headers().firstValue("Content-Type")).hasValue("application/problem+json");
    assertThat(r.headers().allValues("WWW-Authenticate")).anyMatch(h -> h.startsWith("Basic"));
    assertThat(get("/api/v1/status", "Bearer cs_not-a-real-token").statusCode()).isEqualTo(401);
    assertThat(get("/api/v1/status", basic("admin", "wrong")).statusCode()).isEqualTo(401);
  }

  @Test
  void apiWithBasicOrTokenIs200_andARevokedTokenIs401() throws Exception {
    assertThat(get("/api/v1/status", basic("admin", ADMIN_PASSWORD)).statusCode()).isEqualTo(200);

    HttpResponse<String> created =
        send("POST", "/api/v1/tokens", basic("admin", ADMIN_PASSWORD), "{\"name\":\"test token\"}");
    assertThat(created.statusCode()).isEqualTo(201);
    JsonNode body = json.readTree(created.body());
    String token = body.get("token").asText();
    assertThat(token).startsWith("cs_");
    assertThat(get("/api/v1/status", "Bearer " + token).statusCode()).isEqualTo(200);
    // stored as a digest, never in the clear
    assertThat(appStore.fetchValue("select count(*) from api_token where token_hash = {0}", token))
        .isEqualTo(0L);

    long id = body.get("info").get("id").asLong();
    assertThat(
            send("DELETE", "/api/v1/tokens/" + id, basic("admin", ADMIN_PASSWORD), null)
                .statusCode())
        .isEqualTo(204);
    assertThat(get("/api/v1/status", "Bearer " + token).statusCode()).isEqualTo(401);
  }

  @Test
  void pagesRedirectToLogin_healthIsOpen_metricsAreNot() throws Exception {
    HttpResponse<String> page = get("/", null);
    assertThat(page.statusCode()).isEqualTo(302);
    assertThat(page.headers().firstValue("Location"))
        .hasValueSatisfying(l -> assertThat(l).endsWith("/login"));
    assertThat(get("/login", null).statusCode()).isEqualTo(200);
    assertThat(get("/actuator/health", null).statusCode()).isEqualTo(200);
    assertThat(get("/actuator/prometheus", null).statusCode()).isEqualTo(401);
    HttpResponse<String> prometheus = get("/actuator/prometheus", basic("admin", ADMIN_PASSWORD));
    assertThat(prometheus.statusCode()).isEqualTo(200);
    assertThat(prometheus.body()).contains("jvm_memory_used_bytes");
    assertThat(get("/v3/api-docs", basic("admin", ADMIN_PASSWORD)).body())
        .contains("/api/v1/status");
  }

  @Test
  void healthCoversAppStoreWarehouseAndTemporal() throws Exception {
    JsonNode health = json.readTree(get("/actuator/health", basic("admin", ADMIN_PASSWORD)).body());
    assertThat(health.get("status").asText()).isEqualTo("UP");
    assertThat(health.at("/components/db/status").asText()).isEqualTo("UP");
    assertThat(health.at("/components/warehouse/status").asText()).isEqualTo("UP");
    assertThat(health.at("/components/temporal/status").asText()).isEqualTo("UP");
    assertThat(health.at("/components/temporal/details/worker").asText()).isEqualTo("polling");
  }

  @Test
  void statusReportsLiveDemoFiguresAndAWorkerRoundTrip() throws Exception {
    JsonNode status = json.readTree(get("/api/v1/status", basic("admin", ADMIN_PASSWORD)).body());
    assertThat(status.at("/temporalRoundTrip/ok").asBoolean()).isTrue();
    assertThat(status.at("/demo/rowCounts/users").asLong()).isEqualTo(DEMO_USERS);
    long events =
        warehouse
            .dsl()
            .fetchCount(org.jooq.impl.DSL.table(org.jooq.impl.DSL.name("demo", "events")));
    assertThat(status.at("/demo/rowCounts/events").asLong())
        .isEqualTo(events)
        .isGreaterThan(DEMO_USERS * 5L);
    assertThat(status.at("/workspace/models").asInt()).isEqualTo(5);
    assertThat(status.at("/workspace/traits").asInt()).isGreaterThanOrEqualTo(3);
    for (JsonNode c : status.get("connections")) {
      assertThat(c.get("status").asText()).as(c.get("name").asText()).isEqualTo("UP");
    }
  }

  @Test
  void marketersCannotManageUsersOrTokens() throws Exception {
    HttpResponse<String> created =
        send(
            "POST",
            "/api/v1/users",
            basic("admin", ADMIN_PASSWORD),
            "{\"username\":\"marketer1\",\"role\":\"MARKETER\",\"password\":\"marketer-password\"}");
    assertThat(created.statusCode()).isEqualTo(201);
    assertThat(created.body()).doesNotContain("password");
    String marketer = basic("marketer1", "marketer-password");
    assertThat(get("/api/v1/status", marketer).statusCode()).isEqualTo(200);
    assertThat(get("/api/v1/users", marketer).statusCode()).isEqualTo(403);
    assertThat(send("POST", "/api/v1/tokens", marketer, "{\"name\":\"x\"}").statusCode())
        .isEqualTo(403);
  }

  @Test
  void badInputGets400WithTheJsonPath() throws Exception {
    String admin = basic("admin", ADMIN_PASSWORD);
    HttpResponse<String> unknown =
        send(
            "POST",
            "/api/v1/users",
            admin,
            "{\"username\":\"x1\",\"role\":\"MARKETER\",\"password\":\"0123456789\",\"extra\":1}");
    assertThat(unknown.statusCode()).isEqualTo(400);
    assertThat(json.readTree(unknown.body()).at("/errors/0/path").asText()).isEqualTo("$.extra");

    HttpResponse<String> badEnum =
        send(
            "POST",
            "/api/v1/users",
            admin,
            "{\"username\":\"x1\",\"role\":\"BOSS\",\"password\":\"0123456789\"}");
    assertThat(badEnum.statusCode()).isEqualTo(400);
    assertThat(json.readTree(badEnum.body()).at("/errors/0/path").asText()).isEqualTo("$.role");
    assertThat(json.readTree(badEnum.body()).at("/errors/0/message").asText())
        .contains("ADMIN", "MARKETER");

    HttpResponse<String> malformed = send("POST", "/api/v1/users", admin, "{\"username\": ");
    assertThat(malformed.statusCode()).isEqualTo(400);
    assertThat(malformed.headers().firstValue("Content-Type")).hasValue("application/problem+json");

    HttpResponse<String> invalid =
        send(
            "POST",
            "/api/v1/users",
            admin,
            "{\"username\":\"Not Valid\",\"role\":\"MARKETER\",\"password\":\"short\"}");
    assertThat(invalid.statusCode()).isEqualTo(400);
    JsonNode errors = json.readTree(invalid.body()).get("errors");
    assertThat(errors.findValuesAsText("path"))
        .containsExactlyInAnyOrder("$.username", "$.password");

    assertThat(send("DELETE", "/api/v1/users/nobody", admin, null).statusCode()).isEqualTo(404);
  }

  @Test
  void theLastAdminCannotBeDemoted() throws Exception {
    HttpResponse<String> r =
        send(
            "PUT",
            "/api/v1/users/admin",
            basic("admin", ADMIN_PASSWORD),
            "{\"role\":\"MARKETER\"}");
    assertThat(r.statusCode()).isEqualTo(409);
    assertThat(r.body()).contains("last enabled admin");
  }

  private HttpResponse<String> get(String path, String authorization) throws Exception {
    return send("GET", path, authorization, null);
  }

  private HttpResponse<String> send(String method, String path, String authorization, String body)
      throws Exception {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create("http://localhost:" + port + path))
            .method(
                method,
                body == null
                    ? HttpRequest.BodyPublishers.noBody()
                    : HttpRequest.BodyPublishers.ofString(body));
    if (body != null) {
      b.header("Content-Type", "application/json");
    }
    if (authorization != null) {
      b.header("Authorization", authorization);
    }
    return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  static String basic(String user, String password) {
    return "Basic "
        + Base64.getEncoder()
            .encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
  }
}
