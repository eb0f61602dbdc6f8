package io.customerstudio.query.governance;

import io.customerstudio.query.testing.Engine;

/** Every governance scenario of {@link GovernanceScenariosTest}, on a DuckDB warehouse. */
class GovernanceScenariosDuckDbTest extends GovernanceScenariosTest {

  @Override
  Engine engine() {
    return Engine.DUCKDB;
  }

  @Override
  int scenarios() {
    return Integer.getInteger("governance.duckdb.scenarios", 300);
  }
}
