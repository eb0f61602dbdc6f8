package io.customerstudio.app.journeys;

import org.springframework.test.context.TestPropertySource;

/**
 * The abandoned-cart journey of {@link JourneyEngineEndToEndTest} on a DuckDB warehouse: the demo
 * warehouse generated into a DuckDB file in the data directory, the app store on PostgreSQL. The
 * same events, the same expectations: each send once, the same split groups (the warehouse's
 * SplitSql bucket checked against the journey's hash), the holdouts copied into the warehouse's
 * {@code cs_logs.journey_holdouts}.
 *
 * <p>The journey engine's warehouse SQL is also checked on both engines, without the app, by the
 * activities' JourneyEngineOnBothWarehousesTest.
 */
@TestPropertySource(properties = "studio.demo.warehouse=duckdb")
class JourneyEngineEndToEndDuckDbTest extends JourneyEngineEndToEndTest {

  @Override
  boolean duckDbWarehouse() {
    return true;
  }
}
