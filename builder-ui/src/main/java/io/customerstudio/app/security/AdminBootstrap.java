package io.customerstudio.app.security;

import io.customerstudio.app.audit.AuditTrail;
import io.customerstudio.infra.config.StudioProperties;
import io.customerstudio.infra.store.UserStore;
import java.security.SecureRandom;
import java.util.Base64;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.InitializingBean;
import org.springframework.security.crypto.password.PasswordEncoder;
import org.springframework.stereotype.Component;

/**
 * On first start (no users at all), creates {@code admin} with {@code STUDIO_ADMIN_PASSWORD}, or
 * with a generated password printed once to the log. Later starts change nothing.
 */
@Component
class AdminBootstrap implements InitializingBean {

  private static final Logger log = LoggerFactory.getLogger(AdminBootstrap.class);

  private final UserStore users;
  private final PasswordEncoder encoder;
  private final StudioProperties properties;
  private final AuditTrail audit;

  AdminBootstrap(
      UserStore users, PasswordEncoder encoder, StudioProperties properties, AuditTrail audit) {
    this.audit = audit;
    this.users = users;
    this.encoder = encoder;
    this.properties = properties;
  }

  @Override
  public void afterPropertiesSet() {
    if (users.count() > 0) {
      return;
    }
    String configured = properties.adminPassword();
    boolean generated = configured == null || configured.isBlank();
    String password = generated ? generate() : configured;
    UserStore.StudioUser admin =
        users.create("admin", "Administrator", encoder.encode(password), UserStore.Role.ADMIN);
    audit.record(
        AuditTrail.SYSTEM,
        AuditTrail.Entity.USER,
        admin.username(),
        AuditTrail.Action.CREATE,
        null,
        // the fields of UserService.UserView (users depends on this package, not the reverse)
        java.util.Map.of(
            "username", admin.username(),
            "displayName", admin.displayName(),
            "role", admin.role(),
            "enabled", admin.enabled(),
            "createdAt", admin.createdAt(),
            "updatedAt", admin.updatedAt()));
    if (generated) {
      // printed once, on purpose: it is the only way in until an admin sets their own
      log.warn(
          "Created user 'admin' with generated password: {}  (shown once; set"
              + " STUDIO_ADMIN_PASSWORD before the first start to choose it)",
          password);
    } else {
      log.info("Created user 'admin' with the password from STUDIO_ADMIN_PASSWORD");
    }
  }

  private static String generate() {
    byte[] bytes = new byte[15];
    new SecureRandom().nextBytes(bytes);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }
}
