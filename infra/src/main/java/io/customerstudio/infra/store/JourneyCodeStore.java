package io.customerstudio.infra.store;

import static io.customerstudio.infra.store.jooq.Tables.JOURNEY;
import static io.customerstudio.infra.store.jooq.Tables.JOURNEY_VERSION;

import io.customerstudio.infra.store.JourneyStore.State;
import java.time.Clock;
import java.time.OffsetDateTime;
import java.util.List;
import org.jooq.DSLContext;

/**
 * Writes journeys that arrive as code (the workspace import): the draft, the published versions the
 * workspace does not have yet, and the state the import leaves them in. Joins the caller's
 * transaction, so an import lands whole or not at all. Never touches who is inside a journey.
 */
public class JourneyCodeStore {

  /** A published version as exported: its number, document, who published it and when. */
  public record ImportedVersion(
      int version, String definition, String publishedBy, OffsetDateTime publishedAt) {}

  private final DSLContext db;
  private final Clock clock;

  public JourneyCodeStore(DSLContext db, Clock clock) {
    this.db = db;
    this.clock = clock;
  }

  /**
   * Creates the journey, or replaces its draft, name and parent; adds {@code newVersions} (numbers
   * the journey does not have yet) and, when there are any, makes the newest the live version with
   * state {@code stateWithNewVersions}. Without new versions a new journey is a draft and an
   * existing one keeps its state and live version.
   */
  public void put(
      String key,
      String name,
      String parent,
      String draft,
      List<ImportedVersion> newVersions,
      State stateWithNewVersions,
      String user) {
    OffsetDateTime now = OffsetDateTime.now(clock);
    db.insertInto(JOURNEY)
        .set(JOURNEY.JOURNEY_KEY, key)
        .set(JOURNEY.NAME, name)
        .set(JOURNEY.PARENT_MODEL, parent)
        .set(JOURNEY.STATE, State.DRAFT.wire())
        .set(JOURNEY.DRAFT, draft)
        .set(JOURNEY.CREATED_BY, user)
        .set(JOURNEY.CREATED_AT, now)
        .set(JOURNEY.UPDATED_BY, user)
        .set(JOURNEY.UPDATED_AT, now)
        .onConflict(JOURNEY.JOURNEY_KEY)
        .doUpdate()
        .set(JOURNEY.NAME, name)
        .set(JOURNEY.PARENT_MODEL, parent)
        .set(JOURNEY.DRAFT, draft)
        .set(JOURNEY.UPDATED_BY, user)
        .set(JOURNEY.UPDATED_AT, now)
        .execute();
    if (newVersions.isEmpty()) {
      return;
    }
    int newest = 0;
    for (ImportedVersion v : newVersions) {
      db.insertInto(JOURNEY_VERSION)
          .set(JOURNEY_VERSION.JOURNEY_KEY, key)
          .set(JOURNEY_VERSION.VERSION, v.version())
          .set(JOURNEY_VERSION.DEFINITION, v.definition())
          .set(JOURNEY_VERSION.PUBLISHED_BY, v.publishedBy() == null ? user : v.publishedBy())
          .set(JOURNEY_VERSION.PUBLISHED_AT, v.publishedAt() == null ? now : v.publishedAt())
          .execute();
      newest = Math.max(newest, v.version());
    }
    db.update(JOURNEY)
        .set(JOURNEY.LIVE_VERSION, newest)
        .set(JOURNEY.STATE, stateWithNewVersions.wire())
        .where(JOURNEY.JOURNEY_KEY.eq(key))
        .execute();
  }
}
