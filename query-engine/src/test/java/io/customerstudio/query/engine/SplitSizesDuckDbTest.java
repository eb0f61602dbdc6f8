package io.customerstudio.query.engine;

import io.customerstudio.query.testing.Engine;

/** Every test of {@link SplitSizesTest}, on a DuckDB warehouse. */
class SplitSizesDuckDbTest extends SplitSizesTest {

  @Override
  Engine engine() {
    return Engine.DUCKDB;
  }
}
