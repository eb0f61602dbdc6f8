package io.customerstudio.workflows.config;

import io.customerstudio.infra.config.StudioProperties;
import io.customerstudio.infra.store.RunStore;
import io.customerstudio.infra.store.SyncStore;
import io.customerstudio.infra.temporal.TemporalConnection;
import io.customerstudio.infra.temporal.WorkerRegistrar;
import io.customerstudio.workflows.probe.ProbeService;
import io.customerstudio.workflows.probe.ProbeWorkflowImpl;
import io.customerstudio.workflows.sync.SyncRunWorkflowImpl;
import io.customerstudio.workflows.sync.SyncSchedulerWorkflowImpl;
import io.customerstudio.workflows.sync.SyncService;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.ApplicationListener;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Puts every workflow implementation on the app's worker, exposes the clients that start them, and
 * brings sync schedulers back once the app is ready.
 */
@Configuration(proxyBeanMethods = false)
public class WorkflowsConfiguration {

  @Bean
  WorkerRegistrar workflowsRegistrar() {
    return WorkerRegistrar.workflows(
        worker ->
            worker.registerWorkflowImplementationTypes(
                ProbeWorkflowImpl.class,
                SyncRunWorkflowImpl.class,
                SyncSchedulerWorkflowImpl.class,
                io.customerstudio.workflows.journey.JourneyWorkflowImpl.class));
  }

  @Bean
  ProbeService probeService(TemporalConnection connection) {
    return new ProbeService(connection.client(), connection.taskQueue());
  }

  @Bean
  SyncService syncService(
      TemporalConnection connection, SyncStore syncs, RunStore runs, StudioProperties properties) {
    return new SyncService(
        connection.client(),
        connection.taskQueue(),
        syncs,
        runs,
        (int) properties.sync().heartbeatTimeout().toSeconds());
  }

  @Bean
  io.customerstudio.workflows.journey.JourneyOrchestrator journeyOrchestrator(
      TemporalConnection connection, io.customerstudio.infra.store.JourneyStore journeys) {
    return new io.customerstudio.workflows.journey.JourneyOrchestrator(
        connection.client(), connection.taskQueue(), journeys);
  }

  /** Restart recovery: every live or paused journey gets its workflow back. */
  @Bean
  ApplicationListener<ApplicationReadyEvent> journeyRecovery(
      io.customerstudio.workflows.journey.JourneyOrchestrator journeys) {
    return event -> journeys.recover();
  }

  /** Restart recovery: see {@link SyncService#recover}. */
  @Bean
  ApplicationListener<ApplicationReadyEvent> syncRecovery(
      SyncService syncs, TemporalConnection connection) {
    return event -> syncs.recover(connection.inProcess());
  }
}
