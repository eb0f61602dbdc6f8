package io.customerstudio.query.testing;

import com.fasterxml.jackson.databind.JsonNode;
import io.customerstudio.query.audience.AggFunction;
import io.customerstudio.query.audience.AudienceDefinition;
import io.customerstudio.query.audience.Condition;
import io.customerstudio.query.audience.Op;
import io.customerstudio.query.audience.TimeUnit;
import java.math.BigDecimal;
import java.math.MathContext;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;

/**
 * An in-memory evaluator of audience definitions over {@link ShopFixture}'s rows, written from the
 * spec and sharing no code with the compiler: the oracle of the differential test.
 */
public final class ReferenceEvaluator {

  private final ShopFixture shop;
  private final Map<String, AudienceDefinition> audiences;
  private final Instant asOf;
  private final Map<Long, Map<String, Object>> productsById = new HashMap<>();
  private final Map<Object, List<Map<String, Object>>> purchasesByUser = new HashMap<>();
  private final Map<Object, List<Map<String, Object>>> eventsByUser = new HashMap<>();

  public ReferenceEvaluator(
      ShopFixture shop, Map<String, AudienceDefinition> audiences, Instant asOf) {
    this.shop = shop;
    this.audiences = audiences;
    this.asOf = asOf;
    shop.products.forEach(p -> productsById.put((Long) p.get("product_id"), p));
    for (Map<String, Object> p : shop.purchases) {
      if (p.get("user_id") != null) {
        purchasesByUser.computeIfAbsent(p.get("user_id"), k -> new ArrayList<>()).add(p);
      }
    }
    for (Map<String, Object> e : shop.events) {
      if (!"bot".equals(e.get("event_type"))) {
        eventsByUser.computeIfAbsent(e.get("user_id"), k -> new ArrayList<>()).add(e);
      }
    }
  }

  public Set<Long> members(AudienceDefinition d) {
    Set<Long> out = new HashSet<>();
    for (Map<String, Object> u : shop.users) {
      if (d.filter() == null || eval(d.filter(), "users", u)) {
        out.add((Long) u.get("user_id"));
      }
    }
    return out;
  }

  boolean eval(Condition c, String model, Map<String, Object> row) {
    if (c instanceof Condition.And a) {
      return a.conditions().stream().allMatch(x -> eval(x, model, row));
    }
    if (c instanceof Condition.Or o) {
      return o.conditions().stream().anyMatch(x -> eval(x, model, row));
    }
    if (c instanceof Condition.Not n) {
      return !eval(n.condition(), model, row);
    }
    if (c instanceof Condition.Property p) {
      return compare(row.get(p.column()), p.op(), p.value());
    }
    if (c instanceof Condition.Trait t) {
      return compare(trait(t.trait(), row), t.op(), t.value());
    }
    if (c instanceof Condition.Relation r) {
      String target = target(model, r.relationship());
      List<Map<String, Object>> rows = new ArrayList<>();
      for (Map<String, Object> x : related(model, r.relationship(), row)) {
        if (r.where() == null || eval(r.where(), target, x)) {
          rows.add(x);
        }
      }
      if (r.aggregate() == null) {
        return !rows.isEmpty();
      }
      Object value = aggregate(rows, r.aggregate().function(), r.aggregate().column());
      return compare(value, r.aggregate().op(), r.aggregate().value());
    }
    if (c instanceof Condition.Event e) {
      long n = 0;
      for (Map<String, Object> x : related(model, "events", row)) {
        if (e.eventType() != null && !e.eventType().equals(x.get("event_type"))) {
          continue;
        }
        if (e.where() != null && !eval(e.where(), "events", x)) {
          continue;
        }
        if (e.window() != null && !inWindow(instant(x.get("occurred_at")), e.window())) {
          continue;
        }
        n++;
      }
      Op op = e.count() == null ? Op.GTE : e.count().op();
      JsonNode v =
          e.count() == null
              ? com.fasterxml.jackson.databind.node.IntNode.valueOf(1)
              : e.count().value();
      return compare(BigDecimal.valueOf(n), op, v);
    }
    if (c instanceof Condition.AudienceRef a) {
      AudienceDefinition other = audiences.get(a.audience());
      boolean in = other.filter() == null || eval(other.filter(), model, row);
      return a.member() == in;
    }
    throw new IllegalArgumentException("reference evaluator does not handle " + c);
  }

  private String target(String model, String relationship) {
    return switch (model + "." + relationship) {
      case "users.purchases" -> "purchases";
      case "purchases.product" -> "products";
      case "users.events" -> "events";
      default -> throw new IllegalArgumentException(model + "." + relationship);
    };
  }

  private List<Map<String, Object>> related(
      String model, String relationship, Map<String, Object> row) {
    switch (model + "." + relationship) {
      case "users.purchases":
        return purchasesByUser.getOrDefault(row.get("user_id"), List.of());
      case "purchases.product":
        Map<String, Object> p =
            row.get("product_id") == null ? null : productsById.get(row.get("product_id"));
        return p == null ? List.of() : List.of(p);
      case "users.events":
        return eventsByUser.getOrDefault(row.get("user_id"), List.of());
      default:
        throw new IllegalArgumentException(model + "." + relationship);
    }
  }

  Object trait(String name, Map<String, Object> user) {
    List<Map<String, Object>> purchases = related("users", "purchases", user);
    switch (name) {
      case "ltv":
        return aggregate(
            purchases.stream().filter(p -> "paid".equals(p.get("status"))).toList(),
            AggFunction.SUM,
            "amount");
      case "order_count":
        return BigDecimal.valueOf(purchases.size());
      case "last_order_at":
        return aggregate(purchases, AggFunction.MAX, "purchased_at");
      case "fav_category":
        {
          Map<String, Integer> counts = new TreeMap<>();
          for (Map<String, Object> p : purchases) {
            for (Map<String, Object> prod : related("purchases", "product", p)) {
              counts.merge((String) prod.get("category"), 1, Integer::sum);
            }
          }
          return counts.entrySet().stream()
              .max(
                  Comparator.<Map.Entry<String, Integer>>comparingInt(Map.Entry::getValue)
                      .thenComparing(Map.Entry::getKey, Comparator.reverseOrder()))
              .map(Map.Entry::getKey)
              .orElse(null);
        }
      case "first_status":
        return purchases.stream()
            .sorted(
                Comparator.comparing(
                        (Map<String, Object> p) -> instant(p.get("purchased_at")),
                        Comparator.nullsLast(Comparator.naturalOrder()))
                    .thenComparing(p -> (Long) p.get("purchase_id")))
            .findFirst()
            .map(p -> p.get("status"))
            .orElse(null);
      case "value_tier":
        {
          Object ltv = trait("ltv", user);
          if (ltv != null && ((BigDecimal) ltv).compareTo(BigDecimal.valueOf(500)) >= 0) {
            return "gold";
          }
          if (ltv != null && ((BigDecimal) ltv).compareTo(BigDecimal.valueOf(100)) >= 0) {
            return "silver";
          }
          return "bronze";
        }
      case "email_domain":
        return ((String) user.get("email"))
            .substring(((String) user.get("email")).indexOf('@') + 1);
      default:
        throw new IllegalArgumentException(name);
    }
  }

  private Object aggregate(List<Map<String, Object>> rows, AggFunction f, String column) {
    if (f == AggFunction.COUNT && column == null) {
      return BigDecimal.valueOf(rows.size());
    }
    List<Object> values = rows.stream().map(r -> r.get(column)).filter(Objects::nonNull).toList();
    switch (f) {
      case COUNT:
        return BigDecimal.valueOf(values.size());
      case COUNT_DISTINCT:
        return BigDecimal.valueOf(
            values.stream().map(ReferenceEvaluator::normal).distinct().count());
      case SUM:
        return values.isEmpty()
            ? null
            : values.stream()
                .map(v -> (BigDecimal) number(v))
                .reduce(BigDecimal.ZERO, BigDecimal::add);
      case AVG:
        return values.isEmpty()
            ? null
            : values.stream()
                .map(v -> (BigDecimal) number(v))
                .reduce(BigDecimal.ZERO, BigDecimal::add)
                .divide(BigDecimal.valueOf(values.size()), MathContext.DECIMAL128);
      case MIN:
        return values.stream()
            .map(ReferenceEvaluator::normal)
            .min(ReferenceEvaluator::compareValues)
            .orElse(null);
      case MAX:
        return values.stream()
            .map(ReferenceEvaluator::normal)
            .max(ReferenceEvaluator::compareValues)
            .orElse(null);
      default:
        throw new IllegalArgumentException(f.name());
    }
  }

  /** Comparable form: numbers as BigDecimal, times as Instant. */
  private static Object normal(Object v) {
    if (v instanceof Long || v instanceof Integer || v instanceof BigDecimal) {
      return number(v);
    }
    if (v instanceof OffsetDateTime || v instanceof LocalDate) {
      return instant(v);
    }
    return v;
  }

  @SuppressWarnings({"unchecked", "rawtypes"})
  private static int compareValues(Object a, Object b) {
    return ((Comparable) a).compareTo(b);
  }

  private static Object number(Object v) {
    if (v instanceof BigDecimal d) {
      return d;
    }
    return BigDecimal.valueOf(((Number) v).longValue());
  }

  static Instant instant(Object v) {
    if (v == null) {
      return null;
    }
    if (v instanceof OffsetDateTime t) {
      return t.toInstant();
    }
    if (v instanceof LocalDate d) {
      return d.atStartOfDay().toInstant(ZoneOffset.UTC);
    }
    if (v instanceof Instant i) {
      return i;
    }
    throw new IllegalArgumentException(v.getClass().getName());
  }

  private boolean inWindow(Instant t, Condition.Window w) {
    if (w instanceof Condition.Window.WithinLast x) {
      return t != null && !t.isBefore(x.unit().before(asOf, x.amount())) && !t.isAfter(asOf);
    }
    if (w instanceof Condition.Window.NotWithinLast x) {
      return t == null || t.isBefore(x.unit().before(asOf, x.amount())) || t.isAfter(asOf);
    }
    if (w instanceof Condition.Window.Between x) {
      return t != null && !t.isBefore(x.from()) && t.isBefore(x.to());
    }
    if (w instanceof Condition.Window.Before x) {
      return t != null && t.isBefore(x.at());
    }
    if (w instanceof Condition.Window.After x) {
      return t != null && t.isAfter(x.at());
    }
    throw new IllegalArgumentException(w.toString());
  }

  /** The spec's operators, NULL rule included. */
  boolean compare(Object raw, Op op, JsonNode v) {
    Object x = normal(raw);
    if (op == Op.IS_NULL) {
      return x == null;
    }
    if (op == Op.IS_NOT_NULL) {
      return x != null;
    }
    if (x == null) {
      return op == Op.NEQ || op == Op.NOT_IN || op == Op.NOT_CONTAINS || op == Op.NOT_WITHIN_LAST;
    }
    switch (op) {
      case EQ:
        return eq(x, v);
      case NEQ:
        return !eq(x, v);
      case IN:
        for (JsonNode e : v) {
          if (eq(x, e)) {
            return true;
          }
        }
        return false;
      case NOT_IN:
        return !compare(raw, Op.IN, v);
      case GT:
        return cmp(x, v) > 0;
      case GTE:
        return cmp(x, v) >= 0;
      case LT:
        return cmp(x, v) < 0;
      case LTE:
        return cmp(x, v) <= 0;
      case BETWEEN:
        return cmp(x, v.get(0)) >= 0 && cmp(x, v.get(1)) <= 0;
      case CONTAINS:
        return ((String) x).toLowerCase().contains(v.asText().toLowerCase());
      case NOT_CONTAINS:
        return !((String) x).toLowerCase().contains(v.asText().toLowerCase());
      case STARTS_WITH:
        return ((String) x).toLowerCase().startsWith(v.asText().toLowerCase());
      case ENDS_WITH:
        return ((String) x).toLowerCase().endsWith(v.asText().toLowerCase());
      case IS_TRUE:
        return Boolean.TRUE.equals(x);
      case IS_FALSE:
        return Boolean.FALSE.equals(x);
      case WITHIN_LAST:
      case NOT_WITHIN_LAST:
        {
          Instant lower =
              TimeUnit.ofJson(v.get("unit").asText()).before(asOf, v.get("amount").asLong());
          Instant t = (Instant) x;
          boolean within = !t.isBefore(lower) && !t.isAfter(asOf);
          return op == Op.WITHIN_LAST ? within : !within;
        }
      case BEFORE:
        return ((Instant) x).isBefore(Instant.parse(v.asText()));
      case AFTER:
        return ((Instant) x).isAfter(Instant.parse(v.asText()));
      default:
        throw new IllegalArgumentException(op.name());
    }
  }

  private static boolean eq(Object x, JsonNode v) {
    if (x instanceof BigDecimal d) {
      return d.compareTo(v.decimalValue()) == 0;
    }
    if (x instanceof Boolean b) {
      return b == v.asBoolean();
    }
    if (x instanceof Instant t) {
      return t.equals(Instant.parse(v.asText()));
    }
    return x.equals(v.asText());
  }

  private static int cmp(Object x, JsonNode v) {
    if (x instanceof BigDecimal d) {
      return d.compareTo(v.decimalValue());
    }
    if (x instanceof Instant t) {
      return t.compareTo(Instant.parse(v.asText()));
    }
    return ((String) x).compareTo(v.asText());
  }
}
