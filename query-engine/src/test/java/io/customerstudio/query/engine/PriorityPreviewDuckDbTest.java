package io.customerstudio.query.engine;

import io.customerstudio.query.testing.Engine;

/** Every test of {@link PriorityPreviewTest}, on a DuckDB warehouse. */
class PriorityPreviewDuckDbTest extends PriorityPreviewTest {

  @Override
  Engine engine() {
    return Engine.DUCKDB;
  }
}
