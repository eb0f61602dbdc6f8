package io.customerstudio.infra.store;

import static io.customerstudio.infra.store.jooq.Tables.SYNC_ROW_ERROR;

import java.time.Clock;
import java.time.OffsetDateTime;
import java.util.List;
import org.jooq.DSLContext;

/**
 * Rows a destination rejected, per run: shown on the run's page, kept out of the delivered state
 * (so the next run sends them again), purged after the row-error retention.
 */
public class RowErrors {

  private final DSLContext db;
  private final Clock clock;

  public RowErrors(DSLContext db, Clock clock) {
    this.db = db;
    this.clock = clock;
  }

  public record RowError(String runId, String key, String reason, OffsetDateTime at) {}

  public List<RowError> errors(String runId, int offset, int limit) {
    return db.select(
            SYNC_ROW_ERROR.RUN_ID,
            SYNC_ROW_ERROR.ROW_KEY,
            SYNC_ROW_ERROR.REASON,
            SYNC_ROW_ERROR.CREATED_AT)
        .from(SYNC_ROW_ERROR)
        .where(SYNC_ROW_ERROR.RUN_ID.eq(runId))
        .orderBy(SYNC_ROW_ERROR.ID)
        .offset(offset)
        .limit(limit)
        .fetch(r -> new RowError(r.value1(), r.value2(), r.value3(), r.value4()));
  }

  /** Forgets row errors recorded before {@code before}; returns how many. */
  public int purgeErrors(OffsetDateTime before) {
    return db.deleteFrom(SYNC_ROW_ERROR).where(SYNC_ROW_ERROR.CREATED_AT.lt(before)).execute();
  }

  /** Keys of the rows the destination rejected in this run: they never enter the state. */
  public List<String> rejectedKeys(String runId) {
    return db.selectDistinct(SYNC_ROW_ERROR.ROW_KEY)
        .from(SYNC_ROW_ERROR)
        .where(SYNC_ROW_ERROR.RUN_ID.eq(runId))
        .fetch(SYNC_ROW_ERROR.ROW_KEY);
  }
}
