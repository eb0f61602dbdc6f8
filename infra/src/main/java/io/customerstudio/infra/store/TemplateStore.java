package io.customerstudio.infra.store;

import static io.customerstudio.infra.store.jooq.Tables.TEMPLATE;
import static io.customerstudio.infra.store.jooq.Tables.TEMPLATE_VERSION;

import io.customerstudio.infra.store.jooq.tables.records.TemplateRecord;
import java.time.Clock;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Optional;
import org.jooq.DSLContext;

/** Saved reusable conditions, versioned like audiences. {@code params} is a JSON array of names. */
public class TemplateStore {

  public record Template(
      String key,
      String name,
      String description,
      String params,
      String condition,
      int version,
      String updatedBy,
      OffsetDateTime updatedAt) {}

  public record Draft(String name, String description, String params, String condition) {}

  private final DSLContext db;
  private final Clock clock;

  public TemplateStore(DSLContext db, Clock clock) {
    this.db = db;
    this.clock = clock;
  }

  public Optional<Template> find(String key) {
    return db.selectFrom(TEMPLATE)
        .where(TEMPLATE.TEMPLATE_KEY.eq(key))
        .fetchOptional()
        .map(TemplateStore::toTemplate);
  }

  public List<Template> list() {
    return db.selectFrom(TEMPLATE).orderBy(TEMPLATE.NAME).fetch().map(TemplateStore::toTemplate);
  }

  /** Creates or appends a version. */
  public Template save(String key, Draft d, String user) {
    OffsetDateTime now = OffsetDateTime.now(clock);
    return db.transactionResult(
        tx -> {
          Optional<TemplateRecord> current =
              tx.dsl()
                  .selectFrom(TEMPLATE)
                  .where(TEMPLATE.TEMPLATE_KEY.eq(key))
                  .forUpdate()
                  .fetchOptional();
          int version = current.map(r -> r.getCurrentVersion() + 1).orElse(1);
          TemplateRecord r =
              tx.dsl()
                  .insertInto(TEMPLATE)
                  .set(TEMPLATE.TEMPLATE_KEY, key)
                  .set(TEMPLATE.NAME, d.name())
                  .set(TEMPLATE.DESCRIPTION, d.description())
                  .set(TEMPLATE.PARAMS, d.params())
                  .set(TEMPLATE.CONDITION, d.condition())
                  .set(TEMPLATE.CURRENT_VERSION, version)
                  .set(TEMPLATE.CREATED_BY, user)
                  .set(TEMPLATE.CREATED_AT, now)
                  .set(TEMPLATE.UPDATED_BY, user)
                  .set(TEMPLATE.UPDATED_AT, now)
                  .onConflict(TEMPLATE.TEMPLATE_KEY)
                  .doUpdate()
                  .set(TEMPLATE.NAME, d.name())
                  .set(TEMPLATE.DESCRIPTION, d.description())
                  .set(TEMPLATE.PARAMS, d.params())
                  .set(TEMPLATE.CONDITION, d.condition())
                  .set(TEMPLATE.CURRENT_VERSION, version)
                  .set(TEMPLATE.UPDATED_BY, user)
                  .set(TEMPLATE.UPDATED_AT, now)
                  .returning()
                  .fetchSingle();
          tx.dsl()
              .insertInto(TEMPLATE_VERSION)
              .set(TEMPLATE_VERSION.TEMPLATE_KEY, key)
              .set(TEMPLATE_VERSION.VERSION, version)
              .set(TEMPLATE_VERSION.NAME, d.name())
              .set(TEMPLATE_VERSION.DESCRIPTION, d.description())
              .set(TEMPLATE_VERSION.PARAMS, d.params())
              .set(TEMPLATE_VERSION.CONDITION, d.condition())
              .set(TEMPLATE_VERSION.CREATED_BY, user)
              .set(TEMPLATE_VERSION.CREATED_AT, now)
              .execute();
          return toTemplate(r);
        });
  }

  public boolean delete(String key) {
    return db.deleteFrom(TEMPLATE).where(TEMPLATE.TEMPLATE_KEY.eq(key)).execute() == 1;
  }

  private static Template toTemplate(TemplateRecord r) {
    return new Template(
        r.getTemplateKey(),
        r.getName(),
        r.getDescription(),
        r.getParams(),
        r.getCondition(),
        r.getCurrentVersion(),
        r.getUpdatedBy(),
        r.getUpdatedAt());
  }
}
