package io.customerstudio.app.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.springframework.security.test.web.servlet.request.SecurityMockMvcRequestPostProcessors.csrf;
import static org.springframework.security.test.web.servlet.request.SecurityMockMvcRequestPostProcessors.httpBasic;
import static org.springframework.security.test.web.servlet.setup.SecurityMockMvcConfigurers.springSecurity;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.post;

import io.customerstudio.app.ApiClient;
import io.customerstudio.app.AppTestSupport;
import java.time.Duration;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.mock.web.MockHttpServletResponse;
import org.springframework.test.web.servlet.MockMvc;
import org.springframework.test.web.servlet.request.RequestPostProcessor;
import org.springframework.test.web.servlet.setup.MockMvcBuilders;
import org.springframework.web.context.WebApplicationContext;

/**
 * Failed logins are limited per user and per address, for HTTP Basic and the login form alike, and
 * remembered Basic credentials never outlive a password change or a disabled account. The test
 * context locks for 1 s instead of 30 s; the counts are the defaults.
 */
class LoginLimitsTest extends AppTestSupport {

  @LocalServerPort int port;
  @Autowired WebApplicationContext context;
  MockMvc mvc;
  ApiClient admin;

  @BeforeEach
  void setUp() {
    mvc = MockMvcBuilders.webAppContextSetup(context).apply(springSecurity()).build();
    admin = new ApiClient(port, "admin", ADMIN_PASSWORD);
  }

  void createUser(String username, String password) {
    assertThat(
            admin
                .post(
                    "/api/v1/users",
                    "{\"username\":\"%s\",\"role\":\"MARKETER\",\"password\":\"%s\"}"
                        .formatted(username, password))
                .status())
        .isEqualTo(201);
  }

  @Test
  void theSixthWrongPasswordIs429WithRetryAfter_andAGoodLoginWorksAfterTheLock() {
    createUser("limit-basic", "limit-basic-pw");
    ApiClient wrong = new ApiClient(port, "limit-basic", "not-the-password");
    for (int i = 1; i <= 5; i++) {
      assertThat(wrong.get("/api/v1/status").status()).as("failure " + i).isEqualTo(401);
    }
    ApiClient.Response sixth = wrong.get("/api/v1/status");
    assertThat(sixth.status()).isEqualTo(429);
    assertThat(sixth.raw().headers().firstValue("Retry-After")).hasValue("1");
    assertThat(sixth.raw().headers().firstValue("Content-Type"))
        .hasValue("application/problem+json");
    assertThat(sixth.json().get("title").asText()).isEqualTo("Too many failed logins");
    assertThat(sixth.json().get("errors")).isEmpty();

    ApiClient right = new ApiClient(port, "limit-basic", "limit-basic-pw");
    // while locked even the right password is refused unchecked; afterwards it works
    Awaitility.await()
        .atMost(Duration.ofSeconds(10))
        .pollInterval(Duration.ofMillis(200))
        .until(() -> right.get("/api/v1/status").status() == 200);

    // the success reset the count: one more failure does not lock again (a sixth would)
    assertThat(wrong.get("/api/v1/status").status()).isEqualTo(401);
    assertThat(right.get("/api/v1/status").status()).isEqualTo(200);
  }

  @Test
  void twentyFailuresFromOneAddressLockThatAddressOnly() throws Exception {
    RequestPostProcessor from =
        r -> {
          r.setRemoteAddr("192.0.2.44");
          return r;
        };
    for (int i = 0; i < 20; i++) {
      int status =
          mvc.perform(get("/api/v1/status").with(httpBasic("guess-" + i, "x")).with(from))
              .andReturn()
              .getResponse()
              .getStatus();
      assertThat(status).isEqualTo(401);
    }
    MockHttpServletResponse locked =
        mvc.perform(get("/api/v1/status").with(httpBasic("admin", ADMIN_PASSWORD)).with(from))
            .andReturn()
            .getResponse();
    assertThat(locked.getStatus()).isEqualTo(429);
    assertThat(locked.getHeader("Retry-After")).isEqualTo("1");
    assertThat(admin.get("/api/v1/status").status()).as("another address").isEqualTo(200);
  }

  @Test
  void theLoginFormSaysSoInsteadOfA429() throws Exception {
    createUser("limit-form", "limit-form-pw");
    RequestPostProcessor from =
        r -> {
          r.setRemoteAddr("192.0.2.45");
          return r;
        };
    for (int i = 0; i < 5; i++) {
      MockHttpServletResponse r =
          mvc.perform(
                  post("/login")
                      .param("username", "limit-form")
                      .param("password", "wrong")
                      .with(csrf())
                      .with(from))
              .andReturn()
              .getResponse();
      assertThat(r.getStatus()).isEqualTo(302);
      assertThat(r.getRedirectedUrl()).isEqualTo("/login?error");
    }
    MockHttpServletResponse locked =
        mvc.perform(
                post("/login")
                    .param("username", "limit-form")
                    .param("password", "limit-form-pw")
                    .with(csrf())
                    .with(from))
            .andReturn()
            .getResponse();
    assertThat(locked.getStatus()).isEqualTo(302);
    assertThat(locked.getRedirectedUrl()).isEqualTo("/login?locked=1");
    // Basic counts against the same user
    assertThat(new ApiClient(port, "limit-form", "limit-form-pw").get("/api/v1/status").status())
        .isEqualTo(429);
  }

  @Test
  void rememberedBasicCredentialsRefuseAChangedPasswordAndADisabledUser() {
    createUser("limit-cache", "limit-cache-pw1");
    ApiClient old = new ApiClient(port, "limit-cache", "limit-cache-pw1");
    assertThat(old.get("/api/v1/status").status()).isEqualTo(200);
    assertThat(old.get("/api/v1/status").status()).as("remembered").isEqualTo(200);

    assertThat(
            admin.put("/api/v1/users/limit-cache", "{\"password\":\"limit-cache-pw2\"}").status())
        .isEqualTo(200);
    assertThat(old.get("/api/v1/status").status()).isEqualTo(401);
    ApiClient renewed = new ApiClient(port, "limit-cache", "limit-cache-pw2");
    assertThat(renewed.get("/api/v1/status").status()).isEqualTo(200);
    assertThat(renewed.get("/api/v1/status").status()).isEqualTo(200);

    assertThat(admin.put("/api/v1/users/limit-cache", "{\"enabled\":false}").status())
        .isEqualTo(200);
    assertThat(renewed.get("/api/v1/status").status()).isEqualTo(401);
    // and the role is always the current one
    assertThat(admin.put("/api/v1/users/limit-cache", "{\"enabled\":true}").status())
        .isEqualTo(200);
    assertThat(renewed.get("/api/v1/users").status()).isEqualTo(403);
    assertThat(admin.put("/api/v1/users/limit-cache", "{\"role\":\"ADMIN\"}").status())
        .isEqualTo(200);
    assertThat(renewed.get("/api/v1/users").status()).isEqualTo(200);
  }
}
