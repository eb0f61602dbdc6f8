package io.customerstudio.app.tokens;

import io.customerstudio.app.api.ApiException;
import io.customerstudio.app.audit.AuditTrail;
import io.customerstudio.app.security.BearerTokens;
import io.customerstudio.infra.store.ApiTokenStore;
import io.customerstudio.infra.store.UserStore;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import org.springframework.stereotype.Service;

/**
 * Issues and checks API tokens. A token is {@code cs_} plus 256 random bits; only its SHA-256
 * digest is stored (a fast hash suffices for a secret with that much entropy), so a leaked app
 * store reveals no usable token.
 */
@Service
public class ApiTokenService implements BearerTokens {

  private static final SecureRandom RANDOM = new SecureRandom();
  private static final String PREFIX = "cs_";

  /** A token as the API and the UI show it: never its secret or digest. */
  public record TokenView(
      long id,
      String name,
      String prefix,
      String username,
      String createdBy,
      OffsetDateTime createdAt,
      OffsetDateTime expiresAt,
      OffsetDateTime lastUsedAt,
      OffsetDateTime revokedAt,
      boolean active) {}

  /** A token just created: {@code token} is the only copy of the secret. */
  public record IssuedToken(TokenView info, String token) {}

  /** What a caller asks for; {@code username} null means the caller. */
  public record TokenRequest(String name, String username, Integer expiresInDays) {}

  /**
   * A token as the audit log records it: who it acts as and until when, never its value, digest or
   * prefix.
   */
  record Audited(
      long id,
      String name,
      String username,
      String createdBy,
      OffsetDateTime expiresAt,
      OffsetDateTime revokedAt) {
    static Audited of(ApiTokenStore.ApiToken t) {
      return new Audited(
          t.id(), t.name(), t.username(), t.createdBy(), t.expiresAt(), t.revokedAt());
    }
  }

  private final ApiTokenStore tokens;
  private final UserStore users;
  private final Clock clock;
  private final AuditTrail audit;

  public ApiTokenService(ApiTokenStore tokens, UserStore users, Clock clock, AuditTrail audit) {
    this.tokens = tokens;
    this.users = users;
    this.clock = clock;
    this.audit = audit;
  }

  public IssuedToken issue(TokenRequest request, String issuedBy) {
    List<ApiException.FieldError> errors = new ArrayList<>();
    String name = request.name() == null ? "" : request.name().strip();
    if (name.isEmpty() || name.length() > 200) {
      errors.add(
          new ApiException.FieldError("$.name", "give the token a name of 1 to 200 characters"));
    }
    Integer days = request.expiresInDays();
    if (days != null && (days < 1 || days > 3650)) {
      errors.add(
          new ApiException.FieldError(
              "$.expiresInDays", "must be between 1 and 3650, or absent for no expiry"));
    }
    String owner =
        request.username() == null || request.username().isBlank() ? issuedBy : request.username();
    Optional<UserStore.StudioUser> user = users.find(owner);
    if (user.isEmpty()) {
      errors.add(new ApiException.FieldError("$.username", "no user '" + owner + "'"));
    }
    if (!errors.isEmpty()) {
      throw ApiException.invalid(errors);
    }
    byte[] secret = new byte[32];
    RANDOM.nextBytes(secret);
    String token = PREFIX + Base64.getUrlEncoder().withoutPadding().encodeToString(secret);
    OffsetDateTime expires = days == null ? null : OffsetDateTime.now(clock).plusDays(days);
    ApiTokenStore.ApiToken info =
        tokens.create(
            name, digest(token), token.substring(0, 10), user.get().id(), issuedBy, expires);
    audit.record(
        issuedBy,
        AuditTrail.Entity.TOKEN,
        String.valueOf(info.id()),
        AuditTrail.Action.CREATE,
        null,
        Audited.of(info));
    return new IssuedToken(view(info), token);
  }

  public List<TokenView> list() {
    return tokens.list().stream().map(this::view).toList();
  }

  public void revoke(long id, String user) {
    ApiTokenStore.ApiToken before =
        tokens.find(id).orElseThrow(() -> ApiException.notFound("API token " + id + " not found"));
    tokens.revoke(id);
    audit.record(
        user,
        AuditTrail.Entity.TOKEN,
        String.valueOf(id),
        AuditTrail.Action.REVOKE,
        Audited.of(before),
        tokens.find(id).map(Audited::of).orElse(null));
  }

  /** The username a presented token acts as, if it is live. */
  @Override
  public Optional<String> usernameFor(String token) {
    if (token == null || !token.startsWith(PREFIX)) {
      return Optional.empty();
    }
    return tokens.authenticate(digest(token));
  }

  private TokenView view(ApiTokenStore.ApiToken t) {
    return new TokenView(
        t.id(),
        t.name(),
        t.prefix(),
        t.username(),
        t.createdBy(),
        t.createdAt(),
        t.expiresAt(),
        t.lastUsedAt(),
        t.revokedAt(),
        t.active(OffsetDateTime.now(clock)));
  }

  static String digest(String token) {
    try {
      return HexFormat.of()
          .formatHex(
              MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is part of every JRE", e);
    }
  }
}
