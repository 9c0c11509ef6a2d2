package dev.patchops.rollout.canary;

import static org.assertj.core.api.Assertions.assertThat;

import dev.patchops.rollout.Sandbox;
import dev.patchops.rollout.WithRolloutInfra;
import dev.patchops.testing.Latencies;
import dev.patchops.testing.kube.KubectlPlugin;
import dev.patchops.testing.kube.KubectlPlugin.Result;
import dev.patchops.testing.kube.TestCluster;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Wall time of {@code kubectl patchops get rollout X} against {@code kubectl get patchrollout X -o
 * yaml}, the same object on the same live canary, alternating in one run; and the plugin without
 * its AppCDS archive, to show what the archive buys. Each sample is a whole process as a shell
 * starts it: kubectl's plugin dispatch, the launcher, the JVM, the API calls, the printing. Not a
 * test: run with {@code -Pbench}.
 */
@QuarkusTest
@WithRolloutInfra
class KubectlPluginBenchmark {
  private static final int RUNS = Integer.getInteger("bench.runs", 40);
  private static final int WARMUP = Integer.getInteger("bench.warmup", 3);

  // Fixtures are the administrator's; the service acts as its own ServiceAccount.
  final KubernetesClient client = TestCluster.admin();
  @Inject RolloutService rollouts;

  @Test
  void getRolloutAgainstKubectlGetYaml() throws IOException {
    Sandbox.start(client);
    String ns = Sandbox.shop(client);
    KubectlPluginTest.Live live =
        KubectlPluginTest.startLiveCanary(
            client, rollouts, ns, "[{\"weight\":10,\"pauseSeconds\":3600}]");
    KubectlPlugin kubectl = KubectlPlugin.onTestCluster();
    clearArchives();

    // The first run after an install records the archive at its exit.
    Result first = kubectl.run("patchops", "get", "rollout", live.name(), "-n", ns);
    assertThat(first.exit()).as(first.toString()).isZero();

    long[] plugin = new long[RUNS];
    long[] baseline = new long[RUNS];
    long[] noCds = new long[RUNS];
    for (int i = -WARMUP; i < RUNS; i++) {
      Result p = kubectl.run("patchops", "get", "rollout", live.name(), "-n", ns);
      Result b = kubectl.run("get", "patchrollout", live.name(), "-n", ns, "-o", "yaml");
      Result n =
          kubectl.bash(
              "PATCHOPS_CDS=off exec kubectl patchops get rollout " + live.name() + " -n " + ns);
      for (Result r : new Result[] {p, b, n}) {
        assertThat(r.exit()).as(r.toString()).isZero();
        assertThat(r.out()).as(r.toString()).contains(live.name());
      }
      if (i >= 0) {
        plugin[i] = p.nanos();
        baseline[i] = b.nanos();
        noCds[i] = n.nanos();
      }
    }
    String table =
        "| command | runs | p50 ms | p95 ms | max ms | mean ms |\n|---|---:|---:|---:|---:|---:|\n"
            + row("`kubectl patchops get rollout X` (AppCDS)", Latencies.ofNanos(plugin))
            + row("`kubectl get patchrollout X -o yaml` (baseline)", Latencies.ofNanos(baseline))
            + row("`kubectl patchops get rollout X`, no AppCDS", Latencies.ofNanos(noCds))
            + "\nFirst run after install (records the archive): "
            + String.format("%.0f ms", first.nanos() / 1e6)
            + "\nMachine: "
            + Runtime.getRuntime().availableProcessors()
            + " cores, load average at the end "
            + Files.readString(Path.of("/proc/loadavg")).strip()
            + ", JDK "
            + System.getProperty("java.version")
            + "\n";
    System.out.println(table);
    Path out = Path.of("target/benchmarks/kubectl-plugin.md");
    Files.createDirectories(out.getParent());
    Files.writeString(out, table);
  }

  private static String row(String name, Latencies l) {
    return String.format(
        "| %s | %d | %.0f | %.0f | %.0f | %.0f |%n",
        name, l.count(), l.percentileMs(0.50), l.percentileMs(0.95), l.maxMs(), l.meanMs());
  }

  private static void clearArchives() throws IOException {
    Path dir = Path.of("target", "kubectl-patchops-cds");
    if (Files.isDirectory(dir)) {
      try (Stream<Path> files = Files.list(dir)) {
        for (Path f : files.sorted(Comparator.reverseOrder()).toList()) {
          Files.delete(f);
        }
      }
    }
  }
}
