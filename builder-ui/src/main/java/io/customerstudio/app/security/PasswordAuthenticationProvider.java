package io.customerstudio.app.security;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Ticker;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Optional;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.springframework.security.authentication.AuthenticationProvider;
import org.springframework.security.authentication.InternalAuthenticationServiceException;
import org.springframework.security.authentication.UsernamePasswordAuthenticationToken;
import org.springframework.security.authentication.dao.DaoAuthenticationProvider;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.AuthenticationException;
import org.springframework.security.core.userdetails.UserDetails;
import org.springframework.security.core.userdetails.UserDetailsService;
import org.springframework.security.core.userdetails.UsernameNotFoundException;
import org.springframework.security.crypto.password.PasswordEncoder;
import org.springframework.security.web.authentication.WebAuthenticationDetails;

/**
 * Username and password logins, for HTTP Basic and the login form alike: refused unchecked while
 * the user or the client address is locked out ({@link LoginThrottle}), otherwise checked against
 * the stored bcrypt hash, every failure counted.
 *
 * <p>An API client sends Basic credentials with every request, and bcrypt costs about 100 ms of CPU
 * each time. So credentials that passed are remembered for a short while: the key is an HMAC-SHA256
 * of username and password under a random key made at start (never the password, and useless
 * outside this process), the value the stored hash they matched. A remembered login still reads the
 * user: it passes only while that user is enabled and still has that very hash, so a changed
 * password, a disabled or deleted user is refused at once, on every instance, and roles are always
 * the current ones.
 */
final class PasswordAuthenticationProvider implements AuthenticationProvider {

  private final LoginThrottle throttle;
  private final UserDetailsService users;
  private final DaoAuthenticationProvider passwords;
  private final Cache<String, String> remembered;
  private final SecretKeySpec key;

  PasswordAuthenticationProvider(
      UserDetailsService users, PasswordEncoder encoder, LoginLimits limits, Ticker ticker) {
    this.throttle = new LoginThrottle(limits, ticker);
    this.users = users;
    this.passwords = new DaoAuthenticationProvider(users);
    this.passwords.setPasswordEncoder(encoder);
    this.remembered =
        Caffeine.newBuilder()
            .ticker(ticker)
            .maximumSize(10_000)
            .expireAfterWrite(limits.credentialCache())
            .build();
    byte[] secret = new byte[32];
    new SecureRandom().nextBytes(secret);
    this.key = new SecretKeySpec(secret, "HmacSHA256");
  }

  @Override
  public Authentication authenticate(Authentication login) {
    String username = login.getName();
    String address =
        login.getDetails() instanceof WebAuthenticationDetails d ? d.getRemoteAddress() : null;
    Optional<java.time.Duration> wait = throttle.locked(username, address);
    if (wait.isPresent()) {
      throw new TooManyLoginFailuresException(wait.get());
    }
    String password = login.getCredentials() == null ? "" : login.getCredentials().toString();
    String fingerprint = fingerprint(username, password);
    Authentication known = rememberedLogin(username, fingerprint);
    if (known != null) {
      return known;
    }
    Authentication result;
    try {
      result = passwords.authenticate(login);
    } catch (InternalAuthenticationServiceException e) {
      throw e; // the app store failed, not the client
    } catch (AuthenticationException e) {
      throttle.failed(username, address);
      throw e;
    }
    throttle.succeeded(username);
    if (result.getPrincipal() instanceof UserDetails u && u.getPassword() != null) {
      remembered.put(fingerprint, u.getPassword());
    }
    return result;
  }

  /** The remembered login, if these credentials passed lately and the user has not changed. */
  private Authentication rememberedLogin(String username, String fingerprint) {
    String hash = remembered.getIfPresent(fingerprint);
    if (hash == null) {
      return null;
    }
    UserDetails user;
    try {
      user = users.loadUserByUsername(username);
    } catch (UsernameNotFoundException e) {
      remembered.invalidate(fingerprint);
      return null;
    }
    if (!user.isEnabled()
        || user.getPassword() == null
        || !MessageDigest.isEqual(
            hash.getBytes(StandardCharsets.UTF_8),
            user.getPassword().getBytes(StandardCharsets.UTF_8))) {
      remembered.invalidate(fingerprint);
      return null;
    }
    return UsernamePasswordAuthenticationToken.authenticated(user, null, user.getAuthorities());
  }

  /** HMAC-SHA256 of the length-prefixed username and the password: no two pairs collide. */
  private String fingerprint(String username, String password) {
    byte[] name = username.getBytes(StandardCharsets.UTF_8);
    byte[] secret = password.getBytes(StandardCharsets.UTF_8);
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(key);
      mac.update(ByteBuffer.allocate(4).putInt(name.length).array());
      mac.update(name);
      return Base64.getEncoder().encodeToString(mac.doFinal(secret));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 is part of every Java runtime", e);
    }
  }

  @Override
  public boolean supports(Class<?> authentication) {
    return UsernamePasswordAuthenticationToken.class.isAssignableFrom(authentication);
  }
}
