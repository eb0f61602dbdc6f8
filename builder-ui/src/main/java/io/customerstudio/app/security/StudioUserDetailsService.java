package io.customerstudio.app.security;

import io.customerstudio.infra.store.UserStore;
import java.util.List;
import org.springframework.security.core.authority.SimpleGrantedAuthority;
import org.springframework.security.core.userdetails.User;
import org.springframework.security.core.userdetails.UserDetails;
import org.springframework.security.core.userdetails.UserDetailsService;
import org.springframework.security.core.userdetails.UsernameNotFoundException;
import org.springframework.stereotype.Component;

/**
 * Users from the app store. An ADMIN also holds MARKETER, so admins can do all that marketers can
 * without every check naming both roles.
 */
@Component
class StudioUserDetailsService implements UserDetailsService {

  private final UserStore users;

  StudioUserDetailsService(UserStore users) {
    this.users = users;
  }

  @Override
  public UserDetails loadUserByUsername(String username) {
    UserStore.StudioUser u =
        users.find(username).orElseThrow(() -> new UsernameNotFoundException(username));
    List<SimpleGrantedAuthority> authorities =
        u.role() == UserStore.Role.ADMIN
            ? List.of(
                new SimpleGrantedAuthority(Roles.ROLE_ADMIN),
                new SimpleGrantedAuthority(Roles.ROLE_MARKETER))
            : List.of(new SimpleGrantedAuthority(Roles.ROLE_MARKETER));
    return User.withUsername(u.username())
        .password(u.passwordHash())
        .authorities(authorities)
        .disabled(!u.enabled())
        .build();
  }
}
