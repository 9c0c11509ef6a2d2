package dev.patchops.ticket.bench;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * CPU time used by the service's JVM, its PostgreSQL server (postmaster, backends, and the backends
 * that have exited) and its Kafka broker, read from /proc. On a machine shared with other people's
 * builds, throughput says as much about them as about us; CPU time per request does not.
 */
final class ProcessCpu {
  /** Linux reports /proc times in USER_HZ, 100 on every mainstream kernel. */
  private static final double MS_PER_TICK = 10.0;

  record Snapshot(double jvmMs, double postgresMs, double kafkaMs) {
    Snapshot minus(Snapshot earlier) {
      return new Snapshot(
          jvmMs - earlier.jvmMs, postgresMs - earlier.postgresMs, kafkaMs - earlier.kafkaMs);
    }
  }

  private ProcessCpu() {}

  static Snapshot now() {
    double jvm =
        ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
                .getProcessCpuTime()
            / 1e6;
    String workspace = System.getProperty("devstack.test.workspace", "\0");
    Map<Long, long[]> stats = new HashMap<>();
    Map<Long, String> commands = new HashMap<>();
    try (DirectoryStream<Path> procs = Files.newDirectoryStream(Path.of("/proc"), "[0-9]*")) {
      for (Path proc : procs) {
        try {
          String stat = Files.readString(proc.resolve("stat"));
          String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
          long pid = Long.parseLong(proc.getFileName().toString());
          // ppid, utime, stime, cutime, cstime
          stats.put(
              pid,
              new long[] {
                Long.parseLong(f[1]),
                Long.parseLong(f[11]),
                Long.parseLong(f[12]),
                Long.parseLong(f[13]),
                Long.parseLong(f[14])
              });
          commands.put(
              pid, new String(Files.readAllBytes(proc.resolve("cmdline")), StandardCharsets.UTF_8));
        } catch (IOException | RuntimeException gone) {
          // The process ended while we looked.
        }
      }
    } catch (IOException e) {
      return new Snapshot(jvm, Double.NaN, Double.NaN);
    }
    long postmaster = -1;
    long kafkaTicks = 0;
    for (var e : commands.entrySet()) {
      if (!e.getValue().contains(workspace)) {
        continue;
      }
      long[] s = stats.get(e.getKey());
      if (e.getValue().contains("kafka")) {
        kafkaTicks += s[1] + s[2];
      } else if (e.getValue().contains("postgres")) {
        postmaster = e.getKey();
      }
    }
    long postgresTicks = 0;
    for (var e : stats.entrySet()) {
      long[] s = e.getValue();
      if (e.getKey() == postmaster) {
        // Exited backends are reaped by the postmaster and counted in its children's times.
        postgresTicks += s[1] + s[2] + s[3] + s[4];
      } else if (s[0] == postmaster) {
        postgresTicks += s[1] + s[2];
      }
    }
    return new Snapshot(jvm, postgresTicks * MS_PER_TICK, kafkaTicks * MS_PER_TICK);
  }
}
