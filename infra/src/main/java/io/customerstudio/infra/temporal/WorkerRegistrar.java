package io.customerstudio.infra.temporal;

import io.temporal.worker.Worker;

/**
 * Contributes workflow or activity implementations to the app's workers. Modules above infra
 * declare one as a Spring bean; infra never needs to know their classes.
 */
public interface WorkerRegistrar {

  /** Workflows and activities poll through separate workers, so either can restart alone. */
  enum Kind {
    WORKFLOWS,
    ACTIVITIES
  }

  Kind kind();

  void register(Worker worker);

  static WorkerRegistrar workflows(java.util.function.Consumer<Worker> register) {
    return of(Kind.WORKFLOWS, register);
  }

  static WorkerRegistrar activities(java.util.function.Consumer<Worker> register) {
    return of(Kind.ACTIVITIES, register);
  }

  private static WorkerRegistrar of(Kind kind, java.util.function.Consumer<Worker> register) {
    return new WorkerRegistrar() {
      @Override
      public Kind kind() {
        return kind;
      }

      @Override
      public void register(Worker worker) {
        register.accept(worker);
      }
    };
  }
}
