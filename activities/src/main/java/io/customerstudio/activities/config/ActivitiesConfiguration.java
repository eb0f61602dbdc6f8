package io.customerstudio.activities.config;

import io.customerstudio.activities.delivery.Delivery;
import io.customerstudio.activities.delivery.DestinationRuntimes;
import io.customerstudio.activities.probe.ProbeActivitiesImpl;
import io.customerstudio.activities.sync.AdoptSyncStates;
import io.customerstudio.activities.sync.DeliveredState;
import io.customerstudio.activities.sync.MembershipLog;
import io.customerstudio.activities.sync.RunTables;
import io.customerstudio.activities.sync.ScheduleActivitiesImpl;
import io.customerstudio.activities.sync.SyncActivitiesImpl;
import io.customerstudio.activities.sync.SyncEngine;
import io.customerstudio.infra.config.StudioProperties;
import io.customerstudio.infra.secrets.SecretBox;
import io.customerstudio.infra.store.AudienceStore;
import io.customerstudio.infra.store.BatchLedger;
import io.customerstudio.infra.store.DestinationStore;
import io.customerstudio.infra.store.LeaseStore;
import io.customerstudio.infra.store.RowErrors;
import io.customerstudio.infra.store.RunStore;
import io.customerstudio.infra.store.SnapshotStore;
import io.customerstudio.infra.store.SyncStore;
import io.customerstudio.infra.temporal.WorkerRegistrar;
import io.customerstudio.infra.warehouse.Warehouse;
import io.customerstudio.infra.warehouse.WarehouseMigrations;
import io.customerstudio.infra.workspace.Workspace;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** Puts every activity implementation on the app's worker, over one delivery core. */
@Configuration(proxyBeanMethods = false)
public class ActivitiesConfiguration {

  /** The warehouse's cs_sync tables, migrated once at start (before any step can use them). */
  @Bean
  WarehouseSchema warehouseSchema(
      Warehouse warehouse, SyncStore syncs, StudioProperties properties) {
    WarehouseMigrations.apply(
        warehouse,
        List.of(new AdoptSyncStates(() -> syncs.list().stream().map(SyncStore.Sync::key).toList())),
        properties.governance().logSchema());
    return new WarehouseSchema();
  }

  /** Marks that the warehouse schema is current; steps depend on it. */
  public static final class WarehouseSchema {}

  @Bean(destroyMethod = "close")
  DestinationRuntimes destinationRuntimes(
      SecretBox secrets, StudioProperties properties, Clock clock) {
    return new DestinationRuntimes(
        secrets, properties.exports(), properties.sync().outageBudget(), clock);
  }

  @Bean
  Delivery delivery(LeaseStore leases, StudioProperties properties) {
    return new Delivery(leases, timing(properties.sync().heartbeatTimeout()));
  }

  /** Heartbeats at least four times per heartbeat timeout, and never less often than every 3 s. */
  static Delivery.Timing timing(Duration heartbeatTimeout) {
    Duration tick = heartbeatTimeout.dividedBy(4);
    if (tick.compareTo(Delivery.Timing.DEFAULT.tick()) > 0) {
      tick = Delivery.Timing.DEFAULT.tick();
    }
    return new Delivery.Timing(
        tick, Delivery.Timing.DEFAULT.leaseTtl(), Delivery.Timing.DEFAULT.requestTimeout());
  }

  @Bean
  io.customerstudio.activities.governance.Policies policies(
      io.customerstudio.infra.store.SplitStore splits,
      io.customerstudio.infra.store.ConsentStore consent,
      DestinationStore destinations,
      SyncStore syncs,
      AudienceStore audiences,
      io.customerstudio.infra.store.PriorityListStore priorityLists,
      io.customerstudio.infra.store.SubsetCategoryStore subsets,
      io.customerstudio.infra.store.UserStore users) {
    return new io.customerstudio.activities.governance.Policies(
        splits, consent, destinations, syncs, audiences, priorityLists, subsets, users);
  }

  @Bean
  SyncEngine syncEngine(
      io.customerstudio.activities.governance.Policies policies,
      WarehouseSchema schema,
      SyncStore syncs,
      RunStore runs,
      BatchLedger ledger,
      RowErrors rowErrors,
      SnapshotStore snapshots,
      AudienceStore audiences,
      DestinationStore destinations,
      DestinationRuntimes runtimes,
      Delivery delivery,
      Workspace workspace,
      Warehouse warehouse,
      StudioProperties properties,
      Clock clock) {
    return new SyncEngine(
        syncs,
        runs,
        ledger,
        rowErrors,
        snapshots,
        audiences,
        destinations,
        runtimes,
        delivery,
        workspace,
        new RunTables(warehouse.dsl()),
        new DeliveredState(warehouse.dsl()),
        new MembershipLog(warehouse.dsl()),
        policies,
        new io.customerstudio.activities.sync.ExclusionLog(
            warehouse.dsl(), properties.governance().logSchema()),
        new SyncEngine.Retention(
            properties.sync().rowErrorRetention(), properties.sync().runRetention()),
        clock);
  }

  @Bean
  io.customerstudio.activities.journey.JourneyEngine journeyEngine(
      WarehouseSchema schema,
      org.jooq.DSLContext app,
      Warehouse warehouse,
      io.customerstudio.infra.store.JourneyStore journeys,
      Workspace workspace,
      io.customerstudio.activities.governance.Policies policies,
      DestinationStore destinations,
      DestinationRuntimes runtimes,
      Delivery delivery,
      StudioProperties properties) {
    return io.customerstudio.activities.journey.JourneyEngine.create(
        app,
        warehouse.dsl(),
        properties.governance().logSchema(),
        journeys,
        workspace,
        policies,
        destinations,
        runtimes,
        delivery,
        io.customerstudio.activities.journey.JourneyEngine.Limits.DEFAULT);
  }

  @Bean
  WorkerRegistrar activitiesRegistrar(
      Warehouse warehouse,
      SyncEngine sync,
      SyncStore syncs,
      RunStore runs,
      io.customerstudio.activities.journey.JourneyEngine journeys) {
    return WorkerRegistrar.activities(
        worker ->
            worker.registerActivitiesImplementations(
                new ProbeActivitiesImpl(warehouse),
                new SyncActivitiesImpl(sync, runs),
                new ScheduleActivitiesImpl(syncs, runs),
                new io.customerstudio.activities.journey.JourneyActivitiesImpl(journeys)));
  }
}
