package io.customerstudio.activities.destinations;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Clock;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A run exported as one CSV or JSONL file plus a manifest; resent batches never double. */
class FileConnectorTest {

  static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path dir;

  static DeliveryRow row(String key, Object... kv) {
    Map<String, Object> fields = new LinkedHashMap<>();
    for (int i = 0; i < kv.length; i += 2) {
      fields.put((String) kv[i], kv[i + 1]);
    }
    return new DeliveryRow(DeliveryRow.Op.UPSERT, key, fields);
  }

  @Test
  void csvHasEveryFieldOfTheRunAndAManifestWithItsChecksum() throws Exception {
    FileConnector c = new FileConnector(new FileConnector.Config(dir, "csv", 2), Clock.systemUTC());
    Batch first =
        new Batch(
            "vip",
            "run-9",
            1,
            "run-9-1",
            List.of(row("u1", "email", "a@x.io"), row("u2", "email", "b,\"c\"@x.io")));
    Batch second =
        new Batch(
            "vip",
            "run-9",
            2,
            "run-9-2",
            List.of(
                row("u3", "ltv", 12.5), new DeliveryRow(DeliveryRow.Op.DELETE, "u4", Map.of())));
    c.deliver(first);
    c.deliver(second);
    c.deliver(first); // a retried batch replaces its part
    c.finish("vip", "run-9");
    c.finish("vip", "run-9"); // idempotent

    Path csv = dir.resolve("vip/run-9.csv");
    assertThat(Files.readAllLines(csv))
        .containsExactly(
            "op,key,email,ltv",
            "upsert,u1,a@x.io,",
            "upsert,u2,\"b,\"\"c\"\"@x.io\",",
            "upsert,u3,,12.5",
            "delete,u4,,");
    JsonNode manifest = JSON.readTree(dir.resolve("vip/run-9.manifest.json").toFile());
    assertThat(manifest.get("rows").asInt()).isEqualTo(4);
    assertThat(manifest.get("batches").asInt()).isEqualTo(2);
    assertThat(manifest.get("file").asText()).isEqualTo("run-9.csv");
    assertThat(manifest.get("sha256").asText())
        .isEqualTo(
            HexFormat.of()
                .formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(csv))));
    assertThat(dir.resolve("vip/.parts")).doesNotExist();
  }

  @Test
  void jsonlKeepsEachRowAsTheWebhookWouldSendIt() throws Exception {
    FileConnector c =
        new FileConnector(new FileConnector.Config(dir, "jsonl", 10), Clock.systemUTC());
    c.deliver(new Batch("vip", "run-1", 1, "run-1-1", List.of(row("u1", "ltv", 3))));
    c.finish("vip", "run-1");
    assertThat(Files.readAllLines(dir.resolve("vip/run-1.jsonl")))
        .containsExactly("{\"op\":\"upsert\",\"key\":\"u1\",\"fields\":{\"ltv\":3}}");
  }

  @Test
  void unsafeNamesAndBadSettingsAreRefused() {
    assertThat(new FileConnector.Config(Path.of("rel"), "xml", 0).problems())
        .containsExactly(
            "directory: give an absolute path",
            "format: csv or jsonl",
            "batchSize: from 1 to 100000 rows");
    FileConnector c = new FileConnector(new FileConnector.Config(dir, "csv", 2), Clock.systemUTC());
    org.assertj.core.api.Assertions.assertThatThrownBy(
            () -> c.deliver(new Batch("../etc", "run-1", 1, "k", List.of(row("u1")))))
        .isInstanceOf(IllegalArgumentException.class);
    assertThat(c.test()).isEmpty();
  }
}
