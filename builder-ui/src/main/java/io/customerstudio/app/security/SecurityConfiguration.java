package io.customerstudio.app.security;

import com.github.benmanes.caffeine.cache.Ticker;
import com.vaadin.flow.spring.security.VaadinAwareSecurityContextHolderStrategyConfiguration;
import com.vaadin.flow.spring.security.VaadinSecurityConfigurer;
import io.customerstudio.app.base.ui.LoginView;
import jakarta.servlet.http.HttpServletRequest;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Import;
import org.springframework.core.annotation.Order;
import org.springframework.http.HttpMethod;
import org.springframework.http.MediaType;
import org.springframework.security.authentication.AuthenticationManager;
import org.springframework.security.authentication.ProviderManager;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.config.annotation.web.configuration.EnableWebSecurity;
import org.springframework.security.config.http.SessionCreationPolicy;
import org.springframework.security.core.userdetails.UserDetailsService;
import org.springframework.security.crypto.factory.PasswordEncoderFactories;
import org.springframework.security.crypto.password.PasswordEncoder;
import org.springframework.security.web.SecurityFilterChain;
import org.springframework.security.web.authentication.AuthenticationEntryPointFailureHandler;
import org.springframework.security.web.authentication.AuthenticationFailureHandler;
import org.springframework.security.web.authentication.AuthenticationFilter;
import org.springframework.security.web.authentication.LoginUrlAuthenticationEntryPoint;
import org.springframework.security.web.authentication.preauth.PreAuthenticatedAuthenticationToken;
import org.springframework.security.web.authentication.www.BasicAuthenticationFilter;
import org.springframework.security.web.firewall.RequestRejectedHandler;
import org.springframework.security.web.util.matcher.MediaTypeRequestMatcher;

/**
 * Three filter chains. {@code /api/**} and {@code /actuator/**}: stateless, HTTP Basic or a bearer
 * API token, 401 as problem+json; only {@code /actuator/health} is open. The OpenAPI document and
 * Swagger UI: the same, or the session of someone logged in to the UI (a browser without one is
 * sent to the login page). Everything else is the Vaadin UI behind a login page. Admin-only API
 * paths are guarded here; views guard themselves with {@code @RolesAllowed}.
 *
 * <p>Every password login (Basic and the form) goes through one {@link
 * PasswordAuthenticationProvider}: failed logins are limited per user and per address, and good
 * Basic credentials are remembered briefly so repeated requests skip bcrypt.
 */
@Configuration
@EnableWebSecurity
@EnableConfigurationProperties(LoginLimits.class)
@Import(VaadinAwareSecurityContextHolderStrategyConfiguration.class)
class SecurityConfiguration {

  static final String[] DOCS = {
    "/v3/api-docs", "/v3/api-docs/**", "/swagger-ui/**", "/swagger-ui.html"
  };

  @Bean
  PasswordEncoder passwordEncoder() {
    return PasswordEncoderFactories.createDelegatingPasswordEncoder();
  }

  /** The one place password logins are checked, limited and remembered. */
  @Bean
  AuthenticationManager passwordLogins(
      UserDetailsService users, PasswordEncoder encoder, LoginLimits limits) {
    ProviderManager manager =
        new ProviderManager(
            new PasswordAuthenticationProvider(users, encoder, limits, Ticker.systemTicker()));
    return manager;
  }

  /**
   * A URL the firewall refuses (an encoded slash, percent or NUL, {@code ..} segments): a 400 as
   * problem+json like every other refusal, not a bare status.
   */
  @Bean
  RequestRejectedHandler requestRejectedHandler() {
    return (request, response, e) ->
        ProblemAuthenticationEntryPoint.write(
            response, 400, "Invalid request", "The request URL was refused: " + e.getMessage());
  }

  @Bean
  @Order(1)
  SecurityFilterChain apiChain(
      HttpSecurity http,
      BearerTokens tokens,
      UserDetailsService users,
      AuthenticationManager passwordLogins)
      throws Exception {
    ProblemAuthenticationEntryPoint problems = new ProblemAuthenticationEntryPoint();
    return http.securityMatcher("/api/**", "/actuator/**")
        .authorizeHttpRequests(
            a ->
                a.requestMatchers("/actuator/health", "/actuator/health/**")
                    .permitAll()
                    // real-time triggers and event sources authenticate by signature
                    // (SyncRuns.webhook,
                    // EventSourceService.verify)
                    .requestMatchers(HttpMethod.POST, "/api/v1/webhooks/**")
                    .permitAll()
                    .requestMatchers(
                        "/api/v1/users/**", "/api/v1/tokens/**", "/api/v1/schema/tables/**")
                    .hasRole(Roles.ADMIN)
                    .requestMatchers("/api/v1/audit", "/api/v1/audit/**")
                    .hasRole(Roles.ADMIN)
                    .requestMatchers(HttpMethod.PUT, "/api/v1/schema")
                    .hasRole(Roles.ADMIN)
                    .requestMatchers(HttpMethod.POST, "/api/v1/import")
                    .hasRole(Roles.ADMIN)
                    // everyone reads the consent source; admins set and remove it
                    .requestMatchers(HttpMethod.PUT, "/api/v1/consent")
                    .hasRole(Roles.ADMIN)
                    .requestMatchers(HttpMethod.DELETE, "/api/v1/consent")
                    .hasRole(Roles.ADMIN)
                    // marketers read destinations (to pick one for a sync); admins change them
                    .requestMatchers(
                        HttpMethod.GET, "/api/v1/destinations", "/api/v1/destinations/**")
                    .hasRole(Roles.MARKETER)
                    .requestMatchers("/api/v1/destinations", "/api/v1/destinations/**")
                    .hasRole(Roles.ADMIN)
                    // everyone reads subset categories (to see her own); admins change them
                    .requestMatchers(
                        HttpMethod.GET, "/api/v1/subset-categories", "/api/v1/subset-categories/**")
                    .hasRole(Roles.MARKETER)
                    .requestMatchers("/api/v1/subset-categories", "/api/v1/subset-categories/**")
                    .hasRole(Roles.ADMIN)
                    // admins manage event sources; marketers append events
                    .requestMatchers("/api/v1/event-sources", "/api/v1/event-sources/**")
                    .hasRole(Roles.ADMIN)
                    .requestMatchers(HttpMethod.POST, "/api/v1/events")
                    .hasRole(Roles.MARKETER)
                    .anyRequest()
                    .authenticated())
        .authenticationManager(passwordLogins)
        .addFilterBefore(bearerFilter(tokens, users, problems), BasicAuthenticationFilter.class)
        .httpBasic(b -> b.authenticationEntryPoint(problems))
        .exceptionHandling(e -> e.authenticationEntryPoint(problems).accessDeniedHandler(problems))
        .sessionManagement(s -> s.sessionCreationPolicy(SessionCreationPolicy.STATELESS))
        .csrf(c -> c.disable())
        .build();
  }

  /**
   * The API's description, readable with what the API takes or with the UI's login session, so
   * Swagger UI opens for someone logged in. Reads only: nothing here changes state, and the session
   * is never created here.
   */
  @Bean
  @Order(2)
  SecurityFilterChain docsChain(
      HttpSecurity http,
      BearerTokens tokens,
      UserDetailsService users,
      AuthenticationManager passwordLogins)
      throws Exception {
    ProblemAuthenticationEntryPoint problems = new ProblemAuthenticationEntryPoint();
    return http.securityMatcher(DOCS)
        .authorizeHttpRequests(
            a -> a.requestMatchers(HttpMethod.GET, DOCS).authenticated().anyRequest().denyAll())
        .authenticationManager(passwordLogins)
        .addFilterBefore(bearerFilter(tokens, users, problems), BasicAuthenticationFilter.class)
        .httpBasic(b -> b.authenticationEntryPoint(problems))
        .exceptionHandling(
            e ->
                e.defaultAuthenticationEntryPointFor(
                        new LoginUrlAuthenticationEntryPoint("/login"), browsers())
                    .defaultAuthenticationEntryPointFor(problems, request -> true)
                    .accessDeniedHandler(problems))
        .sessionManagement(s -> s.sessionCreationPolicy(SessionCreationPolicy.NEVER))
        .requestCache(c -> c.disable())
        .csrf(c -> c.disable())
        .build();
  }

  /** Requests that ask for HTML by name (a browser's page load), not {@code *}{@code /*}. */
  private static MediaTypeRequestMatcher browsers() {
    MediaTypeRequestMatcher html = new MediaTypeRequestMatcher(MediaType.TEXT_HTML);
    html.setIgnoredMediaTypes(java.util.Set.of(MediaType.ALL));
    return html;
  }

  private static AuthenticationFilter bearerFilter(
      BearerTokens tokens, UserDetailsService users, ProblemAuthenticationEntryPoint problems) {
    AuthenticationFilter bearer =
        new AuthenticationFilter(
            new ProviderManager(new ApiTokenAuthenticationProvider(tokens, users)),
            SecurityConfiguration::bearerToken);
    bearer.setFailureHandler(new AuthenticationEntryPointFailureHandler(problems));
    bearer.setSuccessHandler((request, response, authentication) -> {});
    return bearer;
  }

  /** Reads {@code Authorization: Bearer <token>}; null lets other mechanisms try. */
  private static PreAuthenticatedAuthenticationToken bearerToken(HttpServletRequest request) {
    String header = request.getHeader("Authorization");
    if (header == null || !header.regionMatches(true, 0, "Bearer ", 0, 7)) {
      return null;
    }
    return new PreAuthenticatedAuthenticationToken("api-token", header.substring(7).trim());
  }

  @Bean
  @Order(3)
  SecurityFilterChain uiChain(HttpSecurity http, AuthenticationManager passwordLogins)
      throws Exception {
    http.authorizeHttpRequests(
        a -> a.requestMatchers("/icons/**", "/images/**", "/favicon.ico").permitAll());
    http.authenticationManager(passwordLogins);
    http.with(VaadinSecurityConfigurer.vaadin(), c -> c.loginView(LoginView.class));
    // after Vaadin's configurer, whose login page must be known before form login initializes
    // (else Spring's generated page replaces LoginView): a locked-out login goes back to the
    // form with the wait, not to a bare 429 page
    http.formLogin(f -> f.failureHandler(loginFailure()));
    return http.build();
  }

  private static AuthenticationFailureHandler loginFailure() {
    return (request, response, e) ->
        response.sendRedirect(
            request.getContextPath()
                + (e instanceof TooManyLoginFailuresException t
                    ? "/login?locked=" + t.retryAfterSeconds()
                    : "/login?error"));
  }
}
