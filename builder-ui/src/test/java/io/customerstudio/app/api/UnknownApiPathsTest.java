package io.customerstudio.app.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.customerstudio.app.ApiClient;
import io.customerstudio.app.AppTestSupport;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.web.server.LocalServerPort;

/**
 * A path no endpoint serves is a 404 and a wrong method a 405, both problem+json, never the UI's
 * page with a 200; with Basic and with a bearer token alike.
 */
class UnknownApiPathsTest extends AppTestSupport {

  @LocalServerPort int port;
  final HttpClient http = HttpClient.newHttpClient();
  final ObjectMapper json = new ObjectMapper();

  HttpResponse<String> send(String method, String path, String authorization, String body)
      throws Exception {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create("http://localhost:" + port + path))
            .method(
                method,
                body == null
                    ? HttpRequest.BodyPublishers.noBody()
                    : HttpRequest.BodyPublishers.ofString(body));
    if (authorization != null) {
      b.header("Authorization", authorization);
    }
    if (body != null) {
      b.header("Content-Type", "application/json");
    }
    return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  String basic() {
    return "Basic "
        + java.util.Base64.getEncoder().encodeToString(("admin:" + ADMIN_PASSWORD).getBytes());
  }

  String bearer() {
    JsonNode created =
        new ApiClient(port, "admin", ADMIN_PASSWORD)
            .post("/api/v1/tokens", "{\"name\":\"unknown paths\"}")
            .json();
    return "Bearer " + created.get("token").asText();
  }

  void assertProblem(HttpResponse<String> r, int status) throws Exception {
    assertThat(r.statusCode()).as(r.request().method() + " " + r.uri()).isEqualTo(status);
    assertThat(r.headers().firstValue("Content-Type")).hasValue("application/problem+json");
    JsonNode body = json.readTree(r.body());
    assertThat(body.get("status").asInt()).isEqualTo(status);
    assertThat(body.get("errors").isArray()).isTrue();
  }

  @Test
  void unknownPathsAre404AndWrongMethods405_withBasicAndWithAToken() throws Exception {
    for (String auth : new String[] {basic(), bearer()}) {
      assertProblem(send("PUT", "/api/v1/no-such-thing", auth, "{}"), 404);
      assertProblem(send("GET", "/api/v1/no-such-thing", auth, null), 404);
      assertProblem(send("POST", "/api/v2/audiences", auth, "{}"), 404);
      assertProblem(send("GET", "/api/v1/audiences/preview/extra", auth, null), 404);
      HttpResponse<String> notFound = send("DELETE", "/api/nothing", auth, null);
      assertProblem(notFound, 404);
      assertThat(json.readTree(notFound.body()).get("detail").asText()).contains("/api/nothing");

      HttpResponse<String> wrongMethod = send("DELETE", "/api/v1/status", auth, null);
      assertProblem(wrongMethod, 405);
      assertThat(wrongMethod.headers().firstValue("Allow")).hasValue("GET");
      assertProblem(send("PUT", "/api/v1/insights/overlap", auth, "{}"), 405);
      assertProblem(send("POST", "/api/v1/status", auth, "{}"), 405);
    }
  }

  @Test
  void withoutCredentialsAnUnknownPathIsStill401() throws Exception {
    HttpResponse<String> r = send("PUT", "/api/v1/no-such-thing", null, "{}");
    assertProblem(r, 401);
  }

  @Test
  void aWrongMediaTypeIs415WithThePath() throws Exception {
    HttpResponse<String> r =
        http.send(
            HttpRequest.newBuilder(URI.create("http://localhost:" + port + "/api/v1/users"))
                .header("Authorization", basic())
                .header("Content-Type", "text/csv")
                .POST(HttpRequest.BodyPublishers.ofString("a,b"))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertProblem(r, 415);
    assertThat(json.readTree(r.body()).at("/errors/0/path").asText()).isEqualTo("$");
  }
}
