package io.customerstudio.infra.store;

import static io.customerstudio.infra.store.jooq.Tables.APP_USER;
import static io.customerstudio.infra.store.jooq.Tables.DESTINATION;
import static io.customerstudio.infra.store.jooq.Tables.SUBSET_CATEGORY;
import static io.customerstudio.infra.store.jooq.Tables.SYNC;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.customerstudio.infra.store.jooq.tables.records.SubsetCategoryRecord;
import io.customerstudio.query.governance.Restriction;
import java.time.Clock;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jooq.DSLContext;
import org.jooq.Field;
import org.jooq.Record2;
import org.jooq.Result;
import org.jooq.Table;

/**
 * Subset categories (governance spec 4): named conditions over one parent model that restrict what
 * a user sees and what a sync or destination delivers. Subsets are stored as the JSON array of the
 * API ({@code [{"key", "name", "condition"}]}); a selection ({@code {"region": ["eu"]}}) is stored
 * as JSON text on users, syncs and destinations, read and written by {@link #readSelection} and
 * {@link #writeSelection}. Validation is the caller's job.
 */
public class SubsetCategoryStore {

  public record Subset(String key, String name, String conditionJson) {}

  public record Category(
      String key,
      String name,
      String parent,
      List<Subset> subsets,
      String createdBy,
      OffsetDateTime createdAt,
      String updatedBy,
      OffsetDateTime updatedAt) {}

  public record Draft(String name, String parent, List<Subset> subsets) {}

  /** Who requires a category: {@code kind} is "user", "sync" or "destination". */
  public record Use(String kind, String key) {
    @Override
    public String toString() {
      return kind + " \"" + key + "\"";
    }
  }

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final TypeReference<LinkedHashMap<String, List<String>>> SELECTION =
      new TypeReference<>() {};

  private final DSLContext db;
  private final Clock clock;

  public SubsetCategoryStore(DSLContext db, Clock clock) {
    this.db = db;
    this.clock = clock;
  }

  public List<Category> list() {
    return db.selectFrom(SUBSET_CATEGORY)
        .orderBy(SUBSET_CATEGORY.CATEGORY_KEY)
        .fetch()
        .map(SubsetCategoryStore::toCategory);
  }

  public Optional<Category> find(String key) {
    return db.selectFrom(SUBSET_CATEGORY)
        .where(SUBSET_CATEGORY.CATEGORY_KEY.eq(key))
        .fetchOptional()
        .map(SubsetCategoryStore::toCategory);
  }

  /** Creates it; false when the key is taken. */
  public boolean create(String key, Draft d, String user) {
    OffsetDateTime now = OffsetDateTime.now(clock);
    return db.insertInto(SUBSET_CATEGORY)
            .set(SUBSET_CATEGORY.CATEGORY_KEY, key)
            .set(SUBSET_CATEGORY.NAME, d.name())
            .set(SUBSET_CATEGORY.PARENT_MODEL, d.parent())
            .set(SUBSET_CATEGORY.SUBSETS, writeSubsets(d.subsets()))
            .set(SUBSET_CATEGORY.CREATED_BY, user)
            .set(SUBSET_CATEGORY.CREATED_AT, now)
            .set(SUBSET_CATEGORY.UPDATED_BY, user)
            .set(SUBSET_CATEGORY.UPDATED_AT, now)
            .onConflictDoNothing()
            .execute()
        == 1;
  }

  /** Replaces name, parent and subsets; false when there is no such category. */
  public boolean update(String key, Draft d, String user) {
    return db.update(SUBSET_CATEGORY)
            .set(SUBSET_CATEGORY.NAME, d.name())
            .set(SUBSET_CATEGORY.PARENT_MODEL, d.parent())
            .set(SUBSET_CATEGORY.SUBSETS, writeSubsets(d.subsets()))
            .set(SUBSET_CATEGORY.UPDATED_BY, user)
            .set(SUBSET_CATEGORY.UPDATED_AT, OffsetDateTime.now(clock))
            .where(SUBSET_CATEGORY.CATEGORY_KEY.eq(key))
            .execute()
        == 1;
  }

  public boolean delete(String key) {
    return db.deleteFrom(SUBSET_CATEGORY).where(SUBSET_CATEGORY.CATEGORY_KEY.eq(key)).execute()
        == 1;
  }

  /** Every category as the restriction reads it: parent and each subset's condition JSON. */
  public Map<String, Restriction.CategoryDef> definitions() {
    Map<String, Restriction.CategoryDef> out = new LinkedHashMap<>();
    for (Category c : list()) {
      Map<String, JsonNode> subsets = new LinkedHashMap<>();
      for (Subset s : c.subsets()) {
        subsets.put(s.key(), read(s.conditionJson()));
      }
      out.put(c.key(), new Restriction.CategoryDef(c.key(), c.parent(), subsets));
    }
    return out;
  }

  /**
   * The users, syncs and destinations whose selection names {@code category} (and, when {@code
   * subset} is not null, that subset of it). The tables are small; selections are read in Java.
   */
  public List<Use> uses(String category, String subset) {
    List<Use> uses = new ArrayList<>();
    collect(uses, "user", APP_USER, APP_USER.USERNAME, APP_USER.SUBSETS, category, subset);
    collect(uses, "sync", SYNC, SYNC.SYNC_KEY, SYNC.SUBSETS, category, subset);
    collect(
        uses,
        "destination",
        DESTINATION,
        DESTINATION.DESTINATION_KEY,
        DESTINATION.SUBSETS,
        category,
        subset);
    return uses;
  }

  private void collect(
      List<Use> uses,
      String kind,
      Table<?> table,
      Field<String> key,
      Field<String> column,
      String category,
      String subset) {
    Result<Record2<String, String>> rows =
        db.select(key, column).from(table).where(column.isNotNull()).orderBy(key).fetch();
    for (Record2<String, String> r : rows) {
      Map<String, List<String>> selection = readSelection(r.value2());
      if (selection != null
          && selection.containsKey(category)
          && (subset == null || selection.get(category).contains(subset))) {
        uses.add(new Use(kind, r.value1()));
      }
    }
  }

  /** A stored selection; null for null (not restricted). */
  public static Map<String, List<String>> readSelection(String json) {
    if (json == null) {
      return null;
    }
    try {
      return JSON.readValue(json, SELECTION);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("stored subsets are not valid JSON: " + json, e);
    }
  }

  /** A selection as stored; null for null. */
  public static String writeSelection(Map<String, List<String>> selection) {
    if (selection == null) {
      return null;
    }
    try {
      return JSON.writeValueAsString(selection);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  private static String writeSubsets(List<Subset> subsets) {
    ArrayNode array = JSON.createArrayNode();
    for (Subset s : subsets) {
      ObjectNode o = array.addObject();
      o.put("key", s.key());
      o.put("name", s.name());
      o.set("condition", read(s.conditionJson()));
    }
    return array.toString();
  }

  private static List<Subset> readSubsets(String json) {
    List<Subset> out = new ArrayList<>();
    for (JsonNode s : read(json)) {
      out.add(
          new Subset(
              s.path("key").asText(), s.path("name").asText(), s.path("condition").toString()));
    }
    return out;
  }

  private static JsonNode read(String json) {
    try {
      return JSON.readTree(json);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("stored JSON is not valid: " + json, e);
    }
  }

  private static Category toCategory(SubsetCategoryRecord r) {
    return new Category(
        r.getCategoryKey(),
        r.getName(),
        r.getParentModel(),
        readSubsets(r.getSubsets()),
        r.getCreatedBy(),
        r.getCreatedAt(),
        r.getUpdatedBy(),
        r.getUpdatedAt());
  }
}
