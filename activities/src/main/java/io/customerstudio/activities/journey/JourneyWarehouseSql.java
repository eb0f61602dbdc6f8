package io.customerstudio.activities.journey;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Collection;
import java.util.List;
import org.jooq.DSLContext;
import org.jooq.Field;
import org.jooq.Name;
import org.jooq.SQLDialect;
import org.jooq.Table;
import org.jooq.impl.DSL;

/**
 * The journey engine's own plain SQL on the warehouse, in the warehouse's dialect: the one place it
 * branches on PostgreSQL or DuckDB. Everything else the engine asks the warehouse goes through the
 * query engine or jOOQ's DSL, which render in the context's dialect.
 *
 * <p>Lists of values travel as one bind value each: a PostgreSQL array, or on DuckDB (jOOQ cannot
 * bind arrays there) a JSON array cast to a list, so a statement's size does not grow with a batch.
 */
final class JourneyWarehouseSql {

  private static final ObjectMapper JSON = new ObjectMapper();

  /** A time as DuckDB's cast to {@code timestamptz} reads it, to the microsecond. */
  private static final DateTimeFormatter TIMESTAMP =
      DateTimeFormatter.ofPattern("uuuu-MM-dd HH:mm:ss.SSSSSSxxx");

  private JourneyWarehouseSql() {}

  static boolean duckDb(DSLContext warehouse) {
    return warehouse.dialect().family() == SQLDialect.DUCKDB;
  }

  /**
   * A derived table {@code alias(member)} of the keys, as text; its field is known to jOOQ, so
   * {@code members.field("member")} finds it (the governance check looks it up by name).
   */
  static Table<?> members(DSLContext warehouse, Collection<String> keys, String alias) {
    Field<String> unnest =
        duckDb(warehouse)
            ? DSL.field("unnest(?::json::varchar[])", String.class, json(keys))
            : DSL.field("unnest(?::text[])", String.class, (Object) keys.toArray(String[]::new));
    return DSL.select(unnest.as("member")).asTable(alias);
  }

  /** One holdout as the warehouse's {@code journey_holdouts} keeps it. */
  record Holdout(
      long id, int version, String node, String group, String person, OffsetDateTime at) {

    /** A row of the app store's {@code select id, version, node, grp, person, at}. */
    static Holdout of(org.jooq.Record r) {
      return new Holdout(
          r.get(0, Long.class),
          r.get(1, Integer.class),
          r.get(2, String.class),
          r.get(3, String.class),
          r.get(4, String.class),
          r.get(5, OffsetDateTime.class));
    }
  }

  /**
   * Inserts holdouts of {@code journey} into {@code table}, skipping ids the table has (its primary
   * key is {@code holdout_id}).
   */
  static int insertHoldouts(
      DSLContext warehouse, Name table, String journey, List<Holdout> holdouts) {
    String head =
        "insert into {0} (holdout_id, journey_key, version, node, split_group, person_key, held_at)"
            + " select t.id, {1}, t.v, t.nd, t.g, t.p, t.at from ";
    String tail = " on conflict (holdout_id) do nothing";
    if (duckDb(warehouse)) {
      return warehouse.execute(
          head
              + "(select unnest({2}::json::bigint[]) as id, unnest({3}::json::int[]) as v,"
              + " unnest({4}::json::varchar[]) as nd, unnest({5}::json::varchar[]) as g,"
              + " unnest({6}::json::varchar[]) as p,"
              + " unnest({7}::json::varchar[])::timestamptz as at) as t"
              + tail,
          DSL.table(table),
          DSL.val(journey),
          DSL.val(json(holdouts.stream().map(Holdout::id).toList())),
          DSL.val(json(holdouts.stream().map(Holdout::version).toList())),
          DSL.val(json(holdouts.stream().map(Holdout::node).toList())),
          DSL.val(json(holdouts.stream().map(Holdout::group).toList())),
          DSL.val(json(holdouts.stream().map(Holdout::person).toList())),
          DSL.val(
              json(
                  holdouts.stream()
                      .map(h -> h.at() == null ? null : h.at().format(TIMESTAMP))
                      .toList())));
    }
    return warehouse.execute(
        head
            + "unnest({2}::bigint[], {3}::int[], {4}::text[], {5}::text[], {6}::text[],"
            + " {7}::timestamptz[]) as t(id, v, nd, g, p, at)"
            + tail,
        DSL.table(table),
        DSL.val(journey),
        DSL.val(holdouts.stream().map(Holdout::id).toArray(Long[]::new)),
        DSL.val(holdouts.stream().map(Holdout::version).toArray(Integer[]::new)),
        DSL.val(holdouts.stream().map(Holdout::node).toArray(String[]::new)),
        DSL.val(holdouts.stream().map(Holdout::group).toArray(String[]::new)),
        DSL.val(holdouts.stream().map(Holdout::person).toArray(String[]::new)),
        DSL.val(holdouts.stream().map(Holdout::at).toArray(OffsetDateTime[]::new)));
  }

  private static String json(Collection<?> values) {
    try {
      return JSON.writeValueAsString(values);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("a list of keys or values did not serialize", e);
    }
  }
}
