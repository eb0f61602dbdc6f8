package io.customerstudio.query.testing;

import javax.sql.DataSource;
import org.jooq.SQLDialect;

/** The warehouse engines every warehouse test runs on. */
public enum Engine {
  POSTGRES(SQLDialect.POSTGRES),
  DUCKDB(SQLDialect.DUCKDB);

  private final SQLDialect dialect;

  Engine(SQLDialect dialect) {
    this.dialect = dialect;
  }

  public SQLDialect dialect() {
    return dialect;
  }

  /** A pooled data source on a new, empty database of this engine. */
  public DataSource newDatabase(String prefix) {
    return this == POSTGRES ? TestPostgres.newDatabase(prefix) : TestDuckDb.newDatabase(prefix);
  }
}
