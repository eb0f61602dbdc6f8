package io.customerstudio.app.security;

import io.customerstudio.infra.store.SubsetCategoryStore;
import io.customerstudio.infra.store.UserStore;
import io.customerstudio.query.audience.Condition;
import io.customerstudio.query.engine.AudienceEngine;
import io.customerstudio.query.governance.Restriction;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import org.springframework.security.authentication.AnonymousAuthenticationToken;
import org.springframework.security.core.Authentication;
import org.springframework.stereotype.Component;

/**
 * The subsets of the person the current request (or UI action) runs as, from Spring Security's
 * context: the one place services ask "what may she see?". A restricted user's engine ANDs her
 * restriction into every query ({@link AudienceEngine#restrictedTo}); admins, and work that runs as
 * nobody (schedules, start-up), are unrestricted. A signed-in name that is no longer a user fails
 * closed: she sees nothing.
 *
 * <p>Resolved when asked, on the asking thread: work handed to another thread must carry the
 * security context along (the builder's {@code PreviewRunner} does).
 */
@Component
public class CurrentRestriction {

  private final UserStore users;
  private final SubsetCategoryStore categories;
  private final org.springframework.security.core.context.SecurityContextHolderStrategy security;

  /**
   * @param security this app's holder of the security context (Vaadin's, a bean), the one its
   *     filter chain stores the signed-in user in. Not the static {@code SecurityContextHolder}: a
   *     second app started in the same JVM (tests do) replaces that, and a restricted user read
   *     through it would look like work that runs as nobody, which is unrestricted.
   */
  public CurrentRestriction(
      UserStore users,
      SubsetCategoryStore categories,
      org.springframework.security.core.context.SecurityContextHolderStrategy security) {
    this.users = users;
    this.categories = categories;
    this.security = security;
  }

  /** The username of who is acting, or null for work that runs as nobody. */
  public String username() {
    Authentication a = security.getContext().getAuthentication();
    if (a == null || !a.isAuthenticated() || a instanceof AnonymousAuthenticationToken) {
      return null;
    }
    return a.getName();
  }

  /**
   * The acting user's subsets, or null when she is not restricted. A signed-in name with no user
   * behind it gets a selection of an unknown category, which matches nobody.
   */
  public Map<String, List<String>> selection() {
    String name = username();
    if (name == null) {
      return null;
    }
    Optional<UserStore.StudioUser> user = users.find(name);
    if (user.isEmpty()) {
      return Map.of("", List.of());
    }
    return user.get().restricted() ? user.get().subsets() : null;
  }

  public boolean restricted() {
    return selection() != null;
  }

  /** Parent model → the acting user's restriction on it (empty everywhere when unrestricted). */
  public Function<String, Optional<Condition>> restriction() {
    Map<String, List<String>> selection = selection();
    if (selection == null) {
      return parent -> Optional.empty();
    }
    Map<String, Restriction.CategoryDef> defs = categories.definitions();
    return parent -> Restriction.condition(parent, selection, defs);
  }

  /** {@code engine} as the acting user may use it. */
  public AudienceEngine apply(AudienceEngine engine) {
    Map<String, List<String>> selection = selection();
    if (selection == null) {
      return engine;
    }
    Map<String, Restriction.CategoryDef> defs = categories.definitions();
    return engine.restrictedTo(parent -> Restriction.condition(parent, selection, defs));
  }
}
