package io.customerstudio.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * docs/benchmarks.md as "## section" blocks: a run replaces the sections it measured and keeps the
 * others, so benchmarks of different features can be rerun independently.
 */
final class BenchReport {

  private static final String HEADER =
      "# Benchmarks\n\n"
          + "Written by `bench/` (see each section for its command). Numbers come from one run on"
          + " the machine named in the section; they are measurements, not test assertions.\n";

  private final Path file;
  private final Map<String, String> sections = new LinkedHashMap<>();

  BenchReport(Path file) throws IOException {
    this.file = file;
    if (Files.exists(file)) {
      String current = null;
      StringBuilder body = new StringBuilder();
      for (String line : Files.readAllLines(file)) {
        if (line.startsWith("## ")) {
          if (current != null) {
            sections.put(current, body.toString().strip());
          }
          current = line.substring(3).strip();
          body.setLength(0);
        } else if (current != null) {
          body.append(line).append('\n');
        }
      }
      if (current != null) {
        sections.put(current, body.toString().strip());
      }
    }
  }

  void replaceSection(String title, String body) {
    sections.put(title, body.strip());
  }

  void write() throws IOException {
    StringBuilder out = new StringBuilder(HEADER);
    sections.forEach((t, b) -> out.append("\n## ").append(t).append("\n\n").append(b).append('\n'));
    Files.createDirectories(file.getParent());
    Files.writeString(file, out.toString());
  }
}
