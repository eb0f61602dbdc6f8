package io.customerstudio.app.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.springframework.security.test.web.servlet.request.SecurityMockMvcRequestBuilders.formLogin;
import static org.springframework.security.test.web.servlet.request.SecurityMockMvcRequestPostProcessors.httpBasic;
import static org.springframework.security.test.web.servlet.setup.SecurityMockMvcConfigurers.springSecurity;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;

import io.customerstudio.app.AppTestSupport;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.http.MediaType;
import org.springframework.mock.web.MockHttpServletResponse;
import org.springframework.mock.web.MockHttpSession;
import org.springframework.test.web.servlet.MockMvc;
import org.springframework.test.web.servlet.MvcResult;
import org.springframework.test.web.servlet.setup.MockMvcBuilders;
import org.springframework.web.context.WebApplicationContext;

/**
 * Swagger UI and the OpenAPI document open for someone logged in to the UI (the session cookie), as
 * well as with Basic; a browser without a session is sent to the login page, an API client gets a
 * 401. The UI's page no longer installs a service worker and removes one installed before, so no
 * worker answers /swagger-ui.html with the app's page.
 */
class ApiDocsAccessTest extends AppTestSupport {

  @org.springframework.boot.test.web.server.LocalServerPort int port;
  @Autowired WebApplicationContext context;
  MockMvc mvc;

  @BeforeEach
  void setUp() {
    mvc = MockMvcBuilders.webAppContextSetup(context).apply(springSecurity()).build();
  }

  MockHttpSession loggedIn() throws Exception {
    MvcResult login =
        mvc.perform(formLogin("/login").user("admin").password(ADMIN_PASSWORD)).andReturn();
    assertThat(login.getResponse().getStatus()).isEqualTo(302);
    assertThat(login.getResponse().getRedirectedUrl()).doesNotContain("error");
    return (MockHttpSession) login.getRequest().getSession(false);
  }

  @Test
  void aLoggedInUiSessionReadsTheDocsAndSwaggerUi() throws Exception {
    MockHttpSession session = loggedIn();
    MockHttpServletResponse docs =
        mvc.perform(get("/v3/api-docs").session(session)).andReturn().getResponse();
    assertThat(docs.getStatus()).isEqualTo(200);
    assertThat(docs.getContentAsString()).contains("/api/v1/status");
    assertThat(
            mvc.perform(get("/v3/api-docs/swagger-config").session(session))
                .andReturn()
                .getResponse()
                .getStatus())
        .isEqualTo(200);
    MockHttpServletResponse page =
        mvc.perform(get("/swagger-ui.html").session(session)).andReturn().getResponse();
    assertThat(page.getStatus()).isEqualTo(302);
    assertThat(page.getRedirectedUrl()).endsWith("/swagger-ui/index.html");
    MockHttpServletResponse ui =
        mvc.perform(get("/swagger-ui/index.html").session(session)).andReturn().getResponse();
    assertThat(ui.getStatus()).isEqualTo(200);
    assertThat(ui.getContentAsString()).contains("swagger-ui");
  }

  @Test
  void basicStillWorks_aBrowserWithoutSessionGoesToLogin_aClientGets401() throws Exception {
    assertThat(
            mvc.perform(get("/v3/api-docs").with(httpBasic("admin", ADMIN_PASSWORD)))
                .andReturn()
                .getResponse()
                .getStatus())
        .isEqualTo(200);
    MockHttpServletResponse browser =
        mvc.perform(get("/swagger-ui/index.html").accept(MediaType.TEXT_HTML))
            .andReturn()
            .getResponse();
    assertThat(browser.getStatus()).isEqualTo(302);
    assertThat(browser.getRedirectedUrl()).endsWith("/login");
    MockHttpServletResponse client =
        mvc.perform(get("/v3/api-docs").accept(MediaType.ALL)).andReturn().getResponse();
    assertThat(client.getStatus()).isEqualTo(401);
    assertThat(client.getContentType()).isEqualTo("application/problem+json");
  }

  @Test
  void theUiPageRemovesItsServiceWorkerInsteadOfInstallingOne() throws Exception {
    java.net.http.HttpResponse<String> page =
        java.net.http.HttpClient.newHttpClient()
            .send(
                java.net.http.HttpRequest.newBuilder(
                        java.net.URI.create("http://localhost:" + port + "/login"))
                    .build(),
                java.net.http.HttpResponse.BodyHandlers.ofString());
    assertThat(page.statusCode()).isEqualTo(200);
    assertThat(page.body()).contains("registration.unregister()");
    assertThat(page.body()).doesNotContain("serviceWorker.register(");
  }
}
