package dev.patchops.localstack;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentSpec;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Revert latency on the real control plane, as an SRE sees it: from an Alertmanager alert POSTed to
 * the ticket-service's hook, for a patch promoted and in its watch window, to the Deployment spec
 * restored and verified against the checkpoint by the rollout-service ({@code completedAt} of its
 * revert-completed event). Four service processes, Kafka, PostgreSQL and the API server in between.
 * Baseline in the same run, on the same server: the same restore by a direct fabric8 update of the
 * checkpointed spec, polled until rolled out. Run with -Pbench; not a test.
 */
class HookRevertBenchmark {
  static final int REVERTS = Integer.getInteger("bench.reverts", 20);
  static final int WARMUP = Integer.getInteger("bench.warmup", 2);
  static final String WORKLOAD = "checkout";

  @Test
  void alertPostToVerifiedRestore() throws Exception {
    Path home = Files.createTempDirectory("patchops-bench");
    LocalStack stack =
        new LocalStack(Path.of("..").toAbsolutePath().normalize(), home, 18481, Map.of())
            .withServiceEnv("rollout-service", Map.of("ROLLOUT_WATCH_WINDOW", "10m"));
    long[] patchops = new long[REVERTS];
    long[] direct = new long[REVERTS];
    long[] issued = new long[REVERTS];
    try {
      stack.start();
      KubernetesClient kube = stack.kubernetes();
      LocalStack.Keys keys = LocalStack.Keys.loadOrCreate(home.resolve("keys"));
      Demo demo =
          new Demo(Demo.Endpoints.local("127.0.0.1", 18481, keys.hookToken, keys.jwt), Demo.CONSOLE)
              .polling(Duration.ofMillis(5));
      for (int i = -WARMUP; i < REVERTS; i++) {
        long[] sample = revertOnce(demo, kube, i + WARMUP + 1);
        if (i >= 0) {
          patchops[i] = sample[0];
          direct[i] = sample[1];
          issued[i] = sample[2];
        }
      }
    } finally {
      stack.stop();
    }
    String report =
        String.join(
            "\n",
            "| scenario | reverts | p50 ms | p99 ms | max ms |",
            "|---|---:|---:|---:|---:|",
            row("direct fabric8 restore of the checkpointed spec (baseline)", direct),
            row("PatchOps: alert POST to the hook to spec restored and verified", patchops),
            row("of which: alert POST to the restore issued to the API server", issued),
            "",
            "("
                + Instant.now()
                + ", load "
                + Files.readString(Path.of("/proc/loadavg")).trim()
                + ")",
            "");
    System.out.println(report);
    Path out = Path.of("target/benchmarks/hook-revert.md");
    Files.createDirectories(out.getParent());
    Files.writeString(out, report);
    assertThat(Arrays.stream(patchops).allMatch(ms -> ms > 0)).isTrue();
  }

  /** One promoted patch reverted by an alert, then the same restore done directly. */
  long[] revertOnce(Demo demo, KubernetesClient kube, int n) throws Exception {
    DeploymentSpec checkpoint = Serialization.clone(deployment(kube).getSpec());
    String ticket = demo.alert(WORKLOAD);
    demo.diagnose(ticket, WORKLOAD);
    int rev = demo.propose(ticket, WORKLOAD, n);
    PatchFlowIT.awaitPassed(demo, ticket, rev);
    demo.approve(ticket, rev);
    demo.awaitRollout(ticket, rev, Set.of("WATCHING"));
    DeploymentSpec promoted = Serialization.clone(deployment(kube).getSpec());

    Instant posted = Instant.now();
    demo.fire(WORKLOAD, Instant.now());
    JsonNode reverted = demo.awaitRollout(ticket, rev, Set.of("REVERTED"));
    JsonNode completed = demo.revertCompleted(ticket, reverted.path("id").asText());
    assertThat(completed.path("verified").asBoolean()).isTrue();
    long viaPatchOps =
        Duration.between(posted, Instant.parse(completed.path("completedAt").asText())).toMillis();
    long toRestoreIssued =
        Duration.between(posted, Instant.parse(completed.path("restoreIssuedAt").asText()))
            .toMillis();
    assertThat(templateOf(deployment(kube).getSpec())).isEqualTo(templateOf(checkpoint));
    demo.close(ticket);

    // The baseline: put the promoted spec back (not timed), then restore the checkpoint directly.
    replaceSpec(kube, promoted);
    awaitRolledOut(kube, promoted);
    long start = System.nanoTime();
    replaceSpec(kube, checkpoint);
    awaitRolledOut(kube, checkpoint);
    long directMs = (System.nanoTime() - start) / 1_000_000;
    System.out.printf(
        "revert %d: PatchOps %d ms (restore issued after %d ms), direct %d ms%n",
        n, viaPatchOps, toRestoreIssued, directMs);
    return new long[] {viaPatchOps, directMs, toRestoreIssued};
  }

  static Deployment deployment(KubernetesClient kube) {
    return kube.apps().deployments().inNamespace(Sandbox.NAMESPACE).withName(WORKLOAD).get();
  }

  static void replaceSpec(KubernetesClient kube, DeploymentSpec spec) {
    kube.apps()
        .deployments()
        .inNamespace(Sandbox.NAMESPACE)
        .withName(WORKLOAD)
        .edit(
            d -> {
              d.getSpec().setTemplate(Serialization.clone(spec.getTemplate()));
              return d;
            });
  }

  /**
   * Rolled out by the rollout-service's own measure ({@code WorkloadOps.rolledOut}, which is {@code
   * kubectl rollout status}'s), with the template wanted, seen through a watch as the
   * rollout-service sees it: polling would load the API server the controllers share.
   */
  static void awaitRolledOut(KubernetesClient kube, DeploymentSpec spec) {
    kube.apps()
        .deployments()
        .inNamespace(Sandbox.NAMESPACE)
        .withName(WORKLOAD)
        .waitUntilCondition(
            d -> d != null && templateOf(d.getSpec()).equals(templateOf(spec)) && rolledOut(d),
            60,
            TimeUnit.SECONDS);
  }

  static boolean rolledOut(Deployment d) {
    var status = d.getStatus();
    int replicas = Objects.requireNonNullElse(d.getSpec().getReplicas(), 1);
    return status != null
        && Objects.equals(status.getObservedGeneration(), d.getMetadata().getGeneration())
        && Objects.requireNonNullElse(status.getUpdatedReplicas(), 0) >= replicas
        && Objects.requireNonNullElse(status.getAvailableReplicas(), 0) >= replicas
        && Objects.requireNonNullElse(status.getReplicas(), 0) == replicas;
  }

  static String templateOf(DeploymentSpec spec) {
    return Serialization.asJson(spec.getTemplate().getSpec().getContainers());
  }

  static String row(String name, long[] ms) {
    long[] sorted = ms.clone();
    Arrays.sort(sorted);
    int p99 = Math.min(sorted.length - 1, (int) Math.ceil(sorted.length * 0.99) - 1);
    return String.format(
        "| %s | %d | %d | %d | %d |",
        name, sorted.length, sorted[sorted.length / 2], sorted[p99], sorted[sorted.length - 1]);
  }
}
