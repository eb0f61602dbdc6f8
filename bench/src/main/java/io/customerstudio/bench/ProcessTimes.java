package io.customerstudio.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * What Linux says each process of a run did between two readings: CPU time, time waiting for a core
 * on the run queue, and context switches, voluntary (it waited for something) and not (it was
 * preempted). From {@code /proc/<pid>/stat}, {@code schedstat} and {@code status}; on a system
 * without them a reading is empty and the report says so.
 */
final class ProcessTimes {

  /**
   * One thread's counters at a reading. Its name is the kernel's: a JVM names its threads; DuckDB's
   * native workers keep the process's name, {@code java}.
   */
  record Task(
      String name, double cpuSeconds, double runQueueSeconds, long voluntary, long involuntary) {}

  /**
   * One process's CPU seconds at a reading (all its threads, ended ones too), and its live threads
   * by id.
   */
  record Counters(double cpuSeconds, Map<String, Task> threads) {}

  private final Map<Long, String> names;
  private final Map<Long, Counters> start;

  private ProcessTimes(Map<Long, String> names) {
    this.names = names;
    this.start = read(names.keySet());
  }

  /** Starts watching {@code names} (pid to a label). */
  static ProcessTimes watch(Map<Long, String> names) {
    return new ProcessTimes(new LinkedHashMap<>(names));
  }

  /** One line per process still alive: what it did since {@link #watch}. */
  List<String> since() {
    Map<Long, Counters> now = read(names.keySet());
    List<String> out = new ArrayList<>();
    names.forEach(
        (pid, name) -> {
          Counters a = start.get(pid);
          Counters b = now.get(pid);
          if (a == null || b == null) {
            return;
          }
          // the run queue and the switches are counted per thread: over the threads alive at both
          double waiting = 0;
          long voluntary = 0;
          long involuntary = 0;
          for (var e : b.threads().entrySet()) {
            Task then = a.threads().get(e.getKey());
            if (then != null) {
              waiting += e.getValue().runQueueSeconds() - then.runQueueSeconds();
              voluntary += e.getValue().voluntary() - then.voluntary();
              involuntary += e.getValue().involuntary() - then.involuntary();
            }
          }
          out.add(
              String.format(
                  Locale.ROOT,
                  "%s (pid %d): %.2f CPU-s; its threads alive at both readings: %.2f s waiting for"
                      + " a core, %,d voluntary and %,d involuntary context switches",
                  name,
                  pid,
                  b.cpuSeconds() - a.cpuSeconds(),
                  waiting,
                  voluntary,
                  involuntary));
          String threads = busiestThreads(a.threads(), b.threads());
          if (!threads.isEmpty()) {
            out.add("  by thread name (live at both readings): " + threads);
          }
        });
    if (out.isEmpty()) {
      out.add("no /proc counters on this system");
    }
    return out;
  }

  /**
   * The five thread names whose threads used most CPU between two readings, for a process with more
   * than one thread; a thread that started or ended between them is left out, so these need not add
   * up to the process's total.
   */
  private static String busiestThreads(Map<String, Task> before, Map<String, Task> after) {
    if (after.size() < 2) {
      return "";
    }
    Map<String, Double> used = new LinkedHashMap<>();
    after.forEach(
        (id, thread) -> {
          Task then = before.get(id);
          if (then != null) {
            // numbered pools ("G1 Conc#0", "pool-3-thread-2") add up under one name
            used.merge(
                thread.name().replaceAll("[#-]?\\d+", "#"),
                thread.cpuSeconds() - then.cpuSeconds(),
                Double::sum);
          }
        });
    return used.entrySet().stream()
        .filter(e -> e.getValue() >= 0.01)
        .sorted(Map.Entry.<String, Double>comparingByValue().reversed())
        .limit(5)
        .map(e -> String.format(Locale.ROOT, "%s %.2f", e.getKey(), e.getValue()))
        .collect(Collectors.joining(", "));
  }

  private static Map<Long, Counters> read(Iterable<Long> pids) {
    Map<Long, Counters> out = new LinkedHashMap<>();
    for (long pid : pids) {
      try {
        Path dir = Path.of("/proc", Long.toString(pid));
        String stat = Files.readString(dir.resolve("stat"));
        // the fields after the command's closing parenthesis: utime and stime are 14th and 15th
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        double ticks = Long.parseLong(f[11]) + Long.parseLong(f[12]);
        Map<String, Task> threads = new LinkedHashMap<>();
        try (var tasks = Files.list(dir.resolve("task"))) {
          for (Path task : tasks.toList()) {
            try {
              String taskStat = Files.readString(task.resolve("stat"));
              String name =
                  taskStat.substring(taskStat.indexOf('(') + 1, taskStat.lastIndexOf(')'));
              String[] t = taskStat.substring(taskStat.lastIndexOf(')') + 2).split(" ");
              long waiting =
                  Long.parseLong(Files.readString(task.resolve("schedstat")).trim().split(" ")[1]);
              long voluntary = 0;
              long involuntary = 0;
              for (String line : Files.readAllLines(task.resolve("status"))) {
                if (line.startsWith("voluntary_ctxt_switches:")) {
                  voluntary += Long.parseLong(line.substring(line.indexOf(':') + 1).trim());
                } else if (line.startsWith("nonvoluntary_ctxt_switches:")) {
                  involuntary += Long.parseLong(line.substring(line.indexOf(':') + 1).trim());
                }
              }
              threads.put(
                  task.getFileName().toString(),
                  new Task(
                      name,
                      (Long.parseLong(t[11]) + Long.parseLong(t[12])) / 100.0,
                      waiting / 1e9,
                      voluntary,
                      involuntary));
            } catch (IOException e) {
              // the thread ended while it was read
            }
          }
        }
        // USER_HZ is 100 on every Linux this runs on
        out.put(pid, new Counters(ticks / 100.0, threads));
      } catch (IOException | RuntimeException e) {
        // gone, or not Linux: left out
      }
    }
    return out;
  }
}
