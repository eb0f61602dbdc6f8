package io.customerstudio.infra.store;

import static io.customerstudio.infra.store.jooq.Tables.DESTINATION;

import io.customerstudio.infra.store.jooq.tables.records.DestinationRecord;
import java.time.Clock;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Optional;
import org.jooq.DSLContext;

/**
 * Destinations: a type, its settings ({@code config}, JSON without secrets) and its sealed secrets
 * ({@code secrets}, a JSON object of field to SecretBox value). Callers seal and unseal.
 */
public class DestinationStore {

  public record Destination(
      String key,
      String name,
      String type,
      String config,
      String secrets,
      String createdBy,
      OffsetDateTime createdAt,
      String updatedBy,
      OffsetDateTime updatedAt) {}

  public record Draft(String name, String type, String config, String secrets) {}

  /**
   * Who the destination may receive (governance spec): a rule (a condition, JSON), the consent
   * purposes it requires (a JSON array) and the subsets it requires (a JSON object); each null when
   * it has none.
   */
  public record Governance(String rule, String consentPurposes, String subsets) {
    public static final Governance NONE = new Governance(null, null, null);
  }

  private final DSLContext db;
  private final Clock clock;

  public DestinationStore(DSLContext db, Clock clock) {
    this.db = db;
    this.clock = clock;
  }

  public Optional<Destination> find(String key) {
    return db.selectFrom(DESTINATION)
        .where(DESTINATION.DESTINATION_KEY.eq(key))
        .fetchOptional()
        .map(DestinationStore::toDestination);
  }

  public List<Destination> list() {
    return db.selectFrom(DESTINATION)
        .orderBy(DESTINATION.NAME)
        .fetch()
        .map(DestinationStore::toDestination);
  }

  /** Creates it; false when the key is taken. */
  public boolean create(String key, Draft d, String user) {
    OffsetDateTime now = OffsetDateTime.now(clock);
    return db.insertInto(DESTINATION)
            .set(DESTINATION.DESTINATION_KEY, key)
            .set(DESTINATION.NAME, d.name())
            .set(DESTINATION.TYPE, d.type())
            .set(DESTINATION.CONFIG, d.config())
            .set(DESTINATION.SECRETS, d.secrets())
            .set(DESTINATION.CREATED_BY, user)
            .set(DESTINATION.CREATED_AT, now)
            .set(DESTINATION.UPDATED_BY, user)
            .set(DESTINATION.UPDATED_AT, now)
            .onConflictDoNothing()
            .execute()
        == 1;
  }

  /** Replaces its settings; false when there is no such destination. */
  public boolean update(String key, Draft d, String user) {
    return db.update(DESTINATION)
            .set(DESTINATION.NAME, d.name())
            .set(DESTINATION.TYPE, d.type())
            .set(DESTINATION.CONFIG, d.config())
            .set(DESTINATION.SECRETS, d.secrets())
            .set(DESTINATION.UPDATED_BY, user)
            .set(DESTINATION.UPDATED_AT, OffsetDateTime.now(clock))
            .where(DESTINATION.DESTINATION_KEY.eq(key))
            .execute()
        == 1;
  }

  public Governance governance(String key) {
    return db.select(DESTINATION.RULE, DESTINATION.CONSENT_PURPOSES, DESTINATION.SUBSETS)
        .from(DESTINATION)
        .where(DESTINATION.DESTINATION_KEY.eq(key))
        .fetchOptional(r -> new Governance(r.value1(), r.value2(), r.value3()))
        .orElse(Governance.NONE);
  }

  /** Sets the rule and the consent purposes (each JSON or null); false when there is none. */
  public boolean setRuleAndPurposes(String key, String rule, String consentPurposes) {
    return db.update(DESTINATION)
            .set(DESTINATION.RULE, rule)
            .set(DESTINATION.CONSENT_PURPOSES, consentPurposes)
            .where(DESTINATION.DESTINATION_KEY.eq(key))
            .execute()
        == 1;
  }

  /**
   * The subsets this destination requires (governance spec 4: other rows are excluded with reason
   * "subset"); null when it requires none, or when there is no such destination.
   */
  public java.util.Map<String, List<String>> subsets(String key) {
    return SubsetCategoryStore.readSelection(
        db.select(DESTINATION.SUBSETS)
            .from(DESTINATION)
            .where(DESTINATION.DESTINATION_KEY.eq(key))
            .fetchOne(DESTINATION.SUBSETS));
  }

  /** Sets the required subsets (null: none); false when there is no such destination. */
  public boolean setSubsets(String key, java.util.Map<String, List<String>> subsets) {
    return db.update(DESTINATION)
            .set(DESTINATION.SUBSETS, SubsetCategoryStore.writeSelection(subsets))
            .where(DESTINATION.DESTINATION_KEY.eq(key))
            .execute()
        == 1;
  }

  public boolean delete(String key) {
    return db.deleteFrom(DESTINATION).where(DESTINATION.DESTINATION_KEY.eq(key)).execute() == 1;
  }

  private static Destination toDestination(DestinationRecord r) {
    return new Destination(
        r.getDestinationKey(),
        r.getName(),
        r.getType(),
        r.getConfig(),
        r.getSecrets(),
        r.getCreatedBy(),
        r.getCreatedAt(),
        r.getUpdatedBy(),
        r.getUpdatedAt());
  }
}
