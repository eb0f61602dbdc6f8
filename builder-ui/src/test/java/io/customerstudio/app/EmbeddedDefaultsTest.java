package io.customerstudio.app;

import static org.assertj.core.api.Assertions.assertThat;

import io.customerstudio.infra.store.AppStore;
import io.customerstudio.infra.store.DemoDatasetStore;
import io.customerstudio.infra.store.UserStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.OffsetDateTime;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * The one-command default: embedded PostgreSQL in STUDIO_DATA_DIR, the demo warehouse in a DuckDB
 * file beside it, an in-process Temporal server, demo data and an admin on first start. A restart
 * keeps users and data and prints no new password.
 */
@ExtendWith(OutputCaptureExtension.class)
class EmbeddedDefaultsTest {

  @Test
  void firstStartSetsUpEverything_andARestartKeepsIt(CapturedOutput output) throws Exception {
    Path dataDir = Files.createTempDirectory("studio-embedded");
    String[] args = {
      "--server.port=0", "--studio.data-dir=" + dataDir, "--studio.demo.users=300",
    };
    OffsetDateTime generatedAt;
    try (ConfigurableApplicationContext first =
        SpringApplication.run(CustomerStudioApplication.class, args)) {
      assertThat(first.getBean(AppStore.class).embedded()).isTrue();
      assertThat(output.getOut())
          .contains("App store: embedded PostgreSQL")
          .contains(
              "Warehouse: DuckDB at " + dataDir.resolve("warehouse").resolve("warehouse.duckdb"))
          .contains("in-process Temporal server");
      assertThat(first.getBean(io.customerstudio.infra.warehouse.Warehouse.class).duckDb())
          .isTrue();
      assertThat(output.getOut()).contains("Created user 'admin' with generated password");
      first
          .getBean(UserStore.class)
          .create("kept", null, "{noop}kept-password", UserStore.Role.MARKETER);
      generatedAt = first.getBean(DemoDatasetStore.class).find("demo").orElseThrow().generatedAt();
    }
    int printedBefore = count(output.getOut(), "generated password");

    try (ConfigurableApplicationContext second =
        SpringApplication.run(CustomerStudioApplication.class, args)) {
      assertThat(second.getBean(UserStore.class).find("kept")).isPresent();
      assertThat(second.getBean(UserStore.class).find("admin")).isPresent();
      assertThat(second.getBean(DemoDatasetStore.class).find("demo").orElseThrow().generatedAt())
          .isEqualTo(generatedAt);
    }
    assertThat(count(output.getOut(), "generated password")).isEqualTo(printedBefore).isEqualTo(1);
    assertThat(output.getOut()).contains("already generated, kept as is");
  }

  private static int count(String haystack, String needle) {
    int n = 0;
    for (int i = haystack.indexOf(needle); i >= 0; i = haystack.indexOf(needle, i + 1)) {
      n++;
    }
    return n;
  }
}
