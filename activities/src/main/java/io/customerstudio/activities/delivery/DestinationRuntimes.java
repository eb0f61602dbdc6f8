package io.customerstudio.activities.delivery;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.customerstudio.activities.destinations.Connectors;
import io.customerstudio.infra.secrets.SecretBox;
import io.customerstudio.infra.store.DestinationStore;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The worker's one {@link DestinationRuntime} per destination: every run, sync and journey send
 * that delivers to a destination shares its connector, rate limiter and outage clock. A runtime is
 * rebuilt (and the old one closed) when the destination's settings change. With several workers,
 * each keeps its own runtime, so a destination's requests per second add up across workers (see
 * docs/operations.md).
 */
public final class DestinationRuntimes implements AutoCloseable {

  private static final ObjectMapper JSON = new ObjectMapper();

  private final SecretBox secrets;
  private final Path exportRoot;
  private final Duration defaultBudget;
  private final Clock clock;
  private final ConcurrentHashMap<String, DestinationRuntime> byKey = new ConcurrentHashMap<>();

  public DestinationRuntimes(
      SecretBox secrets, Path exportRoot, Duration defaultBudget, Clock clock) {
    this.secrets = secrets;
    this.exportRoot = exportRoot;
    this.defaultBudget = defaultBudget;
    this.clock = clock;
  }

  /** The shared runtime of a stored destination, current with its settings. */
  public DestinationRuntime of(DestinationStore.Destination d) {
    String fingerprint = d.type() + "\u0000" + d.config() + "\u0000" + d.secrets();
    return byKey.compute(
        d.key(),
        (key, current) -> {
          if (current != null && current.fingerprint().equals(fingerprint)) {
            return current;
          }
          if (current != null) {
            current.close();
          }
          JsonNode config;
          try {
            config = JSON.readTree(d.config());
          } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException("destination " + key + " has no readable config", e);
          }
          return new DestinationRuntime(
              key,
              fingerprint,
              Connectors.open(d, secrets, exportRoot, clock),
              Connectors.outageBudget(config, defaultBudget),
              clock);
        });
  }

  /** Closes the runtime of a deleted destination. */
  public void forget(String key) {
    DestinationRuntime r = byKey.remove(key);
    if (r != null) {
      r.close();
    }
  }

  @Override
  public void close() {
    byKey.values().forEach(DestinationRuntime::close);
    byKey.clear();
  }
}
