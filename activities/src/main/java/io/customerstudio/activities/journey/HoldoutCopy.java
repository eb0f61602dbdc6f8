package io.customerstudio.activities.journey;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.jooq.DSLContext;
import org.jooq.Name;
import org.jooq.impl.DSL;

/**
 * Copies the journeys' holdout log from the app store to the warehouse's {@code
 * <logSchema>.journey_holdouts} (spec 6), by id: rows the warehouse has are skipped, so a copy
 * repeated after a crash adds nothing twice, and a copy that failed is made up by the next one.
 */
final class HoldoutCopy {

  private static final int CHUNK = 10_000;

  private final DSLContext app;
  private final DSLContext warehouse;
  private final Name table;
  private final Map<String, Long> copied = new ConcurrentHashMap<>();

  HoldoutCopy(DSLContext app, DSLContext warehouse, String logSchema) {
    this.app = app;
    this.warehouse = warehouse;
    this.table = DSL.name(logSchema, "journey_holdouts");
  }

  void copy(String journey) {
    long last =
        copied.computeIfAbsent(
            journey,
            j ->
                warehouse.fetchValue(
                    DSL.select(
                            DSL.coalesce(
                                DSL.max(DSL.field(DSL.name("holdout_id"), Long.class)), 0L))
                        .from(DSL.table(table))
                        .where(DSL.field(DSL.name("journey_key"), String.class).eq(j))));
    while (true) {
      var rows =
          app.fetch(
              "select id, version, node, grp, person, at from journey_holdout"
                  + " where journey_key = ? and id > ? order by id limit ?",
              journey,
              last,
              CHUNK);
      if (rows.isEmpty()) {
        return;
      }
      JourneyWarehouseSql.insertHoldouts(
          warehouse, table, journey, rows.map(JourneyWarehouseSql.Holdout::of));
      last = rows.get(rows.size() - 1).get(0, Long.class);
      copied.put(journey, last);
    }
  }
}
