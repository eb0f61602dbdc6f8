package io.customerstudio.app.security;

import com.vaadin.flow.spring.security.VaadinAwareSecurityContextHolderStrategyConfiguration;
import com.vaadin.flow.spring.security.VaadinSecurityConfigurer;
import io.customerstudio.app.base.ui.LoginView;
import jakarta.servlet.http.HttpServletRequest;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Import;
import org.springframework.core.annotation.Order;
import org.springframework.http.HttpMethod;
import org.springframework.security.authentication.ProviderManager;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.config.annotation.web.configuration.EnableWebSecurity;
import org.springframework.security.config.http.SessionCreationPolicy;
import org.springframework.security.core.userdetails.UserDetailsService;
import org.springframework.security.crypto.factory.PasswordEncoderFactories;
import org.springframework.security.crypto.password.PasswordEncoder;
import org.springframework.security.web.SecurityFilterChain;
import org.springframework.security.web.authentication.AuthenticationEntryPointFailureHandler;
import org.springframework.security.web.authentication.AuthenticationFilter;
import org.springframework.security.web.authentication.preauth.PreAuthenticatedAuthenticationToken;
import org.springframework.security.web.authentication.www.BasicAuthenticationFilter;

/**
 * Two filter chains. {@code /api/**}, {@code /actuator/**} and the OpenAPI docs: stateless, HTTP
 * Basic or a bearer API token, 401 as problem+json; only {@code /actuator/health} is open.
 * Everything else is the Vaadin UI behind a login page. Admin-only API paths are guarded here;
 * views guard themselves with {@code @RolesAllowed}.
 */
@Configuration
@EnableWebSecurity
@Import(VaadinAwareSecurityContextHolderStrategyConfiguration.class)
class SecurityConfiguration {

  @Bean
  PasswordEncoder passwordEncoder() {
    return PasswordEncoderFactories.createDelegatingPasswordEncoder();
  }

  @Bean
  @Order(1)
  SecurityFilterChain apiChain(HttpSecurity http, BearerTokens tokens, UserDetailsService users)
      throws Exception {
    ProblemAuthenticationEntryPoint problems = new ProblemAuthenticationEntryPoint();
    AuthenticationFilter bearer =
        new AuthenticationFilter(
            new ProviderManager(new ApiTokenAuthenticationProvider(tokens, users)),
            SecurityConfiguration::bearerToken);
    bearer.setFailureHandler(new AuthenticationEntryPointFailureHandler(problems));
    bearer.setSuccessHandler((request, response, authentication) -> {});
    return http.securityMatcher(
            "/api/**", "/actuator/**", "/v3/api-docs/**", "/swagger-ui/**", "/swagger-ui.html")
        .authorizeHttpRequests(
            a ->
                a.requestMatchers("/actuator/health", "/actuator/health/**")
                    .permitAll()
                    // real-time triggers authenticate by signature (SyncsService.webhook)
                    .requestMatchers(HttpMethod.POST, "/api/v1/webhooks/**")
                    .permitAll()
                    .requestMatchers(
                        "/api/v1/users/**", "/api/v1/tokens/**", "/api/v1/schema/tables/**")
                    .hasRole(Roles.ADMIN)
                    .requestMatchers(HttpMethod.PUT, "/api/v1/schema")
                    .hasRole(Roles.ADMIN)
                    .requestMatchers(HttpMethod.POST, "/api/v1/import")
                    .hasRole(Roles.ADMIN)
                    // marketers read destinations (to pick one for a sync); admins change them
                    .requestMatchers(
                        HttpMethod.GET, "/api/v1/destinations", "/api/v1/destinations/**")
                    .hasRole(Roles.MARKETER)
                    .requestMatchers("/api/v1/destinations", "/api/v1/destinations/**")
                    .hasRole(Roles.ADMIN)
                    .anyRequest()
                    .authenticated())
        .addFilterBefore(bearer, BasicAuthenticationFilter.class)
        .httpBasic(b -> b.authenticationEntryPoint(problems))
        .exceptionHandling(e -> e.authenticationEntryPoint(problems).accessDeniedHandler(problems))
        .sessionManagement(s -> s.sessionCreationPolicy(SessionCreationPolicy.STATELESS))
        .csrf(c -> c.disable())
        .build();
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
  @Order(2)
  SecurityFilterChain uiChain(HttpSecurity http) throws Exception {
    http.authorizeHttpRequests(
        a -> a.requestMatchers("/icons/**", "/images/**", "/favicon.ico").permitAll());
    return http.with(VaadinSecurityConfigurer.vaadin(), c -> c.loginView(LoginView.class)).build();
  }
}
