package dev.patchops.devstack.kube;

import dev.patchops.devstack.Workspace;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * How long the control plane takes to be usable (API ready and the controllers acting): on a new
 * directory (a first {@code ./patchops run}, every test JVM) and again on the data it left (a
 * second run). Baseline in the same run: etcd alone, started by the same code path, which no
 * control plane can beat. Also the cost of checking the cached binaries. Not a test: run with
 * {@code -Pbench}.
 */
class ControlPlaneStartupBenchmark {
  private static final int ROUNDS = Integer.getInteger("bench.rounds", 10);

  @Test
  void startup() throws Exception {
    long verifyStart = System.nanoTime();
    KubeBinaries binaries = KubeBinaries.ensure(System.out::println);
    long verifyNanos = System.nanoTime() - verifyStart;
    long[] fresh = new long[ROUNDS];
    long[] again = new long[ROUNDS];
    long[] etcd = new long[ROUNDS];
    Workspace workspace = Workspace.createTemporary();
    try {
      for (int i = 0; i < ROUNDS; i++) {
        Path dir = workspace.resolve("plane-" + i);
        fresh[i] = timeStart(dir, binaries);
        again[i] = timeStart(dir, binaries);
        etcd[i] = timeEtcd(workspace.resolve("etcd-" + i), binaries);
      }
    } finally {
      workspace.delete();
    }
    String report =
        String.join(
            "\n",
            "| scenario | rounds | p50 ms | max ms |",
            "|---|---:|---:|---:|",
            row("etcd alone (baseline)", etcd),
            row("control plane, new directory", fresh),
            row("control plane, again on its data", again),
            String.format(
                "%nchecking the cached binaries (4 SHA-256): %.0f ms%n", verifyNanos / 1e6));
    System.out.println(report);
    Path out = Path.of("target/benchmarks/control-plane-startup.md");
    Files.createDirectories(out.getParent());
    Files.writeString(out, report);
  }

  private static long timeStart(Path dir, KubeBinaries binaries) {
    long start = System.nanoTime();
    try (ControlPlane plane =
        ControlPlane.start(dir, binaries, 0, Duration.ofSeconds(120), line -> {})) {
      return System.nanoTime() - start;
    }
  }

  /** etcd to its first answered health check, through the same process handling. */
  private static long timeEtcd(Path dir, KubeBinaries binaries) throws Exception {
    int port = dev.patchops.devstack.Ports.free();
    int peer = dev.patchops.devstack.Ports.free();
    long start = System.nanoTime();
    KubeProcess process =
        KubeProcess.start(
            dir,
            List.of(
                binaries.path("etcd").toString(),
                "--data-dir=" + dir.resolve("data"),
                "--listen-client-urls=http://127.0.0.1:" + port,
                "--advertise-client-urls=http://127.0.0.1:" + port,
                "--listen-peer-urls=http://127.0.0.1:" + peer,
                "--initial-advertise-peer-urls=http://127.0.0.1:" + peer,
                "--initial-cluster=default=http://127.0.0.1:" + peer,
                "--unsafe-no-fsync=true"));
    try {
      var http = java.net.http.HttpClient.newHttpClient();
      while (true) {
        try {
          var response =
              http.send(
                  java.net.http.HttpRequest.newBuilder(
                          java.net.URI.create("http://127.0.0.1:" + port + "/health"))
                      .build(),
                  java.net.http.HttpResponse.BodyHandlers.ofString());
          if (response.statusCode() == 200) {
            return System.nanoTime() - start;
          }
        } catch (java.io.IOException e) {
          // not listening yet
        }
        Thread.sleep(20);
      }
    } finally {
      process.stop();
    }
  }

  private static String row(String name, long[] nanos) {
    long[] sorted = nanos.clone();
    Arrays.sort(sorted);
    return String.format(
        "| %s | %d | %.0f | %.0f |",
        name, sorted.length, sorted[sorted.length / 2] / 1e6, sorted[sorted.length - 1] / 1e6);
  }
}
