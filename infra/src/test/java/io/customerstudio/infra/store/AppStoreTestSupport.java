package io.customerstudio.infra.store;

import io.customerstudio.infra.config.StudioProperties;
import java.nio.file.Path;
import java.time.Duration;

/** Settings for an app store that is the embedded default on a given data directory. */
final class AppStoreTestSupport {

  private AppStoreTestSupport() {}

  static StudioProperties embedded(Path dataDir, boolean durable) {
    StudioProperties.Database unset = new StudioProperties.Database(null, null, null);
    return new StudioProperties(
        unset,
        unset,
        new StudioProperties.Temporal(null, "default", "q"),
        new StudioProperties.Demo(false, "postgres", 10, 1, "demo", null),
        dataDir,
        new StudioProperties.Embedded(durable),
        null,
        null,
        null,
        new StudioProperties.Sync(
            Duration.ofDays(7), Duration.ofSeconds(30), Duration.ofDays(7), Duration.ofMinutes(30)),
        new StudioProperties.Governance("cs_logs"));
  }
}
