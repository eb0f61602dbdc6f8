package io.customerstudio.query.schema;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.customerstudio.query.ValidationException;
import io.customerstudio.query.testing.TestDuckDb;
import java.sql.Connection;
import java.sql.Statement;
import java.util.List;
import javax.sql.DataSource;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Schema setup on a DuckDB warehouse: its tables and views listed, typed and validated. */
class JdbcIntrospectorDuckDbTest {

  static DataSource ds;
  static JdbcIntrospector introspector;

  @BeforeAll
  static void warehouse() throws Exception {
    ds = TestDuckDb.newDatabase("introspect");
    try (Connection c = ds.getConnection();
        Statement st = c.createStatement()) {
      st.execute("create schema crm");
      st.execute(
          "create table crm.people (id bigint primary key, email varchar not null, ltv decimal(10,2),"
              + " seen timestamptz, born date, vip boolean, props json, tags varchar[])");
      st.execute("create table crm.orders (order_id integer, person_id bigint, total double)");
      st.execute("create view crm.big_orders as select * from crm.orders where total > 100");
    }
    introspector = new JdbcIntrospector(ds);
  }

  @Test
  void listsTheDatabasesOwnTablesAndViews() {
    assertThat(introspector.tables())
        .contains("crm.people", "crm.orders", "crm.big_orders")
        .noneMatch(t -> t.startsWith("information_schema.") || t.startsWith("pg_catalog."));
  }

  @Test
  void mapsDuckDbTypesToSpecTypes() {
    List<Column> columns = introspector.tableColumns("crm", "people").orElseThrow();
    assertThat(columns)
        .extracting(Column::name, Column::type)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple("id", ColumnType.NUMBER),
            org.assertj.core.groups.Tuple.tuple("email", ColumnType.STRING),
            org.assertj.core.groups.Tuple.tuple("ltv", ColumnType.NUMBER),
            org.assertj.core.groups.Tuple.tuple("seen", ColumnType.TIMESTAMP),
            org.assertj.core.groups.Tuple.tuple("born", ColumnType.TIMESTAMP),
            org.assertj.core.groups.Tuple.tuple("vip", ColumnType.BOOLEAN),
            org.assertj.core.groups.Tuple.tuple("props", ColumnType.JSON));
    assertThat(columns.get(1).nullable()).isFalse();
    assertThat(introspector.tableColumns("crm", "missing")).isEmpty();
    assertThat(
            introspector.queryColumns(
                "select person_id, sum(total) as spent from crm.orders group by 1"))
        .extracting(Column::name, Column::type)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple("person_id", ColumnType.NUMBER),
            org.assertj.core.groups.Tuple.tuple("spent", ColumnType.NUMBER));
  }

  @Test
  void validatesModelsAgainstTablesAndViewsAndNamesWhatIsWrong() {
    Catalog catalog =
        new SchemaValidator(introspector)
            .validate(
                SchemaDocument.parse(
                    """
                    {"models": [
                      {"name": "people", "kind": "parent", "source": {"table": "crm.people"}, "primaryKey": "id"},
                      {"name": "orders", "kind": "related", "source": {"table": "crm.big_orders"}, "primaryKey": "order_id"}],
                     "relationships": [{"name": "orders", "from": "people", "to": "orders",
                                        "cardinality": "one_to_many", "on": [["id", "person_id"]]}],
                     "traits": [{"name": "domain", "model": "people", "kind": "sql",
                                 "expression": "split_part(email, '@', 2)", "type": "string"}]}"""));
    assertThat(catalog.model("orders")).isPresent();
    assertThatThrownBy(
            () ->
                new SchemaValidator(introspector)
                    .validate(
                        SchemaDocument.parse(
                            """
                            {"models": [{"name": "people", "kind": "parent",
                                         "source": {"table": "crm.nobody"}, "primaryKey": "id"}]}""")))
        .isInstanceOf(ValidationException.class)
        .hasMessageContaining("$.models[0].source.table");
  }
}
