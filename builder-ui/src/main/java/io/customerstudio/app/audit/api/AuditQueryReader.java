package io.customerstudio.app.audit.api;

import io.customerstudio.app.audit.AuditLog;
import io.customerstudio.app.audit.AuditTrail;
import io.customerstudio.query.Problems;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;

/**
 * Reads {@code GET /api/v1/audit}'s query parameters into an {@link AuditLog.Query}, reporting
 * every parameter at fault at once, each by its name. An empty parameter counts as absent, so
 * {@code ?entity=&key=vip} filters by key only.
 */
final class AuditQueryReader {

  private AuditQueryReader() {}

  /**
   * @return the query, or null when {@code found} holds a problem
   */
  static AuditLog.Query read(
      String entity, String key, String actor, String after, String limit, Problems found) {
    AuditTrail.Entity e = null;
    if (present(entity)) {
      e = AuditTrail.Entity.of(entity.strip()).orElse(null);
      if (e == null) {
        found.add("entity", "one of " + AuditTrail.Entity.WIRE + " (was \"" + entity + "\")");
      }
    }
    Long afterId = null;
    Instant afterAt = null;
    if (present(after)) {
      String a = after.strip();
      if (a.chars().allMatch(Character::isDigit)) {
        try {
          afterId = Long.parseLong(a);
        } catch (NumberFormatException tooLong) {
          found.add("after", "an entry id is at most " + Long.MAX_VALUE + " (was \"" + a + "\")");
        }
      } else {
        afterAt = instant(a);
        if (afterAt == null) {
          found.add(
              "after",
              "give the last entry id of the previous page (e.g. 1234) or an ISO-8601 instant"
                  + " (e.g. 2026-12-01T09:00:00Z) (was \""
                  + a
                  + "\")");
        }
      }
    }
    int n = AuditLog.DEFAULT_LIMIT;
    if (present(limit)) {
      try {
        n = Integer.parseInt(limit.strip());
      } catch (NumberFormatException notANumber) {
        n = -1;
      }
      if (n < 1 || n > AuditLog.MAX_LIMIT) {
        found.add("limit", "give 1 to " + AuditLog.MAX_LIMIT + " (was \"" + limit + "\")");
      }
    }
    if (!found.isEmpty()) {
      return null;
    }
    return new AuditLog.Query(
        e, present(key) ? key : null, present(actor) ? actor : null, afterId, afterAt, n);
  }

  /** {@code 2026-12-01T09:00:00Z} or with an offset ({@code +01:00}); null when neither. */
  private static Instant instant(String text) {
    try {
      return Instant.parse(text);
    } catch (DateTimeParseException notUtc) {
      try {
        return OffsetDateTime.parse(text).toInstant();
      } catch (DateTimeParseException neither) {
        return null;
      }
    }
  }

  private static boolean present(String s) {
    return s != null && !s.isBlank();
  }
}
