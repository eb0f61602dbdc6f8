package io.customerstudio.app.security;

import org.springframework.security.authentication.AuthenticationProvider;
import org.springframework.security.authentication.BadCredentialsException;
import org.springframework.security.authentication.UsernamePasswordAuthenticationToken;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.userdetails.UserDetails;
import org.springframework.security.core.userdetails.UserDetailsService;
import org.springframework.security.web.authentication.preauth.PreAuthenticatedAuthenticationToken;

/**
 * Authenticates {@code Authorization: Bearer <token>}: the token's digest must match a live token,
 * and the request then acts as the token's user, with that user's current roles.
 */
final class ApiTokenAuthenticationProvider implements AuthenticationProvider {

  private final BearerTokens tokens;
  private final UserDetailsService users;

  ApiTokenAuthenticationProvider(BearerTokens tokens, UserDetailsService users) {
    this.tokens = tokens;
    this.users = users;
  }

  @Override
  public Authentication authenticate(Authentication authentication) {
    String token = String.valueOf(authentication.getCredentials());
    String username =
        tokens
            .usernameFor(token)
            .orElseThrow(
                () -> new BadCredentialsException("unknown, revoked or expired API token"));
    UserDetails user = users.loadUserByUsername(username);
    if (!user.isEnabled()) {
      throw new BadCredentialsException("the token's user is disabled");
    }
    return UsernamePasswordAuthenticationToken.authenticated(user, null, user.getAuthorities());
  }

  @Override
  public boolean supports(Class<?> authentication) {
    return PreAuthenticatedAuthenticationToken.class.isAssignableFrom(authentication);
  }
}
