package io.customerstudio.query.governance;

import io.customerstudio.query.testing.Engine;

/** Every test of {@link RestrictionTest}, on a DuckDB warehouse. */
class RestrictionDuckDbTest extends RestrictionTest {

  @Override
  Engine engine() {
    return Engine.DUCKDB;
  }
}
