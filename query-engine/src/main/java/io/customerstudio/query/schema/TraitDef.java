package io.customerstudio.query.schema;

import com.fasterxml.jackson.databind.JsonNode;
import io.customerstudio.query.audience.AggFunction;
import io.customerstudio.query.audience.Condition;
import java.util.List;

/** A trait of spec section 4: a named, computed column of a model. */
public sealed interface TraitDef {

  String name();

  String model();

  /** JSON path of the trait in the schema document, for errors. */
  String path();

  <R> R accept(Visitor<R> visitor);

  interface Visitor<R> {
    R aggregation(Aggregation t);

    R caseOf(Case t);

    R sql(Sql t);
  }

  /** An aggregate over rows reached by a relationship path ({@code purchases.product}). */
  record Aggregation(
      String name,
      String model,
      String path,
      List<String> relationshipPath,
      AggFunction function,
      String column,
      Condition where,
      String orderBy)
      implements TraitDef {
    public <R> R accept(Visitor<R> v) {
      return v.aggregation(this);
    }
  }

  /** The first matching {@code when} gives the value; otherwise {@code else} (may be null). */
  record Case(String name, String model, String path, List<When> cases, JsonNode elseValue)
      implements TraitDef {
    public <R> R accept(Visitor<R> v) {
      return v.caseOf(this);
    }
  }

  record When(Condition when, JsonNode then) {}

  /** An admin's SQL expression over the model's own columns, checked by the warehouse. */
  record Sql(String name, String model, String path, String expression, ColumnType type)
      implements TraitDef {
    public <R> R accept(Visitor<R> v) {
      return v.sql(this);
    }
  }
}
