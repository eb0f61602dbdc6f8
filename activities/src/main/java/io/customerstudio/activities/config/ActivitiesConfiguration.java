package io.customerstudio.activities.config;

import io.customerstudio.activities.probe.ProbeActivitiesImpl;
import io.customerstudio.activities.sync.ScheduleActivitiesImpl;
import io.customerstudio.activities.sync.SyncActivitiesImpl;
import io.customerstudio.activities.sync.SyncEngine;
import io.customerstudio.activities.sync.SyncTables;
import io.customerstudio.infra.config.StudioProperties;
import io.customerstudio.infra.secrets.SecretBox;
import io.customerstudio.infra.store.AudienceStore;
import io.customerstudio.infra.store.DestinationStore;
import io.customerstudio.infra.store.RunStore;
import io.customerstudio.infra.store.SyncStore;
import io.customerstudio.infra.temporal.WorkerRegistrar;
import io.customerstudio.infra.warehouse.Warehouse;
import io.customerstudio.infra.workspace.Workspace;
import java.time.Clock;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** Puts every activity implementation on the app's worker. */
@Configuration(proxyBeanMethods = false)
public class ActivitiesConfiguration {

  @Bean
  SyncEngine syncEngine(
      SyncStore syncs,
      RunStore runs,
      AudienceStore audiences,
      DestinationStore destinations,
      SecretBox secrets,
      Workspace workspace,
      Warehouse warehouse,
      StudioProperties properties,
      Clock clock) {
    return new SyncEngine(
        syncs,
        runs,
        audiences,
        destinations,
        secrets,
        workspace,
        new SyncTables(warehouse.dsl()),
        properties.exports(),
        properties.sync().rowErrorRetention(),
        clock);
  }

  @Bean
  WorkerRegistrar activitiesRegistrar(
      Warehouse warehouse, SyncEngine sync, SyncStore syncs, RunStore runs) {
    return WorkerRegistrar.activities(
        worker ->
            worker.registerActivitiesImplementations(
                new ProbeActivitiesImpl(warehouse),
                new SyncActivitiesImpl(sync, runs),
                new ScheduleActivitiesImpl(syncs, runs)));
  }
}
