package io.customerstudio.app.journeys;

import org.junit.jupiter.api.Disabled;
import org.springframework.test.context.TestPropertySource;

/**
 * The abandoned-cart journey of {@link JourneyEngineEndToEndTest} on a DuckDB warehouse: the demo
 * warehouse generated into a DuckDB file in the data directory, the app store on PostgreSQL. The
 * same events, the same expectations: each send once, the same split groups (the warehouse's
 * SplitSql bucket checked against the journey's hash), the holdouts copied into the warehouse's
 * {@code cs_logs.journey_holdouts}.
 *
 * <p>Disabled until the app starts on a DuckDB demo warehouse: the demo generator's SQL is
 * PostgreSQL's ("Demo warehouse generation failed: Not implemented Error: Can only drop one object
 * at a time") and the warehouse migrations run through Flyway ("Unsupported Database: DuckDB 1.0");
 * both are being made DuckDB-aware in other changes. The journey engine's warehouse SQL itself is
 * checked on DuckDB by the activities' JourneyEngineOnBothWarehousesTest.
 */
@Disabled("needs the demo generator and the warehouse migrations on DuckDB (other changes)")
@TestPropertySource(properties = "studio.demo.warehouse=duckdb")
class JourneyEngineEndToEndDuckDbTest extends JourneyEngineEndToEndTest {

  @Override
  boolean duckDbWarehouse() {
    return true;
  }
}
