package io.customerstudio.query.audience;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * A condition of spec section 3, as sealed records. Every node carries the JSON path it was read
 * from, so any later error names the node. Values stay JSON until the compiler knows the column
 * type they are compared with. Consumers implement {@link Visitor}, so a new node type is a compile
 * error everywhere it is not handled (Java 17 has no pattern-matching switch).
 */
public sealed interface Condition {

  String path();

  <R> R accept(Visitor<R> visitor);

  /** One method per node type: the exhaustive dispatch over the tree. */
  interface Visitor<R> {
    R and(And c);

    R or(Or c);

    R not(Not c);

    R property(Property c);

    R trait(Trait c);

    R relation(Relation c);

    R event(Event c);

    R audience(AudienceRef c);

    R template(Template c);
  }

  record And(String path, List<Condition> conditions) implements Condition {
    public <R> R accept(Visitor<R> v) {
      return v.and(this);
    }
  }

  record Or(String path, List<Condition> conditions) implements Condition {
    public <R> R accept(Visitor<R> v) {
      return v.or(this);
    }
  }

  record Not(String path, Condition condition) implements Condition {
    public <R> R accept(Visitor<R> v) {
      return v.not(this);
    }
  }

  record Property(String path, String column, Op op, JsonNode value) implements Condition {
    public <R> R accept(Visitor<R> v) {
      return v.property(this);
    }
  }

  record Trait(String path, String trait, Op op, JsonNode value) implements Condition {
    public <R> R accept(Visitor<R> v) {
      return v.trait(this);
    }
  }

  /** Over related rows; without aggregate: at least one exists. */
  record Relation(String path, String relationship, Condition where, Aggregate aggregate)
      implements Condition {
    public <R> R accept(Visitor<R> v) {
      return v.relation(this);
    }
  }

  /** {@code function(column) op value} over the related rows. */
  record Aggregate(String path, AggFunction function, String column, Op op, JsonNode value) {}

  record Event(
      String path, String event, String eventType, Condition where, Window window, Count count)
      implements Condition {
    public <R> R accept(Visitor<R> v) {
      return v.event(this);
    }
  }

  record Count(String path, Op op, JsonNode value) {}

  record AudienceRef(String path, String audience, boolean member) implements Condition {
    public <R> R accept(Visitor<R> v) {
      return v.audience(this);
    }
  }

  record Template(String path, String template, Map<String, JsonNode> params) implements Condition {
    public <R> R accept(Visitor<R> v) {
      return v.template(this);
    }
  }

  /** Event windows; a {@code null} window means all time. */
  sealed interface Window {

    <R> R accept(WindowVisitor<R> visitor);

    record WithinLast(long amount, TimeUnit unit) implements Window {
      public <R> R accept(WindowVisitor<R> v) {
        return v.withinLast(this);
      }
    }

    record NotWithinLast(long amount, TimeUnit unit) implements Window {
      public <R> R accept(WindowVisitor<R> v) {
        return v.notWithinLast(this);
      }
    }

    /** Half-open: from inclusive, to exclusive. */
    record Between(Instant from, Instant to) implements Window {
      public <R> R accept(WindowVisitor<R> v) {
        return v.between(this);
      }
    }

    record Before(Instant at) implements Window {
      public <R> R accept(WindowVisitor<R> v) {
        return v.before(this);
      }
    }

    record After(Instant at) implements Window {
      public <R> R accept(WindowVisitor<R> v) {
        return v.after(this);
      }
    }
  }

  interface WindowVisitor<R> {
    R withinLast(Window.WithinLast w);

    R notWithinLast(Window.NotWithinLast w);

    R between(Window.Between w);

    R before(Window.Before w);

    R after(Window.After w);
  }
}
