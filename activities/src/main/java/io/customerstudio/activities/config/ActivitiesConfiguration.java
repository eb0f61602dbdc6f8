package io.customerstudio.activities.config;

import io.customerstudio.activities.probe.ProbeActivitiesImpl;
import io.customerstudio.infra.temporal.WorkerRegistrar;
import io.customerstudio.infra.warehouse.Warehouse;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** Puts every activity implementation on the app's worker. */
@Configuration(proxyBeanMethods = false)
public class ActivitiesConfiguration {

  @Bean
  WorkerRegistrar activitiesRegistrar(Warehouse warehouse) {
    return worker -> worker.registerActivitiesImplementations(new ProbeActivitiesImpl(warehouse));
  }
}
