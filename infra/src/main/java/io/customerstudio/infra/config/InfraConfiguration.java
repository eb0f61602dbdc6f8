package io.customerstudio.infra.config;

import io.customerstudio.infra.demo.DemoWarehouseBootstrap;
import io.customerstudio.infra.store.ApiTokenStore;
import io.customerstudio.infra.store.AppStore;
import io.customerstudio.infra.store.AudienceStore;
import io.customerstudio.infra.store.DemoDatasetStore;
import io.customerstudio.infra.store.SchemaStore;
import io.customerstudio.infra.store.TemplateStore;
import io.customerstudio.infra.store.UserStore;
import io.customerstudio.infra.temporal.TemporalConnection;
import io.customerstudio.infra.temporal.TemporalHealthIndicator;
import io.customerstudio.infra.temporal.TemporalWorker;
import io.customerstudio.infra.temporal.WorkerRegistrar;
import io.customerstudio.infra.warehouse.Warehouse;
import io.customerstudio.infra.warehouse.WarehouseHealthIndicator;
import io.customerstudio.infra.workspace.Workspace;
import io.temporal.client.WorkflowClient;
import java.time.Clock;
import java.util.List;
import javax.sql.DataSource;
import org.jooq.DSLContext;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Primary;

/**
 * The ground the app stands on: the app store (embedded or external PostgreSQL, migrated by Flyway,
 * read through jOOQ), the warehouse, Temporal and its worker, and the demo data.
 */
@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties(StudioProperties.class)
public class InfraConfiguration {

  @Bean
  Clock clock() {
    return Clock.systemUTC();
  }

  @Bean(destroyMethod = "close")
  AppStore appStore(StudioProperties properties) {
    return AppStore.start(properties);
  }

  /** The app store's pool, for Flyway and jOOQ; {@link AppStore} owns and closes it. */
  @Bean(destroyMethod = "")
  @Primary
  DataSource dataSource(AppStore appStore) {
    return appStore.dataSource();
  }

  @Bean(destroyMethod = "close")
  Warehouse warehouse(StudioProperties properties, AppStore appStore) {
    return Warehouse.connect(properties, appStore);
  }

  /** The master key for secrets at rest, checked at start-up like every other setting. */
  @Bean
  io.customerstudio.infra.secrets.SecretBox secretBox(StudioProperties properties) {
    return io.customerstudio.infra.secrets.SecretBox.open(
        properties.secretKey(), properties.dataDir(), properties.database().configured());
  }

  @Bean(destroyMethod = "close")
  TemporalConnection temporalConnection(StudioProperties properties) {
    return TemporalConnection.connect(properties.temporal());
  }

  @Bean
  WorkflowClient workflowClient(TemporalConnection connection) {
    return connection.client();
  }

  @Bean
  TemporalWorker temporalWorker(TemporalConnection connection, List<WorkerRegistrar> registrars) {
    return new TemporalWorker(connection, registrars);
  }

  @Bean
  TemporalHealthIndicator temporalHealthIndicator(
      TemporalConnection connection, TemporalWorker worker) {
    return new TemporalHealthIndicator(connection, worker);
  }

  @Bean
  WarehouseHealthIndicator warehouseHealthIndicator(Warehouse warehouse) {
    return new WarehouseHealthIndicator(warehouse);
  }

  @Bean
  UserStore userStore(DSLContext db, Clock clock) {
    return new UserStore(db, clock);
  }

  @Bean
  ApiTokenStore apiTokenStore(DSLContext db, Clock clock) {
    return new ApiTokenStore(db, clock);
  }

  @Bean
  SchemaStore schemaStore(DSLContext db, Clock clock) {
    return new SchemaStore(db, clock);
  }

  @Bean
  AudienceStore audienceStore(DSLContext db, Clock clock) {
    return new AudienceStore(db, clock);
  }

  @Bean
  io.customerstudio.infra.store.AuditStore auditStore(DSLContext db, Clock clock) {
    return new io.customerstudio.infra.store.AuditStore(db, clock);
  }

  @Bean
  io.customerstudio.infra.store.SplitStore splitStore(DSLContext db, Clock clock) {
    return new io.customerstudio.infra.store.SplitStore(db, clock);
  }

  @Bean
  io.customerstudio.infra.store.ConsentStore consentStore(DSLContext db, Clock clock) {
    return new io.customerstudio.infra.store.ConsentStore(db, clock);
  }

  @Bean
  io.customerstudio.infra.store.SubsetCategoryStore subsetCategoryStore(
      DSLContext db, Clock clock) {
    return new io.customerstudio.infra.store.SubsetCategoryStore(db, clock);
  }

  @Bean
  io.customerstudio.infra.store.JourneyStore journeyStore(DSLContext db, Clock clock) {
    return new io.customerstudio.infra.store.JourneyStore(db, clock);
  }

  @Bean
  io.customerstudio.infra.store.EventStore eventStore(DSLContext db, Clock clock) {
    return new io.customerstudio.infra.store.EventStore(db, clock);
  }

  @Bean
  io.customerstudio.infra.store.EventSourceStore eventSourceStore(DSLContext db, Clock clock) {
    return new io.customerstudio.infra.store.EventSourceStore(db, clock);
  }

  @Bean
  io.customerstudio.infra.store.JourneyCodeStore journeyCodeStore(DSLContext db, Clock clock) {
    return new io.customerstudio.infra.store.JourneyCodeStore(db, clock);
  }

  @Bean
  io.customerstudio.infra.store.JourneyInsightsStore journeyInsightsStore(DSLContext db) {
    return new io.customerstudio.infra.store.JourneyInsightsStore(db);
  }

  @Bean
  io.customerstudio.infra.store.PriorityListStore priorityListStore(DSLContext db, Clock clock) {
    return new io.customerstudio.infra.store.PriorityListStore(db, clock);
  }

  @Bean
  TemplateStore templateStore(DSLContext db, Clock clock) {
    return new TemplateStore(db, clock);
  }

  @Bean
  io.customerstudio.infra.store.DestinationStore destinationStore(DSLContext db, Clock clock) {
    return new io.customerstudio.infra.store.DestinationStore(db, clock);
  }

  @Bean
  io.customerstudio.infra.store.SyncStore syncStore(DSLContext db, Clock clock) {
    return new io.customerstudio.infra.store.SyncStore(db, clock);
  }

  @Bean
  io.customerstudio.infra.store.BatchLedger batchLedger(DSLContext db, Clock clock) {
    return new io.customerstudio.infra.store.BatchLedger(db, clock);
  }

  @Bean
  io.customerstudio.infra.store.RowErrors rowErrors(DSLContext db, Clock clock) {
    return new io.customerstudio.infra.store.RowErrors(db, clock);
  }

  @Bean
  io.customerstudio.infra.store.SnapshotStore snapshotStore(DSLContext db, Clock clock) {
    return new io.customerstudio.infra.store.SnapshotStore(db, clock);
  }

  @Bean
  io.customerstudio.infra.store.LeaseStore leaseStore(DSLContext db) {
    return new io.customerstudio.infra.store.LeaseStore(db);
  }

  @Bean
  io.customerstudio.infra.store.RunStore runStore(DSLContext db, Clock clock) {
    return new io.customerstudio.infra.store.RunStore(db, clock);
  }

  @Bean
  Workspace workspace(
      SchemaStore schemas, AudienceStore audiences, TemplateStore templates, Warehouse warehouse) {
    return new Workspace(schemas, audiences, templates, warehouse);
  }

  @Bean
  DemoDatasetStore demoDatasetStore(DSLContext db) {
    return new DemoDatasetStore(db);
  }

  @Bean
  DemoWarehouseBootstrap demoWarehouseBootstrap(
      StudioProperties properties,
      Warehouse warehouse,
      DemoDatasetStore datasets,
      SchemaStore schemas,
      Clock clock) {
    return new DemoWarehouseBootstrap(properties, warehouse, datasets, schemas, clock);
  }
}
