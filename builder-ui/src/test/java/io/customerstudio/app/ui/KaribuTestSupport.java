package io.customerstudio.app.ui;

import com.github.mvysny.fakeservlet.FakeRequest;
import com.github.mvysny.kaributesting.v10.MockVaadin;
import com.github.mvysny.kaributesting.v10.Routes;
import com.github.mvysny.kaributesting.v10.spring.MockSpringServlet;
import com.vaadin.flow.component.UI;
import com.vaadin.flow.server.VaadinServletRequest;
import io.customerstudio.app.AppTestSupport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.context.ApplicationContext;
import org.springframework.security.authentication.UsernamePasswordAuthenticationToken;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.security.core.userdetails.UserDetails;
import org.springframework.security.core.userdetails.UserDetailsService;

/**
 * Browserless UI tests (Karibu) on the real Spring context: real services, real store. A login
 * loads the user from the store, so roles come from the same place as in production.
 */
public abstract class KaribuTestSupport extends AppTestSupport {

  private static Routes routes;

  @Autowired protected ApplicationContext context;
  @Autowired protected UserDetailsService userDetails;

  @BeforeAll
  static void discoverRoutes() {
    routes = new Routes().autoDiscoverViews("io.customerstudio.app");
  }

  @BeforeEach
  void setUpVaadin() {
    MockVaadin.setup(UI::new, new MockSpringServlet(routes, context, UI::new));
  }

  @AfterEach
  void tearDownVaadin() {
    MockVaadin.tearDown();
    SecurityContextHolder.clearContext();
  }

  /** Logs in as a stored user, as the login form would. */
  protected void login(String username) {
    UserDetails user = userDetails.loadUserByUsername(username);
    Authentication auth =
        UsernamePasswordAuthenticationToken.authenticated(user, null, user.getAuthorities());
    SecurityContextHolder.getContext().setAuthentication(auth);
    // Vaadin's view access control asks the request, which Spring's filter would have wrapped
    FakeRequest request = (FakeRequest) VaadinServletRequest.getCurrent().getRequest();
    request.setUserPrincipalInt(auth);
    request.setUserInRole(
        (principal, role) ->
            auth.getAuthorities().stream().anyMatch(a -> a.getAuthority().equals("ROLE_" + role)));
  }

  /**
   * Waits until {@code done} holds, running the UI's queued {@code UI.access} tasks (results of
   * background computations) between checks, on the test thread that owns the session.
   */
  protected static void awaitUi(java.util.function.BooleanSupplier done) {
    org.awaitility.Awaitility.await()
        .atMost(java.time.Duration.ofSeconds(30))
        .pollInterval(java.time.Duration.ofMillis(50))
        .pollInSameThread()
        .until(
            () -> {
              com.github.mvysny.kaributesting.v10.MockVaadin.runUIQueue();
              return done.getAsBoolean();
            });
  }
}
