package io.customerstudio.query.engine;

import io.customerstudio.query.testing.Engine;

/** Every test of {@link AudienceEngineTest}, on a DuckDB warehouse. */
class AudienceEngineDuckDbTest extends AudienceEngineTest {

  @Override
  Engine engine() {
    return Engine.DUCKDB;
  }
}
