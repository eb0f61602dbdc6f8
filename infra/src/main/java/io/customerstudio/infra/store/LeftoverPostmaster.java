package io.customerstudio.infra.store;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * Clears what an app that died without stopping its embedded PostgreSQL (a crash, {@code kill -9})
 * left in the data directory, so the next start succeeds at once: the orphaned postmaster still
 * holds the directory (its {@code postmaster.pid}) and a new one refuses to start beside it.
 *
 * <p>It only ever signals a process that the directory's {@code postmaster.pid} names, that runs a
 * {@code postgres} binary and whose working directory is this data directory (PostgreSQL changes
 * into its data directory), and only when no live process holds the embedded library's lock file
 * ({@code epg-lock}, held by the app that owns the server for as long as it runs). A pid file whose
 * process is gone, or whose PID now belongs to some other program, is removed and that program is
 * left alone.
 */
final class LeftoverPostmaster {

  /** What {@link #clear} found in the data directory and did about it. */
  enum Outcome {
    /** No postmaster.pid: the last server stopped cleanly (or never ran). */
    NONE,
    /** An orphaned server was running; it stopped with a fast shutdown. */
    STOPPED,
    /** An orphaned server did not stop in time and was killed; PostgreSQL recovers on start. */
    KILLED,
    /** A postmaster.pid whose process is gone or is not a PostgreSQL of this directory. */
    STALE_PID_FILE_REMOVED
  }

  /**
   * The outcome, the PID the pid file named (0 if unreadable), how long stopping took, and a
   * sentence for the log.
   */
  record Cleared(Outcome outcome, long pid, Duration took, String detail) {

    /** Whether the last server stopped without a clean shutdown, so recovery may take a while. */
    boolean uncleanStop() {
      return outcome != Outcome.NONE;
    }
  }

  static final String PID_FILE = "postmaster.pid";

  /** The lock file zonky's EmbeddedPostgres holds while it owns the data directory. */
  static final String OWNER_LOCK_FILE = "epg-lock";

  private static final Duration KILL_WAIT = Duration.ofSeconds(10);

  private LeftoverPostmaster() {}

  /**
   * Stops a PostgreSQL left running on {@code dataDir} by an app that is gone, or removes a stale
   * pid file; does nothing when the last server stopped cleanly.
   *
   * @param stopWait how long a fast shutdown may take (it writes a checkpoint) before the server
   *     and its children are killed
   * @throws IllegalStateException when a live process still owns the directory (another app
   *     instance started on the same data directory)
   */
  static Cleared clear(Path dataDir, Duration stopWait) throws IOException {
    Path pidFile = dataDir.resolve(PID_FILE);
    if (!Files.exists(pidFile)) {
      return new Cleared(Outcome.NONE, 0, Duration.ZERO, "");
    }
    try (FileChannel lockChannel =
            FileChannel.open(
                dataDir.resolve(OWNER_LOCK_FILE),
                StandardOpenOption.CREATE,
                StandardOpenOption.WRITE);
        FileLock lock = tryLock(lockChannel, dataDir)) {
      return clearUnowned(dataDir, pidFile, stopWait);
    }
  }

  private static FileLock tryLock(FileChannel channel, Path dataDir) throws IOException {
    FileLock lock;
    try {
      lock = channel.tryLock();
    } catch (OverlappingFileLockException e) {
      lock = null;
    }
    if (lock == null) {
      throw new IllegalStateException(
          "another running process owns "
              + dataDir
              + " (it holds "
              + OWNER_LOCK_FILE
              + "); is another Customer Studio running with the same STUDIO_DATA_DIR?");
    }
    return lock;
  }

  private static Cleared clearUnowned(Path dataDir, Path pidFile, Duration stopWait)
      throws IOException {
    long pid = readPid(pidFile);
    Optional<ProcessHandle> process = pid > 0 ? ProcessHandle.of(pid) : Optional.empty();
    if (process.isEmpty() || !running(process.get())) {
      Files.deleteIfExists(pidFile);
      String why = pid > 0 ? "PID " + pid + " is not running" : "it names no PID";
      return new Cleared(
          Outcome.STALE_PID_FILE_REMOVED,
          pid,
          Duration.ZERO,
          "removed a stale " + PID_FILE + " (" + why + ")");
    }
    ProcessHandle postmaster = process.get();
    switch (identify(postmaster, dataDir)) {
      case THIS_SERVER -> {
        // stopped below
      }
      case OTHER_PROGRAM -> {
        Files.deleteIfExists(pidFile);
        return new Cleared(
            Outcome.STALE_PID_FILE_REMOVED,
            pid,
            Duration.ZERO,
            "removed a stale "
                + PID_FILE
                + " (PID "
                + pid
                + " is now "
                + postmaster.info().command().orElse("another process")
                + ", not a PostgreSQL of this data directory; left it alone)");
      }
      case UNKNOWN ->
          // removing the pid file of a server that still runs would let a second one write the
          // same files, so a process that cannot be told apart stops the start instead
          throw new IllegalStateException(
              "PID "
                  + pid
                  + " named by "
                  + pidFile
                  + " is running, but whether it is a PostgreSQL of this data directory cannot be"
                  + " told; stop it, or delete the file if it is an unrelated program");
    }
    long started = System.nanoTime();
    List<ProcessHandle> children = postmaster.children().toList();
    fastShutdown(postmaster);
    if (awaitExit(postmaster, stopWait)) {
      // a clean shutdown removes the pid file itself; children exit before the postmaster does
      Duration took = Duration.ofNanos(System.nanoTime() - started);
      return new Cleared(
          Outcome.STOPPED,
          pid,
          took,
          "stopped PostgreSQL (PID "
              + pid
              + ") that an earlier run left running on this data directory (fast shutdown, "
              + took.toMillis()
              + " ms)");
    }
    postmaster.destroyForcibly();
    children.forEach(ProcessHandle::destroyForcibly);
    awaitExit(postmaster, KILL_WAIT);
    for (ProcessHandle child : children) {
      awaitExit(child, KILL_WAIT);
    }
    Files.deleteIfExists(pidFile);
    Duration took = Duration.ofNanos(System.nanoTime() - started);
    return new Cleared(
        Outcome.KILLED,
        pid,
        took,
        "killed PostgreSQL (PID "
            + pid
            + ") that an earlier run left running on this data directory: it did not shut down"
            + " within "
            + stopWait.toSeconds()
            + " s; it recovers from its write-ahead log on start");
  }

  /** The first line of postmaster.pid is the postmaster's PID; 0 when it cannot be read. */
  private static long readPid(Path pidFile) throws IOException {
    List<String> lines = Files.readAllLines(pidFile);
    if (lines.isEmpty()) {
      return 0;
    }
    try {
      return Long.parseLong(lines.get(0).strip());
    } catch (NumberFormatException e) {
      return 0;
    }
  }

  /** Who a live process named by a pid file is. */
  enum Identity {
    /** A {@code postgres} process running on this data directory. */
    THIS_SERVER,
    /** Another program, or a PostgreSQL of another data directory: the PID was reused. */
    OTHER_PROGRAM,
    /** Its command or directory cannot be read. */
    UNKNOWN
  }

  /**
   * Whether the process runs a {@code postgres} binary on this data directory: its working
   * directory (Linux's /proc; PostgreSQL changes into its data directory), or else its {@code -D}
   * argument, is the directory.
   */
  static Identity identify(ProcessHandle process, Path dataDir) {
    ProcessHandle.Info info = process.info();
    Optional<String> command = info.command();
    if (command.isEmpty()) {
      return Identity.UNKNOWN;
    }
    Path binary = Path.of(command.get()).getFileName();
    if (binary == null || !binary.toString().equals("postgres")) {
      return Identity.OTHER_PROGRAM;
    }
    if (Files.isDirectory(Path.of("/proc", "self"))) {
      Path cwd = Path.of("/proc", Long.toString(process.pid()), "cwd");
      try {
        return Files.isSameFile(cwd, dataDir) ? Identity.THIS_SERVER : Identity.OTHER_PROGRAM;
      } catch (IOException | SecurityException e) {
        return Identity.UNKNOWN;
      }
    }
    String[] args = info.arguments().orElse(new String[0]);
    for (int i = 0; i + 1 < args.length; i++) {
      if (args[i].equals("-D")) {
        return sameFile(Path.of(args[i + 1]), dataDir)
            ? Identity.THIS_SERVER
            : Identity.OTHER_PROGRAM;
      }
    }
    return Identity.UNKNOWN;
  }

  private static boolean sameFile(Path a, Path b) {
    try {
      return Files.isSameFile(a, b);
    } catch (IOException | SecurityException e) {
      return false;
    }
  }

  /**
   * SIGINT is PostgreSQL's fast shutdown: open transactions are rolled back (their client, the dead
   * app, is gone anyway), a checkpoint is written and the pid file removed. Java can only send
   * SIGTERM (a smart shutdown, which would wait for a long-running statement of the dead app to
   * finish), so {@code kill -INT} does it; where that command is missing, SIGTERM does.
   */
  private static void fastShutdown(ProcessHandle postmaster) {
    try {
      Process kill =
          new ProcessBuilder("kill", "-INT", Long.toString(postmaster.pid()))
              .redirectErrorStream(true)
              .redirectOutput(ProcessBuilder.Redirect.DISCARD)
              .start();
      if (kill.waitFor(10, TimeUnit.SECONDS) && kill.exitValue() == 0) {
        return;
      }
    } catch (IOException e) {
      // no kill command: fall back to SIGTERM below
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    postmaster.destroy();
  }

  /**
   * Waits until the process is gone. Polls rather than {@code onExit()}: an orphan is not our
   * child, and where nothing reaps it a dead one stays behind as a zombie that counts as alive.
   */
  private static boolean awaitExit(ProcessHandle process, Duration wait) {
    long deadline = System.nanoTime() + wait.toNanos();
    while (running(process)) {
      if (System.nanoTime() - deadline > 0) {
        return false;
      }
      try {
        Thread.sleep(50);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return !running(process);
      }
    }
    return true;
  }

  /** Alive and not a zombie (state Z in Linux's /proc/PID/stat: exited, not yet reaped). */
  static boolean running(ProcessHandle process) {
    if (!process.isAlive()) {
      return false;
    }
    try {
      String stat = Files.readString(Path.of("/proc", Long.toString(process.pid()), "stat"));
      // "pid (comm) state ...": comm may hold spaces and parentheses, the state follows the last
      // ')'
      int end = stat.lastIndexOf(')');
      return end < 0 || end + 2 >= stat.length() || stat.charAt(end + 2) != 'Z';
    } catch (IOException e) {
      return process.isAlive();
    }
  }
}
