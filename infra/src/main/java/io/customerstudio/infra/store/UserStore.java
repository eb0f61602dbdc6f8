package io.customerstudio.infra.store;

import static io.customerstudio.infra.store.jooq.Tables.APP_USER;

import io.customerstudio.infra.store.jooq.tables.records.AppUserRecord;
import java.time.Clock;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jooq.DSLContext;

/** The people who log in. Holds password hashes only; hashing is the caller's job. */
public class UserStore {

  /** What a user may do: ADMIN sets up sources, schema, destinations and users. */
  public enum Role {
    ADMIN,
    MARKETER
  }

  public record StudioUser(
      long id,
      String username,
      String displayName,
      String passwordHash,
      Role role,
      boolean enabled,
      OffsetDateTime createdAt,
      OffsetDateTime updatedAt,
      Map<String, List<String>> subsets) {

    /**
     * True when the user sees only the rows of her subsets (governance spec 4). Admins never are,
     * whatever is stored.
     */
    public boolean restricted() {
      return subsets != null && role != Role.ADMIN;
    }
  }

  private final DSLContext db;
  private final Clock clock;

  public UserStore(DSLContext db, Clock clock) {
    this.db = db;
    this.clock = clock;
  }

  public Optional<StudioUser> find(String username) {
    return db.selectFrom(APP_USER)
        .where(APP_USER.USERNAME.eq(username))
        .fetchOptional()
        .map(UserStore::toUser);
  }

  public List<StudioUser> list() {
    return db.selectFrom(APP_USER).orderBy(APP_USER.USERNAME).fetch().map(UserStore::toUser);
  }

  public long count() {
    return db.fetchCount(APP_USER);
  }

  public long countEnabledAdmins() {
    return db.fetchCount(
        APP_USER, APP_USER.ROLE.eq(Role.ADMIN.name()).and(APP_USER.ENABLED.isTrue()));
  }

  public StudioUser create(String username, String displayName, String passwordHash, Role role) {
    OffsetDateTime now = OffsetDateTime.now(clock);
    return toUser(
        db.insertInto(APP_USER)
            .set(APP_USER.USERNAME, username)
            .set(APP_USER.DISPLAY_NAME, displayName)
            .set(APP_USER.PASSWORD_HASH, passwordHash)
            .set(APP_USER.ROLE, role.name())
            .set(APP_USER.ENABLED, true)
            .set(APP_USER.CREATED_AT, now)
            .set(APP_USER.UPDATED_AT, now)
            .returning()
            .fetchSingle());
  }

  /** Updates name, role and enabled flag; returns false when no such user exists. */
  public boolean update(String username, String displayName, Role role, boolean enabled) {
    return db.update(APP_USER)
            .set(APP_USER.DISPLAY_NAME, displayName)
            .set(APP_USER.ROLE, role.name())
            .set(APP_USER.ENABLED, enabled)
            .set(APP_USER.UPDATED_AT, OffsetDateTime.now(clock))
            .where(APP_USER.USERNAME.eq(username))
            .execute()
        == 1;
  }

  public boolean setPasswordHash(String username, String passwordHash) {
    return db.update(APP_USER)
            .set(APP_USER.PASSWORD_HASH, passwordHash)
            .set(APP_USER.UPDATED_AT, OffsetDateTime.now(clock))
            .where(APP_USER.USERNAME.eq(username))
            .execute()
        == 1;
  }

  /**
   * Sets the user's subsets ({@code {"region": ["eu"]}}; null: not restricted); false when no such
   * user exists.
   */
  public boolean setSubsets(String username, Map<String, List<String>> subsets) {
    return db.update(APP_USER)
            .set(APP_USER.SUBSETS, SubsetCategoryStore.writeSelection(subsets))
            .set(APP_USER.UPDATED_AT, OffsetDateTime.now(clock))
            .where(APP_USER.USERNAME.eq(username))
            .execute()
        == 1;
  }

  public boolean delete(String username) {
    return db.deleteFrom(APP_USER).where(APP_USER.USERNAME.eq(username)).execute() == 1;
  }

  private static StudioUser toUser(AppUserRecord r) {
    return new StudioUser(
        r.getId(),
        r.getUsername(),
        r.getDisplayName(),
        r.getPasswordHash(),
        Role.valueOf(r.getRole()),
        r.getEnabled(),
        r.getCreatedAt(),
        r.getUpdatedAt(),
        SubsetCategoryStore.readSelection(r.getSubsets()));
  }
}
