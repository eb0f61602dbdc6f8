package io.customerstudio.workflows.config;

import io.customerstudio.infra.temporal.TemporalConnection;
import io.customerstudio.infra.temporal.WorkerRegistrar;
import io.customerstudio.workflows.probe.ProbeService;
import io.customerstudio.workflows.probe.ProbeWorkflowImpl;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Puts every workflow implementation on the app's worker, and exposes the clients that start them.
 */
@Configuration(proxyBeanMethods = false)
public class WorkflowsConfiguration {

  @Bean
  WorkerRegistrar workflowsRegistrar() {
    return worker -> worker.registerWorkflowImplementationTypes(ProbeWorkflowImpl.class);
  }

  @Bean
  ProbeService probeService(TemporalConnection connection) {
    return new ProbeService(connection.client(), connection.taskQueue());
  }
}
