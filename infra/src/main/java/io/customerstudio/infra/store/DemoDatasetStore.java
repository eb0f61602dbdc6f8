package io.customerstudio.infra.store;

import static io.customerstudio.infra.store.jooq.Tables.DEMO_DATASET;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.jooq.DSLContext;

/** Which demo datasets were generated, with what inputs, so a restart never regenerates one. */
public class DemoDatasetStore {

  private static final ObjectMapper JSON = new ObjectMapper();

  public record DemoDataset(
      String schema,
      long seed,
      int users,
      OffsetDateTime anchor,
      Map<String, Long> rowCounts,
      long millis,
      OffsetDateTime generatedAt) {}

  private final DSLContext db;

  public DemoDatasetStore(DSLContext db) {
    this.db = db;
  }

  public Optional<DemoDataset> find(String schema) {
    return db.selectFrom(DEMO_DATASET)
        .where(DEMO_DATASET.SCHEMA_NAME.eq(schema))
        .fetchOptional()
        .map(
            r ->
                new DemoDataset(
                    r.getSchemaName(),
                    r.getSeed(),
                    r.getUsers(),
                    r.getAnchor(),
                    readCounts(r.getRowCounts()),
                    r.getMillis(),
                    r.getGeneratedAt()));
  }

  public void save(DemoDataset d) {
    db.insertInto(DEMO_DATASET)
        .set(DEMO_DATASET.SCHEMA_NAME, d.schema())
        .set(DEMO_DATASET.SEED, d.seed())
        .set(DEMO_DATASET.USERS, d.users())
        .set(DEMO_DATASET.ANCHOR, d.anchor().withOffsetSameInstant(ZoneOffset.UTC))
        .set(DEMO_DATASET.ROW_COUNTS, writeCounts(d.rowCounts()))
        .set(DEMO_DATASET.MILLIS, d.millis())
        .set(DEMO_DATASET.GENERATED_AT, d.generatedAt())
        .onConflict(DEMO_DATASET.SCHEMA_NAME)
        .doUpdate()
        .set(DEMO_DATASET.SEED, d.seed())
        .set(DEMO_DATASET.USERS, d.users())
        .set(DEMO_DATASET.ANCHOR, d.anchor())
        .set(DEMO_DATASET.ROW_COUNTS, writeCounts(d.rowCounts()))
        .set(DEMO_DATASET.MILLIS, d.millis())
        .set(DEMO_DATASET.GENERATED_AT, d.generatedAt())
        .execute();
  }

  private static Map<String, Long> readCounts(String json) {
    try {
      return JSON.readValue(json, new TypeReference<LinkedHashMap<String, Long>>() {});
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("demo_dataset.row_counts is not valid JSON", e);
    }
  }

  private static String writeCounts(Map<String, Long> counts) {
    try {
      return JSON.writeValueAsString(counts);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }
}
