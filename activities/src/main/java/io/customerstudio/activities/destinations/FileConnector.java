package io.customerstudio.activities.destinations;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.TreeSet;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVPrinter;

/**
 * Exports a run as one file, CSV or JSONL, plus a manifest, into a directory: {@code
 * <dir>/<sync>/<runId>.csv} and {@code <runId>.manifest.json} (rows, batches, columns, SHA-256).
 * Each batch is first written as its own part (named by its idempotency key, replaced atomically,
 * so a resent batch never doubles); {@link #finish} joins the parts in batch order into the run's
 * file, writes the manifest last, and removes the parts. CSV columns: op, key, then every field
 * name of the run, sorted.
 */
public final class FileConnector implements Connector {

  static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]{0,199}");
  private static final ObjectMapper JSON = new ObjectMapper();

  /** Where, and CSV or JSONL. */
  public record Config(Path directory, String format, int batchSize) {

    public List<String> problems() {
      List<String> out = new ArrayList<>();
      if (directory == null || !directory.isAbsolute()) {
        out.add("directory: give an absolute path");
      }
      if (!"csv".equals(format) && !"jsonl".equals(format)) {
        out.add("format: csv or jsonl");
      }
      if (batchSize < 1 || batchSize > 100_000) {
        out.add("batchSize: from 1 to 100000 rows");
      }
      return out;
    }
  }

  private final Config config;
  private final Clock clock;

  public FileConnector(Config config, Clock clock) {
    List<String> problems = config.problems();
    if (!problems.isEmpty()) {
      throw new IllegalArgumentException(String.join("; ", problems));
    }
    this.config = config;
    this.clock = clock;
  }

  @Override
  public int batchSize() {
    return config.batchSize();
  }

  @Override
  public List<RowOutcome> deliver(Batch batch, Pacer pacer) {
    pacer.beforeRequest();
    Path parts = partsDir(batch.sync(), batch.runId());
    Path part =
        parts.resolve(String.format("%09d-%s.jsonl", batch.number(), safe(batch.idempotencyKey())));
    try {
      Files.createDirectories(parts);
      Path tmp = Files.createTempFile(parts, "part", ".tmp");
      try (BufferedWriter w = Files.newBufferedWriter(tmp, StandardCharsets.UTF_8)) {
        for (DeliveryRow r : batch.rows()) {
          try (com.fasterxml.jackson.core.JsonGenerator line = JSON.createGenerator(w)) {
            line.disable(com.fasterxml.jackson.core.JsonGenerator.Feature.AUTO_CLOSE_TARGET);
            r.write(line);
          }
          w.newLine();
        }
      }
      move(tmp, part);
    } catch (IOException e) {
      throw DeliveryException.transientFailure("cannot write " + part + ": " + e.getMessage(), e);
    }
    return batch.rows().stream().map(r -> RowOutcome.accepted(r.key())).toList();
  }

  @Override
  public void finish(String sync, String runId) {
    Path dir = config.directory().resolve(safe(sync));
    Path manifest = dir.resolve(safe(runId) + ".manifest.json");
    if (Files.exists(manifest)) {
      return;
    }
    Path parts = partsDir(sync, runId);
    Path out = dir.resolve(safe(runId) + "." + config.format());
    try {
      Files.createDirectories(dir);
      List<Path> files = new ArrayList<>();
      if (Files.isDirectory(parts)) {
        try (Stream<Path> s = Files.list(parts)) {
          s.filter(p -> p.toString().endsWith(".jsonl")).sorted().forEach(files::add);
        }
      }
      TreeSet<String> columns = new TreeSet<>();
      if (config.format().equals("csv")) {
        for (Path p : files) {
          forEachLine(p, n -> n.path("fields").fieldNames().forEachRemaining(columns::add));
        }
      }
      MessageDigest sha = MessageDigest.getInstance("SHA-256");
      long[] rows = {0};
      Path tmp = Files.createTempFile(dir, "run", ".tmp");
      try (OutputStream raw = new DigestOutputStream(Files.newOutputStream(tmp), sha);
          BufferedWriter w =
              new BufferedWriter(new java.io.OutputStreamWriter(raw, StandardCharsets.UTF_8))) {
        if (config.format().equals("csv")) {
          List<String> header = new ArrayList<>(List.of("op", "key"));
          header.addAll(columns);
          try (CSVPrinter csv =
              new CSVPrinter(
                  w, CSVFormat.RFC4180.builder().setHeader(header.toArray(String[]::new)).get())) {
            for (Path p : files) {
              forEachLine(
                  p,
                  n -> {
                    List<String> values = new ArrayList<>();
                    values.add(n.path("op").asText());
                    values.add(n.path("key").asText());
                    for (String c : columns) {
                      JsonNode v = n.path("fields").get(c);
                      values.add(
                          v == null || v.isNull()
                              ? ""
                              : v.isValueNode() ? v.asText() : v.toString());
                    }
                    try {
                      csv.printRecord(values);
                    } catch (IOException e) {
                      throw new UncheckedIOException(e);
                    }
                    rows[0]++;
                  });
            }
          }
        } else {
          for (Path p : files) {
            forEachLine(
                p,
                n -> {
                  try {
                    w.write(JSON.writeValueAsString(n));
                    w.newLine();
                  } catch (IOException e) {
                    throw new UncheckedIOException(e);
                  }
                  rows[0]++;
                });
          }
        }
      }
      move(tmp, out);
      ObjectNode m = JSON.createObjectNode();
      m.put("sync", sync);
      m.put("runId", runId);
      m.put("format", config.format());
      m.put("file", out.getFileName().toString());
      m.put("rows", rows[0]);
      m.put("batches", files.size());
      if (config.format().equals("csv")) {
        var cols = m.putArray("columns").add("op").add("key");
        columns.forEach(cols::add);
      }
      m.put("sha256", HexFormat.of().formatHex(sha.digest()));
      m.put("createdAt", clock.instant().toString());
      Path mtmp = Files.createTempFile(dir, "manifest", ".tmp");
      Files.writeString(mtmp, JSON.writerWithDefaultPrettyPrinter().writeValueAsString(m));
      move(mtmp, manifest);
      for (Path p : files) {
        Files.deleteIfExists(p);
      }
      Files.deleteIfExists(parts);
      Files.deleteIfExists(parts.getParent());
    } catch (IOException | UncheckedIOException e) {
      throw DeliveryException.transientFailure(
          "cannot write the export of run " + runId + " into " + dir, e);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is part of every JDK", e);
    }
  }

  @Override
  public Optional<String> test() {
    try {
      Files.createDirectories(config.directory());
      Path probe = Files.createTempFile(config.directory(), ".studio-test", ".tmp");
      Files.delete(probe);
      return Optional.empty();
    } catch (IOException e) {
      return Optional.of("cannot write into " + config.directory() + ": " + e.getMessage());
    }
  }

  private Path partsDir(String sync, String runId) {
    return config.directory().resolve(safe(sync)).resolve(".parts").resolve(safe(runId));
  }

  private static String safe(String name) {
    if (name == null || !NAME.matcher(name).matches() || name.contains("..")) {
      throw new IllegalArgumentException("not a safe file name: " + name);
    }
    return name;
  }

  private static void move(Path from, Path to) throws IOException {
    try {
      Files.move(from, to, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } catch (AtomicMoveNotSupportedException e) {
      Files.move(from, to, StandardCopyOption.REPLACE_EXISTING);
    }
  }

  private static void forEachLine(Path p, java.util.function.Consumer<JsonNode> each)
      throws IOException {
    try (BufferedReader r = Files.newBufferedReader(p, StandardCharsets.UTF_8)) {
      String line;
      while ((line = r.readLine()) != null) {
        if (!line.isBlank()) {
          each.accept(JSON.readTree(line));
        }
      }
    }
  }
}
