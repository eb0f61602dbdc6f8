package io.customerstudio.infra.store;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.stream.Stream;

/**
 * Flushes an embedded PostgreSQL data directory to disk once before it first runs durably.
 *
 * <p>Releases before issue 11 ran the embedded server with fsync off, so files it wrote may still
 * sit in the OS cache. PostgreSQL's documentation asks, when fsync goes from off to on, to force
 * every file to durable storage while the server is stopped (what {@code initdb --sync-only} does);
 * otherwise a power loss soon after could still lose or tear pages written earlier. A marker file
 * in the data directory records that this was done; running non-durably removes it again.
 */
final class DataDirectorySync {

  static final String MARKER = "customer-studio.durable";

  private DataDirectorySync() {}

  /**
   * Flushes every file and directory of an existing cluster that has not run durably since its last
   * non-durable run. Call while the server is stopped.
   *
   * @return how many files were flushed; 0 when there was nothing to do
   */
  static int syncIfNotYetDurable(Path dataDir) throws IOException {
    if (!Files.exists(dataDir.resolve("PG_VERSION")) || Files.exists(dataDir.resolve(MARKER))) {
      // a new cluster: initdb syncs what it writes; a marked one has run durably since
      return 0;
    }
    List<Path> paths;
    try (Stream<Path> walk = Files.walk(dataDir)) {
      paths = walk.toList();
    } catch (UncheckedIOException e) {
      throw e.getCause();
    }
    int files = 0;
    // files first, then directories deepest first, so each directory entry is flushed after its
    // file's contents
    for (Path p : paths) {
      if (Files.isRegularFile(p) && force(p)) {
        files++;
      }
    }
    for (int i = paths.size() - 1; i >= 0; i--) {
      if (Files.isDirectory(paths.get(i))) {
        forceDirectory(paths.get(i));
      }
    }
    return files;
  }

  /** Records that the server now runs durably (or removes the record when it does not). */
  static void mark(Path dataDir, boolean durable) throws IOException {
    Path marker = dataDir.resolve(MARKER);
    if (!durable) {
      Files.deleteIfExists(marker);
      return;
    }
    if (!Files.exists(marker)) {
      Files.writeString(
          marker,
          "The embedded PostgreSQL in this directory runs with fsync and synchronous_commit on.\n");
      force(marker);
      forceDirectory(dataDir);
    }
  }

  private static boolean force(Path file) throws IOException {
    try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
      channel.force(true);
      return true;
    } catch (NoSuchFileException e) {
      return false;
    }
  }

  /** Linux flushes a directory's entries through a read-only handle; other systems may not. */
  private static void forceDirectory(Path dir) {
    try (FileChannel channel = FileChannel.open(dir, StandardOpenOption.READ)) {
      channel.force(true);
    } catch (IOException e) {
      // not supported here (e.g. Windows): file contents are flushed, which is what matters most
    }
  }
}
