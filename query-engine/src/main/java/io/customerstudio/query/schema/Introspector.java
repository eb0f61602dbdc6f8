package io.customerstudio.query.schema;

import java.util.List;
import java.util.Optional;

/** What the warehouse says exists. The engine never trusts a name it did not get from here. */
public interface Introspector {

  /** Columns of {@code schema.table}, or empty if no such table or view exists. */
  Optional<List<Column>> tableColumns(String schema, String table);

  /**
   * Columns a read-only query returns, found by preparing it (nothing runs).
   *
   * @throws IllegalArgumentException with the warehouse's message if the query is not valid
   */
  List<Column> queryColumns(String sql);

  /** Every table and view visible, as {@code schema.table}, for suggestions and pickers. */
  List<String> tables();

  /**
   * Checks that {@code select <expression>} over {@code source} is valid and returns the type of
   * the expression.
   *
   * @throws IllegalArgumentException with the warehouse's message if it is not
   */
  Column expressionType(String fromClause, String expression);
}
