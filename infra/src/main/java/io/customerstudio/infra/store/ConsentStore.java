package io.customerstudio.infra.store;

import static io.customerstudio.infra.store.jooq.Tables.CONSENT_CONFIG;

import java.time.Clock;
import java.time.OffsetDateTime;
import java.util.Optional;
import org.jooq.DSLContext;

/** The installation's consent source (the API's JSON), one or none. */
public class ConsentStore {

  public record StoredConsent(String config, String updatedBy, OffsetDateTime updatedAt) {}

  private final DSLContext db;
  private final Clock clock;

  public ConsentStore(DSLContext db, Clock clock) {
    this.db = db;
    this.clock = clock;
  }

  public Optional<StoredConsent> get() {
    return db.selectFrom(CONSENT_CONFIG)
        .where(CONSENT_CONFIG.ID.eq(1))
        .fetchOptional()
        .map(r -> new StoredConsent(r.getConfig(), r.getUpdatedBy(), r.getUpdatedAt()));
  }

  public void put(String config, String user) {
    OffsetDateTime now = OffsetDateTime.now(clock);
    db.insertInto(CONSENT_CONFIG)
        .set(CONSENT_CONFIG.ID, 1)
        .set(CONSENT_CONFIG.CONFIG, config)
        .set(CONSENT_CONFIG.UPDATED_BY, user)
        .set(CONSENT_CONFIG.UPDATED_AT, now)
        .onConflict(CONSENT_CONFIG.ID)
        .doUpdate()
        .set(CONSENT_CONFIG.CONFIG, config)
        .set(CONSENT_CONFIG.UPDATED_BY, user)
        .set(CONSENT_CONFIG.UPDATED_AT, now)
        .execute();
  }

  public boolean delete() {
    return db.deleteFrom(CONSENT_CONFIG).execute() == 1;
  }
}
