package dev.patchops.rollout.bench;

import static org.awaitility.Awaitility.await;

import dev.patchops.contract.events.AlertReceived;
import dev.patchops.contract.model.CanaryStep;
import dev.patchops.contract.model.RolloutOrigin;
import dev.patchops.contract.model.Severity;
import dev.patchops.contract.model.WorkloadRef;
import dev.patchops.rollout.Approvals;
import dev.patchops.rollout.Sandbox;
import dev.patchops.rollout.WithRolloutInfra;
import dev.patchops.rollout.canary.AnalysisSpec;
import dev.patchops.rollout.canary.Rollout;
import dev.patchops.rollout.canary.RolloutPhase;
import dev.patchops.rollout.canary.RolloutService;
import dev.patchops.rollout.canary.RolloutStarts;
import dev.patchops.rollout.canary.k8s.WorkloadOps;
import dev.patchops.rollout.checkpoint.Snapshot;
import dev.patchops.testing.EventSender;
import dev.patchops.testing.Latencies;
import dev.patchops.testing.kube.TestCluster;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * Revert latency: from an alert event produced to Kafka to the live Deployment spec restored and
 * verified against the checkpoint, for a patch already promoted (the watch window), so the spec
 * really has to be rewritten and rolled out again. Baseline in the same run: the same restore with
 * direct fabric8 calls and nothing around them. Not a test: run with {@code -Pbench}.
 */
@QuarkusTest
@WithRolloutInfra
class RevertLatencyBenchmark {
  private static final int REVERTS = Integer.getInteger("bench.reverts", 200);
  private static final int WARMUP = Integer.getInteger("bench.warmup", 10);

  // Fixtures are the administrator's; the service acts as its own ServiceAccount.
  final KubernetesClient client = TestCluster.admin();
  @Inject RolloutService rollouts;
  @Inject RolloutStarts starts;

  @Test
  void alertToVerifiedRestore() throws Exception {
    Sandbox.start(client);
    String ns = Sandbox.shop(client);
    long[] patchops = new long[REVERTS];
    long[] detection = new long[REVERTS];
    for (int i = -WARMUP; i < REVERTS; i++) {
      long[] sample = revertOnce(ns, i);
      if (i >= 0) {
        patchops[i] = sample[0];
        detection[i] = sample[1];
      }
    }
    String baseNs = Sandbox.shop(client);
    long[] baseline = new long[REVERTS];
    for (int i = -WARMUP; i < REVERTS; i++) {
      long sample = directRestore(baseNs, i);
      if (i >= 0) {
        baseline[i] = sample;
      }
    }
    Latencies ours = Latencies.ofNanos(patchops);
    Latencies detect = Latencies.ofNanos(detection);
    Latencies raw = Latencies.ofNanos(baseline);
    String table =
        String.join(
            "\n",
            "| path | reverts | p50 (ms) | p99 (ms) | max (ms) |",
            "|---|---:|---:|---:|---:|",
            row("PatchOps: alert on Kafka to restored and verified", ours),
            row("  of which alert on Kafka to revert armed", detect),
            row("baseline: direct fabric8 restore and verify", raw));
    System.out.println("\nRevert latency\n" + table + "\n");
    Path out = Path.of("target/benchmarks/revert-latency.md");
    Files.createDirectories(out.getParent());
    Files.writeString(out, table + "\n");
  }

  private static String row(String name, Latencies l) {
    return String.format(
        "| %s | %d | %.1f | %.1f | %.1f |",
        name, l.count(), l.percentileMs(0.50), l.percentileMs(0.99), l.maxMs());
  }

  /** One rollout to promotion, then an alert; returns {total, detection} in nanoseconds. */
  private long[] revertOnce(String ns, int i) {
    String ticketId = "TCK-BENCH-" + UUID.randomUUID().toString().substring(0, 8);
    String id = "ro-bench-" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
    Approvals.approve(
        ticketId, 1, Sandbox.image("", i % 2 == 0 ? 'b' : 'c'), ns, "checkout", "app");
    starts.start(
        new RolloutStarts.StartRollout(
            id,
            ticketId,
            1,
            Sandbox.image("", i % 2 == 0 ? 'b' : 'c'),
            ns,
            "checkout",
            List.of("app"),
            List.of(new CanaryStep(50, 0)),
            null,
            AnalysisSpec.DEFAULTS,
            RolloutOrigin.REST,
            "bench",
            null,
            0,
            null));
    await()
        .atMost(Duration.ofSeconds(60))
        .pollInterval(Duration.ofMillis(5))
        .until(() -> rollouts.get(id).phase == RolloutPhase.WATCHING);
    Instant sent = Instant.now();
    EventSender.send(
        new AlertReceived(
            null,
            "fp-" + id,
            "alertmanager",
            "CheckoutErrors",
            Severity.SEV2,
            Map.of("namespace", ns),
            Map.of(),
            new WorkloadRef(ns, "Deployment", "checkout"),
            sent),
        "ticket-service");
    await()
        .atMost(Duration.ofSeconds(60))
        .pollInterval(Duration.ofMillis(5))
        .until(() -> rollouts.get(id).phase == RolloutPhase.REVERTED);
    Rollout r = rollouts.get(id);
    return new long[] {
      Duration.between(sent, r.finishedAt).toNanos(), Duration.between(sent, r.detectedAt).toNanos()
    };
  }

  /** The same restore by hand: the promoted spec put back, rolled out, and compared. */
  private long directRestore(String ns, int i) {
    Deployment checkpoint =
        Snapshot.restorable(client.apps().deployments().inNamespace(ns).withName("checkout").get());
    // The setup's patch, not timed: a JSON patch carries no resourceVersion, so the Deployment
    // controller writing the object at the same moment cannot make it fail with a conflict.
    client
        .apps()
        .deployments()
        .inNamespace(ns)
        .withName("checkout")
        .patch(
            io.fabric8.kubernetes.client.dsl.base.PatchContext.of(
                io.fabric8.kubernetes.client.dsl.base.PatchType.JSON),
            "[{\"op\":\"replace\",\"path\":\"/spec/template/spec/containers/0/image\","
                + "\"value\":\""
                + Sandbox.image("", i % 2 == 0 ? 'b' : 'c')
                + "\"}]");
    await()
        .atMost(Duration.ofSeconds(60))
        .pollInterval(Duration.ofMillis(5))
        .until(
            () ->
                WorkloadOps.rolledOut(
                    client.apps().deployments().inNamespace(ns).withName("checkout").get()));
    long start = System.nanoTime();
    Deployment live = client.apps().deployments().inNamespace(ns).withName("checkout").get();
    live.setSpec(Serialization.clone(checkpoint.getSpec()));
    live.getMetadata().setLabels(checkpoint.getMetadata().getLabels());
    client.apps().deployments().inNamespace(ns).resource(live).update();
    String want = Snapshot.specHash(checkpoint);
    await()
        .atMost(Duration.ofSeconds(60))
        .pollInterval(Duration.ofMillis(5))
        .until(
            () -> {
              Deployment d = client.apps().deployments().inNamespace(ns).withName("checkout").get();
              return WorkloadOps.rolledOut(d) && want.equals(Snapshot.specHash(d));
            });
    return System.nanoTime() - start;
  }
}
