package io.customerstudio.query.testing;

import io.customerstudio.query.schema.Catalog;
import io.customerstudio.query.schema.JdbcIntrospector;
import io.customerstudio.query.schema.SchemaDocument;
import io.customerstudio.query.schema.SchemaValidator;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import javax.sql.DataSource;
import org.jooq.DSLContext;
import org.jooq.impl.DSL;

/**
 * A small shop in a fresh database, built once per JVM: users, products, purchases and events with
 * NULLs in every nullable column, ties, and times on both sides of {@link #AS_OF}. The same rows
 * are kept in memory for the reference evaluator. Deterministic (fixed seed).
 */
public final class ShopFixture {

  public static final Instant AS_OF = Instant.parse("2026-06-15T12:00:00Z");
  public static final List<String> COUNTRIES = List.of("DE", "FR", "US", "GB", "de");
  public static final List<String> STATUSES = List.of("paid", "refunded", "pending");
  public static final List<String> CATEGORIES = List.of("shoes", "books", "toys");
  public static final List<String> EVENT_TYPES = List.of("view", "cart", "order");
  public static final List<String> TIERS = List.of("gold", "silver", "bronze");

  public static final String SCHEMA_JSON =
      """
      {"models": [
        {"name": "users", "kind": "parent", "source": {"table": "shop.users"}, "primaryKey": "user_id", "label": "email"},
        {"name": "purchases", "kind": "related", "source": {"table": "shop.purchases"}, "primaryKey": "purchase_id", "timestamp": "purchased_at"},
        {"name": "products", "kind": "related", "source": {"table": "shop.products"}, "primaryKey": "product_id"},
        {"name": "events", "kind": "event", "source": {"sql": "select * from shop.events where event_type is distinct from 'bot'"},
         "primaryKey": "event_id", "timestamp": "occurred_at", "eventType": "event_type"}
       ],
       "relationships": [
        {"name": "purchases", "from": "users", "to": "purchases", "cardinality": "one_to_many", "on": [["user_id", "user_id"]]},
        {"name": "product", "from": "purchases", "to": "products", "cardinality": "many_to_one", "on": [["product_id", "product_id"]]},
        {"name": "events", "from": "users", "to": "events", "cardinality": "one_to_many", "on": [["user_id", "user_id"]]}
       ],
       "traits": [
        {"name": "ltv", "model": "users", "kind": "aggregation", "relationship": "purchases", "function": "sum", "column": "amount",
         "where": {"type": "property", "column": "status", "op": "eq", "value": "paid"}},
        {"name": "order_count", "model": "users", "kind": "aggregation", "relationship": "purchases", "function": "count"},
        {"name": "last_order_at", "model": "users", "kind": "aggregation", "relationship": "purchases", "function": "max", "column": "purchased_at"},
        {"name": "fav_category", "model": "users", "kind": "aggregation", "relationship": "purchases.product", "function": "most_frequent", "column": "category"},
        {"name": "first_status", "model": "users", "kind": "aggregation", "relationship": "purchases", "function": "first", "column": "status"},
        {"name": "value_tier", "model": "users", "kind": "case",
         "cases": [{"when": {"type": "trait", "trait": "ltv", "op": "gte", "value": 500}, "then": "gold"},
                   {"when": {"type": "trait", "trait": "ltv", "op": "gte", "value": 100}, "then": "silver"}],
         "else": "bronze"},
        {"name": "email_domain", "model": "users", "kind": "sql", "expression": "split_part(email, '@', 2)", "type": "string"}
       ]}
      """;

  private static final java.util.Map<String, ShopFixture> FIXTURES = new java.util.HashMap<>();

  public final DataSource dataSource;
  public final DSLContext dsl;
  public final Catalog catalog;
  public final List<Map<String, Object>> users = new ArrayList<>();
  public final List<Map<String, Object>> products = new ArrayList<>();
  public final List<Map<String, Object>> purchases = new ArrayList<>();
  public final List<Map<String, Object>> events = new ArrayList<>();

  public final Engine engine;

  private ShopFixture(String database, int userCount, Engine engine) {
    this.engine = engine;
    dataSource = engine.newDatabase(database);
    dsl = DSL.using(dataSource, engine.dialect());
    String json = engine == Engine.DUCKDB ? "json" : "jsonb";
    generate(new Random(7), userCount);
    try (Connection c = dataSource.getConnection();
        Statement st = c.createStatement()) {
      if (engine == Engine.POSTGRES) {
        st.execute("set time zone 'UTC'");
      }
      st.execute("create schema shop");
      st.execute(
          "create table shop.users (user_id bigint primary key, email text not null, country text, score numeric(8,2),"
              + " age integer, vip boolean, signup_at timestamptz, birthday date, attrs "
              + json
              + ")");
      st.execute(
          "create table shop.products (product_id bigint primary key, category text not null, price numeric(8,2) not null)");
      st.execute(
          "create table shop.purchases (purchase_id bigint primary key, user_id bigint, product_id bigint,"
              + " amount numeric(10,2), status text, purchased_at timestamptz)");
      st.execute(
          "create table shop.events (event_id bigint primary key, user_id bigint, event_type text, occurred_at timestamptz, properties "
              + json
              + ")");
      insert(
          c,
          json,
          "shop.users",
          List.of(
              "user_id",
              "email",
              "country",
              "score",
              "age",
              "vip",
              "signup_at",
              "birthday",
              "attrs"),
          users);
      insert(c, json, "shop.products", List.of("product_id", "category", "price"), products);
      insert(
          c,
          json,
          "shop.purchases",
          List.of("purchase_id", "user_id", "product_id", "amount", "status", "purchased_at"),
          purchases);
      insert(
          c,
          json,
          "shop.events",
          List.of("event_id", "user_id", "event_type", "occurred_at", "properties"),
          events);
      // the foreign-key indexes any real warehouse has
      if (engine == Engine.POSTGRES) {
        st.execute("create index on shop.purchases (user_id)");
        st.execute("create index on shop.events (user_id, occurred_at)");
      }
      st.execute("analyze");
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
    catalog =
        new SchemaValidator(new JdbcIntrospector(dataSource))
            .validate(SchemaDocument.parse(SCHEMA_JSON));
  }

  public static ShopFixture get() {
    return get(Engine.POSTGRES);
  }

  /** The shop of 300 users in a warehouse of the given engine, built once per JVM and engine. */
  public static synchronized ShopFixture get(Engine engine) {
    return FIXTURES.computeIfAbsent("shop-" + engine, k -> new ShopFixture("shop", 300, engine));
  }

  /**
   * The same shop with 50 users, in its own database: for tests that run thousands of statements
   * and need each to be cheap.
   */
  public static ShopFixture small() {
    return small(Engine.POSTGRES);
  }

  public static synchronized ShopFixture small(Engine engine) {
    return FIXTURES.computeIfAbsent(
        "small-" + engine, k -> new ShopFixture("shop_small", 50, engine));
  }

  private void generate(Random r, int userCount) {
    for (long p = 1; p <= 12; p++) {
      products.add(
          row(
              "product_id",
              p,
              "category",
              CATEGORIES.get((int) (p % 3)),
              "price",
              BigDecimal.valueOf(5 + r.nextInt(200))));
    }
    long purchaseId = 1;
    long eventId = 1;
    for (long u = 1; u <= userCount; u++) {
      Map<String, Object> user =
          row(
              "user_id", u,
              "email", "user" + u + "@" + (r.nextBoolean() ? "mail.com" : "shop.de"),
              "country", maybe(r, COUNTRIES.get(r.nextInt(COUNTRIES.size()))),
              "score", maybe(r, BigDecimal.valueOf(r.nextInt(200) - 50, 1)),
              "age", maybe(r, (long) (18 + r.nextInt(60))),
              "vip", maybe(r, r.nextBoolean()),
              "signup_at", maybe(r, time(r)),
              "birthday",
                  maybe(
                      r, LocalDate.of(1950 + r.nextInt(55), 1 + r.nextInt(12), 1 + r.nextInt(28))),
              "attrs", maybe(r, "{\"k\": " + r.nextInt(3) + "}"));
      users.add(user);
      int n = r.nextInt(10) < 3 ? 0 : r.nextInt(7);
      for (int i = 0; i < n; i++) {
        purchases.add(
            row(
                "purchase_id", purchaseId++,
                "user_id", r.nextInt(40) == 0 ? null : u,
                "product_id", maybe(r, (long) (1 + r.nextInt(12))),
                "amount", maybe(r, BigDecimal.valueOf(r.nextInt(40000), 2)),
                "status", maybe(r, STATUSES.get(r.nextInt(3))),
                "purchased_at", maybe(r, time(r))));
      }
      int e = r.nextInt(10) < 2 ? 0 : r.nextInt(9);
      for (int i = 0; i < e; i++) {
        String type = r.nextInt(25) == 0 ? "bot" : maybe(r, EVENT_TYPES.get(r.nextInt(3)));
        events.add(
            row(
                "event_id", eventId++,
                "user_id", u,
                "event_type", type,
                "occurred_at", maybe(r, time(r)),
                "properties", "{\"n\": " + r.nextInt(5) + "}"));
      }
    }
  }

  /** A time within ~400 days of AS_OF, on both sides, in whole minutes; some exactly on edges. */
  private static OffsetDateTime time(Random r) {
    long minutes =
        r.nextInt(10) == 0
            ? -(r.nextInt(3) * 7L * 24 * 60)
            : (long) (r.nextGaussian() * 120 * 24 * 60);
    return AS_OF.plusSeconds(minutes * 60).atOffset(ZoneOffset.UTC);
  }

  private static <T> T maybe(Random r, T value) {
    return r.nextInt(10) == 0 ? null : value;
  }

  private static Map<String, Object> row(Object... kv) {
    Map<String, Object> m = new LinkedHashMap<>();
    for (int i = 0; i < kv.length; i += 2) {
      m.put((String) kv[i], kv[i + 1]);
    }
    return m;
  }

  private static void insert(
      Connection c, String json, String table, List<String> columns, List<Map<String, Object>> rows)
      throws SQLException {
    String sql =
        "insert into "
            + table
            + " ("
            + String.join(", ", columns)
            + ") values ("
            + String.join(
                ", ",
                columns.stream()
                    .map(x -> x.equals("attrs") || x.equals("properties") ? "?::" + json : "?")
                    .toList())
            + ")";
    try (PreparedStatement ps = c.prepareStatement(sql)) {
      for (Map<String, Object> row : rows) {
        for (int i = 0; i < columns.size(); i++) {
          Object v = row.get(columns.get(i));
          if (v == null && json.equals("json")) {
            ps.setObject(i + 1, null);
          } else if (v == null) {
            ps.setNull(i + 1, Types.OTHER);
          } else {
            ps.setObject(i + 1, v);
          }
        }
        ps.addBatch();
      }
      ps.executeBatch();
    }
  }
}
