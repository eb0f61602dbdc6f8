package io.customerstudio.app;

import io.customerstudio.query.testing.TestPostgres;
import java.nio.file.Files;
import java.nio.file.Path;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * The app as tests see it: one Spring context for every test class that extends this (Spring caches
 * it), with the app store on a fresh database of the JVM's embedded PostgreSQL, the warehouse
 * shared with it (so the demo data is generated), and an in-process Temporal server. A subclass may
 * put the warehouse on DuckDB with {@code @TestPropertySource(properties =
 * "studio.demo.warehouse=duckdb")}.
 */
@SpringBootTest(
    classes = CustomerStudioApplication.class,
    webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
    properties = {
      "studio.admin-password=" + AppTestSupport.ADMIN_PASSWORD,
      "studio.demo.data=true",
      // the suite's warehouse is the app store's PostgreSQL (the one-command default is DuckDB;
      // JourneyEngineEndToEndDuckDbTest and the sync end-to-end test cover DuckDB)
      "studio.demo.warehouse=postgres",
      "studio.demo.users=" + AppTestSupport.DEMO_USERS,
      "studio.demo.anchor=2026-11-01T00:00:00Z",
      // a killed worker's batches move to another within seconds (the fault tests need it)
      "studio.sync.heartbeat-timeout=PT4S",
      // the login lockout test waits one lock out (the limits themselves keep their defaults: 5
      // failures per user, 20 per address, which the whole suite from 127.0.0.1 stays under)
      "studio.login.lockout=PT1S",
    })
public abstract class AppTestSupport {

  public static final String ADMIN_PASSWORD = "test-admin-password";
  public static final int DEMO_USERS = 2000;

  @DynamicPropertySource
  static void appStore(DynamicPropertyRegistry registry) throws Exception {
    String url = TestPostgres.newDatabaseUrl("app");
    registry.add("studio.database.url", () -> url);
    registry.add("studio.database.user", () -> "postgres");
    registry.add("studio.database.password", () -> "");
    Path dataDir = Files.createTempDirectory("studio-test-data");
    registry.add("studio.data-dir", dataDir::toString);
  }
}
