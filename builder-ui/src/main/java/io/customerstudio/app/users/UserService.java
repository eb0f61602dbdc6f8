package io.customerstudio.app.users;

import com.fasterxml.jackson.annotation.JsonUnwrapped;
import io.customerstudio.app.api.ApiException;
import io.customerstudio.app.audit.AuditTrail;
import io.customerstudio.app.subsets.SubsetService;
import io.customerstudio.infra.store.UserStore;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.springframework.security.crypto.password.PasswordEncoder;
import org.springframework.stereotype.Service;

/**
 * Manages who can log in. Validates before it writes, hashes passwords, and never lets the last
 * enabled admin be removed, demoted or disabled, so nobody can lock the studio out of itself.
 */
@Service
public class UserService {

  static final Pattern USERNAME = Pattern.compile("[a-z0-9][a-z0-9._-]{1,63}");
  static final int MIN_PASSWORD = 10;

  /** A user as the API and UI show it: never with a password hash. */
  public record UserView(
      String username,
      String displayName,
      UserStore.Role role,
      boolean enabled,
      java.time.OffsetDateTime createdAt,
      java.time.OffsetDateTime updatedAt,
      Map<String, List<String>> subsets) {
    static UserView of(UserStore.StudioUser u) {
      return new UserView(
          u.username(),
          u.displayName(),
          u.role(),
          u.enabled(),
          u.createdAt(),
          u.updatedAt(),
          u.subsets());
    }
  }

  /** {@code subsets}: the rows she may see ({"region": ["eu"]}); null or {}: all. */
  public record NewUser(
      String username,
      String displayName,
      UserStore.Role role,
      String password,
      Map<String, List<String>> subsets) {}

  /** A change; null fields stay as they are ({@code "subsets": {}} lifts a restriction). */
  public record UserChange(
      String displayName,
      UserStore.Role role,
      Boolean enabled,
      String password,
      Map<String, List<String>> subsets) {}

  /**
   * A user after a change, as the audit log records it: the view, and whether the password was set
   * (never the password or its hash).
   */
  record Changed(@JsonUnwrapped UserView user, boolean passwordChanged) {}

  private final UserStore users;
  private final PasswordEncoder encoder;
  private final AuditTrail audit;
  private final SubsetService subsets;

  public UserService(
      UserStore users, PasswordEncoder encoder, SubsetService subsets, AuditTrail audit) {
    this.users = users;
    this.encoder = encoder;
    this.subsets = subsets;
    this.audit = audit;
  }

  public List<UserView> list() {
    return users.list().stream().map(UserView::of).toList();
  }

  public UserView get(String username) {
    return users.find(username).map(UserView::of).orElseThrow(() -> notFound(username));
  }

  public UserView create(NewUser u, String actingUser) {
    List<ApiException.FieldError> errors = new ArrayList<>();
    if (u.username() == null || !USERNAME.matcher(u.username()).matches()) {
      errors.add(
          new ApiException.FieldError(
              "$.username",
              "use 2 to 64 lower-case letters, digits, '.', '_' or '-', starting with a letter or digit"));
    } else if (users.find(u.username()).isPresent()) {
      throw ApiException.conflict("A user '" + u.username() + "' already exists");
    }
    if (u.role() == null) {
      errors.add(new ApiException.FieldError("$.role", "choose ADMIN or MARKETER"));
    }
    checkPassword(u.password(), errors);
    checkDisplayName(u.displayName(), errors);
    Map<String, List<String>> selection = checkSubsets(u.subsets(), u.role(), errors);
    if (!errors.isEmpty()) {
      throw ApiException.invalid(errors);
    }
    users.create(
        u.username(), blankToNull(u.displayName()), encoder.encode(u.password()), u.role());
    if (selection != null) {
      users.setSubsets(u.username(), selection);
    }
    UserView created = get(u.username());
    audit.record(
        actingUser, AuditTrail.Entity.USER, u.username(), AuditTrail.Action.CREATE, null, created);
    return created;
  }

  public UserView update(String username, UserChange change, String actingUser) {
    UserStore.StudioUser current = users.find(username).orElseThrow(() -> notFound(username));
    List<ApiException.FieldError> errors = new ArrayList<>();
    if (change.password() != null) {
      checkPassword(change.password(), errors);
    }
    checkDisplayName(change.displayName(), errors);
    UserStore.Role role = change.role() == null ? current.role() : change.role();
    Map<String, List<String>> selection =
        change.subsets() == null ? current.subsets() : checkSubsets(change.subsets(), role, errors);
    if (change.subsets() == null && selection != null && role == UserStore.Role.ADMIN) {
      errors.add(
          new ApiException.FieldError(
              "$.subsets",
              "admins are never restricted: lift her subsets (\"subsets\": {}) to make her an"
                  + " admin"));
    }
    if (!errors.isEmpty()) {
      throw ApiException.invalid(errors);
    }
    boolean enabled = change.enabled() == null ? current.enabled() : change.enabled();
    boolean losesAdmin =
        current.role() == UserStore.Role.ADMIN
            && current.enabled()
            && (role != UserStore.Role.ADMIN || !enabled);
    if (losesAdmin && users.countEnabledAdmins() <= 1) {
      throw ApiException.conflict(
          "'" + username + "' is the last enabled admin; make another user an admin first");
    }
    if (username.equals(actingUser) && !enabled) {
      throw ApiException.conflict("You cannot disable your own account");
    }
    String displayName =
        change.displayName() == null ? current.displayName() : blankToNull(change.displayName());
    users.update(username, displayName, role, enabled);
    if (change.subsets() != null) {
      users.setSubsets(username, selection);
    }
    if (change.password() != null) {
      users.setPasswordHash(username, encoder.encode(change.password()));
    }
    UserView updated = get(username);
    audit.record(
        actingUser,
        AuditTrail.Entity.USER,
        username,
        AuditTrail.Action.UPDATE,
        UserView.of(current),
        new Changed(updated, change.password() != null));
    return updated;
  }

  public void delete(String username, String actingUser) {
    UserStore.StudioUser current = users.find(username).orElseThrow(() -> notFound(username));
    if (username.equals(actingUser)) {
      throw ApiException.conflict("You cannot delete your own account");
    }
    if (current.role() == UserStore.Role.ADMIN
        && current.enabled()
        && users.countEnabledAdmins() <= 1) {
      throw ApiException.conflict("'" + username + "' is the last enabled admin");
    }
    users.delete(username);
    audit.record(
        actingUser,
        AuditTrail.Entity.USER,
        username,
        AuditTrail.Action.DELETE,
        UserView.of(current),
        null);
  }

  /** The normalized selection (null: not restricted), or problems at {@code $.subsets}. */
  private Map<String, List<String>> checkSubsets(
      Map<String, List<String>> selection,
      UserStore.Role role,
      List<ApiException.FieldError> errors) {
    Map<String, List<String>> checked =
        subsets.checkSelection(selection, "$.subsets", null, errors);
    if (checked != null && role == UserStore.Role.ADMIN) {
      errors.add(
          new ApiException.FieldError(
              "$.subsets", "admins are never restricted; give subsets to marketers only"));
    }
    return checked;
  }

  private ApiException notFound(String username) {
    return ApiException.notFound(
        "User '"
            + username
            + "' not found; known: "
            + users.list().stream().map(UserStore.StudioUser::username).toList());
  }

  private static void checkPassword(String password, List<ApiException.FieldError> errors) {
    if (password == null || password.length() < MIN_PASSWORD) {
      errors.add(
          new ApiException.FieldError(
              "$.password", "use at least " + MIN_PASSWORD + " characters"));
    } else if (password.getBytes(java.nio.charset.StandardCharsets.UTF_8).length > 72) {
      // bcrypt reads 72 bytes and refuses more
      errors.add(
          new ApiException.FieldError(
              "$.password", "use at most 72 bytes (72 letters, fewer with accents or emoji)"));
    }
  }

  private static void checkDisplayName(String displayName, List<ApiException.FieldError> errors) {
    if (displayName != null && displayName.length() > 200) {
      errors.add(new ApiException.FieldError("$.displayName", "use at most 200 characters"));
    }
  }

  private static String blankToNull(String s) {
    return s == null || s.isBlank() ? null : s.strip();
  }
}
