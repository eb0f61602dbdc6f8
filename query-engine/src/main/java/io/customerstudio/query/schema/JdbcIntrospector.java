package io.customerstudio.query.schema;

import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import javax.sql.DataSource;

/**
 * Introspects a warehouse over JDBC. Queries are only prepared inside a read-only transaction that
 * is rolled back, and statements with a ';' or SQL comments are refused before they reach the
 * warehouse, so a model's SQL source can never be more than one read-only query.
 */
public final class JdbcIntrospector implements Introspector {

  private final DataSource dataSource;

  public JdbcIntrospector(DataSource dataSource) {
    this.dataSource = dataSource;
  }

  @Override
  public Optional<List<Column>> tableColumns(String schema, String table) {
    try (Connection c = dataSource.getConnection();
        ResultSet rs = c.getMetaData().getColumns(null, schema, table, null)) {
      List<Column> columns = new ArrayList<>();
      while (rs.next()) {
        String nativeType = rs.getString("TYPE_NAME");
        ColumnType type = ColumnType.ofNative(nativeType);
        if (type != null) {
          boolean nullable = !"NO".equals(rs.getString("IS_NULLABLE"));
          columns.add(new Column(rs.getString("COLUMN_NAME"), type, nativeType, nullable));
        }
      }
      if (columns.isEmpty() && !exists(c.getMetaData(), schema, table)) {
        return Optional.empty();
      }
      return Optional.of(columns);
    } catch (SQLException e) {
      throw new IllegalStateException(
          "Introspecting " + schema + "." + table + " failed: " + e.getMessage(), e);
    }
  }

  private static boolean exists(DatabaseMetaData meta, String schema, String table)
      throws SQLException {
    try (ResultSet rs = meta.getTables(null, schema, table, null)) {
      return rs.next();
    }
  }

  @Override
  public List<Column> queryColumns(String sql) {
    checkSingleStatement(sql);
    return prepare("select * from (" + sql + ") cs_source limit 0", this::columnsOf);
  }

  @Override
  public Column expressionType(String fromClause, String expression) {
    checkSingleStatement(expression);
    return prepare(
        "select (" + expression + ") as cs_value from " + fromClause + " limit 0",
        meta ->
            columnsOf(meta).stream()
                .findFirst()
                .orElseThrow(
                    () ->
                        new IllegalArgumentException(
                            "the expression has a type this engine cannot use")));
  }

  @Override
  public List<String> tables() {
    try (Connection c = dataSource.getConnection();
        ResultSet rs =
            c.getMetaData()
                .getTables(
                    null,
                    null,
                    "%",
                    // DuckDB reports tables as BASE TABLE
                    new String[] {
                      "TABLE", "BASE TABLE", "VIEW", "MATERIALIZED VIEW", "PARTITIONED TABLE"
                    })) {
      String catalog = c.getCatalog();
      List<String> tables = new ArrayList<>();
      while (rs.next()) {
        String schema = rs.getString("TABLE_SCHEM");
        String tableCatalog = rs.getString("TABLE_CAT");
        // DuckDB lists its system and temp catalogs too: only the database's own tables count
        boolean own = tableCatalog == null || catalog == null || tableCatalog.equals(catalog);
        // cs_sync holds the sync engine's own tables, never a model's source
        if (own
            && schema != null
            && !schema.equals("information_schema")
            && !schema.equals("cs_sync")
            && !schema.startsWith("pg_")) {
          tables.add(schema + "." + rs.getString("TABLE_NAME"));
        }
      }
      java.util.Collections.sort(tables);
      return tables;
    } catch (SQLException e) {
      throw new IllegalStateException("Listing warehouse tables failed: " + e.getMessage(), e);
    }
  }

  private interface MetaReader<T> {
    T read(ResultSetMetaData meta) throws SQLException;
  }

  private <T> T prepare(String sql, MetaReader<T> reader) {
    try (Connection c = dataSource.getConnection()) {
      boolean autoCommit = c.getAutoCommit();
      c.setAutoCommit(false);
      io.customerstudio.query.sql.Dialects.readOnly(c, true);
      try (PreparedStatement ps = c.prepareStatement(sql)) {
        ResultSetMetaData meta = ps.getMetaData();
        if (meta == null) {
          throw new IllegalArgumentException("not a query that returns rows");
        }
        return reader.read(meta);
      } catch (SQLException e) {
        throw new IllegalArgumentException(
            e.getMessage().lines().findFirst().orElse(e.getMessage()), e);
      } finally {
        c.rollback();
        io.customerstudio.query.sql.Dialects.readOnly(c, false);
        c.setAutoCommit(autoCommit);
      }
    } catch (SQLException e) {
      throw new IllegalStateException("Warehouse connection failed: " + e.getMessage(), e);
    }
  }

  private List<Column> columnsOf(ResultSetMetaData meta) throws SQLException {
    List<Column> columns = new ArrayList<>();
    for (int i = 1; i <= meta.getColumnCount(); i++) {
      String nativeType = meta.getColumnTypeName(i);
      ColumnType type = ColumnType.ofNative(nativeType);
      if (type != null) {
        boolean nullable = meta.isNullable(i) != ResultSetMetaData.columnNoNulls;
        columns.add(new Column(meta.getColumnLabel(i), type, nativeType, nullable));
      }
    }
    return columns;
  }

  /** One statement, no comments: nothing can ride along with a model's query. */
  static void checkSingleStatement(String sql) {
    if (sql == null || sql.isBlank()) {
      throw new IllegalArgumentException("is empty");
    }
    if (sql.contains(";")) {
      throw new IllegalArgumentException("must be a single statement without ';'");
    }
    if (sql.contains("--") || sql.contains("/*")) {
      throw new IllegalArgumentException("must not contain SQL comments");
    }
  }
}
