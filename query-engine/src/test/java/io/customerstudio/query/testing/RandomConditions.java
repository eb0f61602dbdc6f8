package io.customerstudio.query.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.util.List;
import java.util.Random;

/**
 * Random condition trees over {@link ShopFixture}'s schema, as JSON: every condition type the
 * reference evaluator knows, operators valid for each column type, and values drawn from (and just
 * around) the data, so that edges and NULLs are hit often.
 */
public final class RandomConditions {

  private static final JsonNodeFactory F = JsonNodeFactory.instance;
  private static final ObjectMapper M = new ObjectMapper();

  private final Random r;

  public RandomConditions(long seed) {
    this.r = new Random(seed);
  }

  private record Col(String name, String type) {}

  private static final List<Col> USERS =
      List.of(
          new Col("email", "string"),
          new Col("country", "string"),
          new Col("score", "number"),
          new Col("age", "number"),
          new Col("vip", "boolean"),
          new Col("signup_at", "timestamp"),
          new Col("birthday", "timestamp"),
          new Col("attrs", "json"),
          new Col("user_id", "number"));
  private static final List<Col> PURCHASES =
      List.of(
          new Col("amount", "number"),
          new Col("status", "string"),
          new Col("purchased_at", "timestamp"),
          new Col("product_id", "number"));
  private static final List<Col> EVENTS =
      List.of(
          new Col("event_type", "string"),
          new Col("occurred_at", "timestamp"),
          new Col("properties", "json"));
  private static final List<Col> PRODUCTS =
      List.of(new Col("category", "string"), new Col("price", "number"));
  private static final List<Col> TRAITS =
      List.of(
          new Col("ltv", "number"),
          new Col("order_count", "number"),
          new Col("last_order_at", "timestamp"),
          new Col("fav_category", "string"),
          new Col("first_status", "string"),
          new Col("value_tier", "string"),
          new Col("email_domain", "string"));

  public JsonNode condition(int depth) {
    int pick = r.nextInt(depth <= 0 ? 6 : 10);
    return switch (pick) {
      case 0, 1 -> property(USERS, "users");
      case 2 -> trait();
      case 3 -> relation(depth);
      case 4 -> event(depth);
      case 5 -> audience();
      case 6, 7 -> group(r.nextBoolean() ? "and" : "or", depth);
      default -> not(depth);
    };
  }

  private JsonNode group(String type, int depth) {
    ObjectNode o = typed(type);
    ArrayNode list = o.putArray("conditions");
    int n = r.nextInt(4);
    for (int i = 0; i < n; i++) {
      list.add(condition(depth - 1));
    }
    return o;
  }

  private JsonNode not(int depth) {
    ObjectNode o = typed("not");
    o.set("condition", condition(depth - 1));
    return o;
  }

  private JsonNode audience() {
    ObjectNode o = typed("audience");
    o.put("audience", r.nextBoolean() ? "germans" : "buyers");
    o.put("op", r.nextBoolean() ? "member" : "not_member");
    return o;
  }

  private JsonNode property(List<Col> cols, String model) {
    Col c = cols.get(r.nextInt(cols.size()));
    ObjectNode o = typed("property");
    o.put("column", c.name());
    opAndValue(o, c.type(), c.name());
    return o;
  }

  private JsonNode trait() {
    Col c = TRAITS.get(r.nextInt(TRAITS.size()));
    ObjectNode o = typed("trait");
    o.put("trait", c.name());
    opAndValue(o, c.type(), c.name());
    return o;
  }

  private JsonNode relation(int depth) {
    ObjectNode o = typed("relation");
    o.put("relationship", "purchases");
    if (r.nextBoolean()) {
      o.set("where", purchaseWhere(depth - 1));
    }
    if (r.nextInt(3) > 0) {
      ObjectNode a = o.putObject("aggregate");
      String fn = List.of("count", "count_distinct", "sum", "avg", "min", "max").get(r.nextInt(6));
      a.put("function", fn);
      String type = "number";
      if (!fn.equals("count")) {
        Col c =
            fn.equals("sum") || fn.equals("avg")
                ? PURCHASES.get(0)
                : fn.equals("count_distinct")
                    ? PURCHASES.get(r.nextInt(4))
                    : List.of(PURCHASES.get(0), PURCHASES.get(2), PURCHASES.get(1))
                        .get(r.nextInt(3));
        a.put("column", c.name());
        if (fn.equals("min") || fn.equals("max")) {
          type = c.type();
        }
      }
      if (type.equals("number") && (fn.startsWith("count"))) {
        countOp(a);
      } else {
        opAndValue(
            a, type, fn.equals("min") || fn.equals("max") ? a.get("column").asText() : "amount");
        if (List.of("is_null", "is_not_null").contains(a.get("op").asText())
            || a.get("op").asText().contains("within")) {
          a.put("op", type.equals("string") ? "eq" : "gte");
          a.set(
              "value",
              type.equals("timestamp")
                  ? F.textNode(time())
                  : type.equals("string") ? F.textNode("paid") : F.numberNode(100));
        }
      }
    }
    return o;
  }

  private JsonNode purchaseWhere(int depth) {
    if (depth > 0 && r.nextInt(4) == 0) {
      ObjectNode rel = typed("relation");
      rel.put("relationship", "product");
      rel.set("where", property(PRODUCTS, "products"));
      return rel;
    }
    if (depth > 0 && r.nextInt(4) == 0) {
      ObjectNode o = typed(r.nextBoolean() ? "and" : "or");
      o.putArray("conditions")
          .add(property(PURCHASES, "purchases"))
          .add(property(PURCHASES, "purchases"));
      return o;
    }
    return property(PURCHASES, "purchases");
  }

  private JsonNode event(int depth) {
    ObjectNode o = typed("event");
    o.put("event", "events");
    if (r.nextInt(3) > 0) {
      o.put("eventType", List.of("view", "cart", "order", "refund").get(r.nextInt(4)));
    }
    if (r.nextInt(3) == 0) {
      o.set("where", property(EVENTS, "events"));
    }
    if (r.nextInt(3) > 0) {
      ObjectNode w = o.putObject("window");
      switch (r.nextInt(5)) {
        case 0 -> w.set("withinLast", duration());
        case 1 -> w.set("notWithinLast", duration());
        case 2 -> {
          String a = time();
          String b = time();
          if (a.compareTo(b) > 0) {
            String t = a;
            a = b;
            b = t;
          }
          if (a.equals(b)) {
            b = Instant.parse(a).plusSeconds(86400).toString();
          }
          w.putArray("between").add(a).add(b);
        }
        case 3 -> w.put("before", time());
        default -> w.put("after", time());
      }
    }
    if (r.nextBoolean()) {
      countOp(o.putObject("count"));
    }
    return o;
  }

  private void countOp(ObjectNode o) {
    String op =
        List.of("eq", "neq", "gt", "gte", "lt", "lte", "between", "in", "not_in").get(r.nextInt(9));
    o.put("op", op);
    switch (op) {
      case "between" -> o.putArray("value").add(r.nextInt(2)).add(1 + r.nextInt(4));
      case "in", "not_in" -> o.putArray("value").add(r.nextInt(3)).add(r.nextInt(5));
      default -> o.put("value", r.nextInt(4));
    }
  }

  private void opAndValue(ObjectNode o, String type, String column) {
    List<String> ops =
        switch (type) {
          case "string" ->
              List.of(
                  "eq",
                  "neq",
                  "in",
                  "not_in",
                  "contains",
                  "not_contains",
                  "starts_with",
                  "ends_with",
                  "is_null",
                  "is_not_null");
          case "number" ->
              List.of(
                  "eq",
                  "neq",
                  "in",
                  "not_in",
                  "gt",
                  "gte",
                  "lt",
                  "lte",
                  "between",
                  "is_null",
                  "is_not_null");
          case "boolean" -> List.of("eq", "neq", "is_true", "is_false", "is_null", "is_not_null");
          case "timestamp" ->
              List.of(
                  "eq",
                  "neq",
                  "gt",
                  "gte",
                  "lt",
                  "lte",
                  "between",
                  "within_last",
                  "not_within_last",
                  "before",
                  "after",
                  "is_null",
                  "is_not_null");
          default -> List.of("is_null", "is_not_null");
        };
    String op = ops.get(r.nextInt(ops.size()));
    o.put("op", op);
    switch (op) {
      case "is_null", "is_not_null", "is_true", "is_false" -> {}
      case "in", "not_in" -> {
        ArrayNode a = o.putArray("value");
        for (int i = 0; i <= r.nextInt(3); i++) {
          a.add(scalar(type, column));
        }
      }
      case "between" -> {
        JsonNode a = scalar(type, column);
        JsonNode b = scalar(type, column);
        o.putArray("value").add(a).add(b);
      }
      case "within_last", "not_within_last" -> o.set("value", duration());
      case "contains", "not_contains", "starts_with", "ends_with" ->
          o.put(
              "value",
              List.of("e", "De", "@mail", "user1", "de", "GOLD", "pa", "s", "o").get(r.nextInt(9)));
      default -> o.set("value", scalar(type, column));
    }
  }

  private JsonNode scalar(String type, String column) {
    return switch (type) {
      case "string" ->
          F.textNode(
              switch (column) {
                case "country" -> pick(List.of("DE", "FR", "US", "GB", "de", "XX"));
                case "status", "first_status" ->
                    pick(List.of("paid", "refunded", "pending", "void"));
                case "event_type" -> pick(List.of("view", "cart", "order"));
                case "category", "fav_category" -> pick(List.of("shoes", "books", "toys"));
                case "value_tier" -> pick(List.of("gold", "silver", "bronze"));
                case "email_domain" -> pick(List.of("mail.com", "shop.de"));
                default -> "user" + r.nextInt(300) + "@" + pick(List.of("mail.com", "shop.de"));
              });
      case "number" ->
          switch (column) {
            case "amount", "ltv", "price" ->
                F.numberNode(new java.math.BigDecimal(r.nextInt(60000)).movePointLeft(2));
            case "score" ->
                F.numberNode(new java.math.BigDecimal(r.nextInt(200) - 50).movePointLeft(1));
            case "order_count" -> F.numberNode(r.nextInt(7));
            case "product_id" -> F.numberNode(1 + r.nextInt(12));
            case "user_id" -> F.numberNode(1 + r.nextInt(300));
            default -> F.numberNode(18 + r.nextInt(60));
          };
      case "boolean" -> F.booleanNode(r.nextBoolean());
      default -> F.textNode(time());
    };
  }

  private String pick(List<String> values) {
    return values.get(r.nextInt(values.size()));
  }

  /** Times near AS_OF, often on whole days or exact week boundaries (window edges). */
  private String time() {
    long minutes =
        r.nextInt(4) == 0
            ? -(r.nextInt(3) * 7L * 24 * 60)
            : (long) (r.nextGaussian() * 120 * 24 * 60);
    return ShopFixture.AS_OF.plusSeconds(minutes * 60).toString();
  }

  private JsonNode duration() {
    ObjectNode d = F.objectNode();
    d.put("amount", List.of(0, 1, 2, 7, 14, 30, 90).get(r.nextInt(7)));
    d.put("unit", List.of("minute", "hour", "day", "week", "month", "year").get(r.nextInt(6)));
    return d;
  }

  private static ObjectNode typed(String type) {
    ObjectNode o = F.objectNode();
    o.put("type", type);
    return o;
  }

  public static String json(JsonNode n) {
    try {
      return M.writeValueAsString(n);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }
}
