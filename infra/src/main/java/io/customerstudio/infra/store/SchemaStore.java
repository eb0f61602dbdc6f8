package io.customerstudio.infra.store;

import static io.customerstudio.infra.store.jooq.Tables.WAREHOUSE_SCHEMA;

import java.time.Clock;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Optional;
import org.jooq.DSLContext;
import org.jooq.impl.DSL;

/**
 * The registered warehouse schema document (spec/audience-definition.md, section 1), versioned:
 * every save appends a version and the highest one is current.
 */
public class SchemaStore {

  public record SchemaVersion(
      int version, String document, String createdBy, OffsetDateTime createdAt) {}

  private final DSLContext db;
  private final Clock clock;

  public SchemaStore(DSLContext db, Clock clock) {
    this.db = db;
    this.clock = clock;
  }

  public Optional<SchemaVersion> current() {
    return db.selectFrom(WAREHOUSE_SCHEMA)
        .orderBy(WAREHOUSE_SCHEMA.VERSION.desc())
        .limit(1)
        .fetchOptional()
        .map(
            r ->
                new SchemaVersion(
                    r.getVersion(), r.getDocument(), r.getCreatedBy(), r.getCreatedAt()));
  }

  public List<SchemaVersion> versions() {
    return db.selectFrom(WAREHOUSE_SCHEMA)
        .orderBy(WAREHOUSE_SCHEMA.VERSION.desc())
        .fetch()
        .map(
            r ->
                new SchemaVersion(
                    r.getVersion(), r.getDocument(), r.getCreatedBy(), r.getCreatedAt()));
  }

  /** Appends a version. Concurrent saves serialize on the table lock, so versions never clash. */
  public SchemaVersion save(String document, String createdBy) {
    return db.transactionResult(
        tx -> {
          DSLContext t = tx.dsl();
          t.execute("lock table warehouse_schema in share row exclusive mode");
          int next =
              t.select(DSL.coalesce(DSL.max(WAREHOUSE_SCHEMA.VERSION), 0))
                      .from(WAREHOUSE_SCHEMA)
                      .fetchSingle()
                      .value1()
                  + 1;
          OffsetDateTime now = OffsetDateTime.now(clock);
          t.insertInto(WAREHOUSE_SCHEMA)
              .set(WAREHOUSE_SCHEMA.VERSION, next)
              .set(WAREHOUSE_SCHEMA.DOCUMENT, document)
              .set(WAREHOUSE_SCHEMA.CREATED_BY, createdBy)
              .set(WAREHOUSE_SCHEMA.CREATED_AT, now)
              .execute();
          return new SchemaVersion(next, document, createdBy, now);
        });
  }
}
