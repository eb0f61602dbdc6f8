package io.customerstudio.infra.temporal;

import io.temporal.worker.Worker;

/**
 * Contributes workflow and activity implementations to the app's worker. Modules above infra
 * declare one as a Spring bean; infra never needs to know their classes.
 */
public interface WorkerRegistrar {

  void register(Worker worker);
}
