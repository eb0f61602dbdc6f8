package io.customerstudio.infra.demo;

import io.customerstudio.infra.config.StudioProperties;
import io.customerstudio.infra.store.DemoDatasetStore;
import io.customerstudio.infra.store.SchemaStore;
import io.customerstudio.infra.warehouse.Warehouse;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.InitializingBean;

/**
 * On first start, generates the demo warehouse (when the warehouse is the embedded default, the app
 * store's database or the DuckDB file in the data directory, or when {@code STUDIO_DEMO_DATA=true})
 * and registers the matching schema document, so audiences can be built at once. Idempotent: a
 * dataset recorded in the app store is never regenerated.
 */
public final class DemoWarehouseBootstrap implements InitializingBean {

  private static final Logger log = LoggerFactory.getLogger(DemoWarehouseBootstrap.class);

  private final StudioProperties properties;
  private final Warehouse warehouse;
  private final DemoDatasetStore datasets;
  private final SchemaStore schemas;
  private final Clock clock;
  private boolean generatedNow;

  public DemoWarehouseBootstrap(
      StudioProperties properties,
      Warehouse warehouse,
      DemoDatasetStore datasets,
      SchemaStore schemas,
      Clock clock) {
    this.properties = properties;
    this.warehouse = warehouse;
    this.datasets = datasets;
    this.schemas = schemas;
    this.clock = clock;
  }

  /** Demo data is on by default only where it cannot touch a customer's warehouse. */
  public boolean enabled() {
    Boolean explicit = properties.demo().data();
    return explicit != null ? explicit : warehouse.sharedWithAppStore() || embeddedDuckDb();
  }

  /**
   * Whether the warehouse is the DuckDB file the app keeps in its data directory ({@code
   * STUDIO_DEMO_WAREHOUSE=duckdb} with no {@code STUDIO_WAREHOUSE_URL}): the embedded default, like
   * the app store's database, never a customer's warehouse.
   */
  private boolean embeddedDuckDb() {
    return warehouse.duckDb() && properties.demo().duckdb() && !properties.warehouse().configured();
  }

  @Override
  public void afterPropertiesSet() {
    StudioProperties.Demo demo = properties.demo();
    if (!enabled()) {
      log.atInfo()
          .addKeyValue("setting", "STUDIO_DEMO_DATA")
          .log(
              "Demo warehouse: not generated (external warehouse; set STUDIO_DEMO_DATA=true to generate it)");
      return;
    }
    if (datasets.find(demo.schema()).isPresent()) {
      log.info("Demo warehouse: schema '{}' already generated, kept as is", demo.schema());
    } else {
      Instant anchor =
          demo.anchor() != null ? demo.anchor() : clock.instant().truncatedTo(ChronoUnit.DAYS);
      var generator =
          new DemoWarehouseGenerator(
              warehouse.dataSource(),
              warehouse.dialect(),
              Math.min(4, Runtime.getRuntime().availableProcessors()));
      var result =
          generator.generate(
              new DemoWarehouseGenerator.Spec(demo.schema(), demo.seed(), demo.users(), anchor));
      datasets.save(
          new DemoDatasetStore.DemoDataset(
              demo.schema(),
              demo.seed(),
              demo.users(),
              anchor.atOffset(ZoneOffset.UTC),
              result.rowCounts(),
              result.elapsed().toMillis(),
              OffsetDateTime.now(clock)));
      generatedNow = true;
    }
    if (schemas.current().isEmpty()) {
      schemas.save(demoSchemaDocument(demo.schema()), "system");
      log.info("Demo warehouse: registered the demo schema (models over '{}')", demo.schema());
    }
  }

  /**
   * Whether this start generated the demo data (a first start of a demo workspace): what seeds its
   * demo content (the abandoned-cart journey and its destinations) once, never again.
   */
  public boolean generatedNow() {
    return generatedNow;
  }

  /** The schema document describing the demo tables in {@code schema}. */
  public static String demoSchemaDocument(String schema) {
    try (InputStream in =
        DemoWarehouseBootstrap.class.getResourceAsStream("/demo/demo-schema.json")) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8).replace("${schema}", schema);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
