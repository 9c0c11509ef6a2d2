package dev.patchops.orchestrator.bench;

import static org.assertj.core.api.Assertions.assertThat;

import dev.patchops.contract.model.ContainerTarget;
import dev.patchops.contract.model.WorkloadRef;
import dev.patchops.orchestrator.WithOrchestratorInfra;
import dev.patchops.orchestrator.mirror.MirrorNames;
import dev.patchops.orchestrator.mirror.MirrorPlan;
import dev.patchops.orchestrator.mirror.MirrorRequest;
import dev.patchops.orchestrator.mirror.MirrorRules;
import dev.patchops.orchestrator.mirror.ProductionNamespace;
import dev.patchops.orchestrator.mirror.k8s.NamespaceMirror;
import dev.patchops.testing.Latencies;
import dev.patchops.testing.kube.TestCluster;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.ServiceAccountBuilder;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Time to mirror a 35-object namespace (12 Deployments, 12 Services, 11 ServiceAccounts) on the
 * real control plane of the tests (through its fault proxy, as the service always is), end to end:
 * read the source, plan, create the namespace, isolation objects and copies. The baseline, in the
 * same run, creates the same 35 planned objects directly with the same client, in parallel (8 at a
 * time, foundations before dependents, as the mirror does): no reading, no plan, no isolation
 * objects. One by one is measured too, for scale. Not a test: run with {@code -Pbench}.
 */
@QuarkusTest
@WithOrchestratorInfra
class MirrorBenchmark {
  private static final int ROUNDS = Integer.getInteger("bench.rounds", 50);
  private static final int WARMUP = Integer.getInteger("bench.warmup", 10);

  // Fixtures are the administrator's; the service acts as its own ServiceAccount.
  final KubernetesClient client = TestCluster.admin();
  @Inject NamespaceMirror mirror;

  @Test
  void mirrorAgainstSequentialCreates() throws Exception {
    String source = "bench-prod";
    client
        .namespaces()
        .resource(new NamespaceBuilder().withNewMetadata().withName(source).endMetadata().build())
        .create();
    dev.patchops.sandbox.Manifests.manage(client, source);
    for (HasMetadata o : objects(source)) {
      client.resource(o).inNamespace(source).create();
    }
    long[] mirrorNanos = new long[ROUNDS];
    long[] baselineNanos = new long[ROUNDS];
    long[] sequentialNanos = new long[ROUNDS];
    for (int round = -WARMUP; round < ROUNDS; round++) {
      String target = "pt-bench-" + (round + WARMUP);
      long start = System.nanoTime();
      NamespaceMirror.Mirror built = mirror.build(request(source, target));
      long mirrorTime = System.nanoTime() - start;
      assertThat(built.plan().objectCount()).isEqualTo(35);

      String parallelTarget = "par-bench-" + (round + WARMUP);
      long parallelTime = createDirectly(source, parallelTarget, true);
      String sequentialTarget = "seq-bench-" + (round + WARMUP);
      long sequentialTime = createDirectly(source, sequentialTarget, false);
      if (round >= 0) {
        mirrorNanos[round] = mirrorTime;
        baselineNanos[round] = parallelTime;
        sequentialNanos[round] = sequentialTime;
      }
      mirror.teardown(target);
      // Untimed: left alone, each baseline would add its Pods to the cluster later rounds run on.
      client.namespaces().withName(parallelTarget).delete();
      client.namespaces().withName(sequentialTarget).delete();
    }
    Latencies m = Latencies.ofNanos(mirrorNanos);
    Latencies b = Latencies.ofNanos(baselineNanos);
    Latencies q = Latencies.ofNanos(sequentialNanos);
    String text =
        String.format(
            Locale.ROOT,
            "| scenario | rounds | p50 ms | p99 ms | max ms |%n|---|---:|---:|---:|---:|%n"
                + "| parallel creates of the 35 planned objects (baseline) | %d | %.1f | %.1f | %.1f |%n"
                + "| sequential creates of the same objects | %d | %.1f | %.1f | %.1f |%n"
                + "| mirror: list 14 kinds, plan, namespace + 3 isolation + 35 copies in 2 parallel tiers | %d | %.1f | %.1f | %.1f |%n",
            b.count(),
            b.percentileMs(0.50),
            b.percentileMs(0.99),
            b.maxMs(),
            q.count(),
            q.percentileMs(0.50),
            q.percentileMs(0.99),
            q.maxMs(),
            m.count(),
            m.percentileMs(0.50),
            m.percentileMs(0.99),
            m.maxMs());
    System.out.println(text);
    Path out = Path.of("target", "benchmarks", "mirror.md");
    Files.createDirectories(out.getParent());
    Files.writeString(out, text, StandardCharsets.UTF_8);
  }

  /** The planned objects created in a new namespace, timed from the first create. */
  private long createDirectly(String source, String target, boolean parallel) throws Exception {
    MirrorPlan plan = MirrorRules.plan(objects(source), request(source, target));
    client
        .namespaces()
        .resource(new NamespaceBuilder().withNewMetadata().withName(target).endMetadata().build())
        .create();
    long start = System.nanoTime();
    for (List<HasMetadata> tier : List.of(plan.foundations(), plan.dependents())) {
      if (parallel) {
        List<java.util.concurrent.Future<?>> creates = new ArrayList<>();
        for (HasMetadata o : tier) {
          creates.add(POOL.submit(() -> client.resource(o).create()));
        }
        for (var create : creates) {
          create.get();
        }
      } else {
        for (HasMetadata o : tier) {
          client.resource(o).create();
        }
      }
    }
    return System.nanoTime() - start;
  }

  private static final java.util.concurrent.ExecutorService POOL =
      java.util.concurrent.Executors.newFixedThreadPool(8);

  private static MirrorRequest request(String source, String target) {
    return new MirrorRequest(
        source,
        target,
        "registry.example/svc-0@sha256:" + "c".repeat(64),
        List.of(new ContainerTarget(new WorkloadRef(source, "Deployment", "svc-0"), "app")),
        Map.of(MirrorNames.MANAGED_BY, MirrorNames.MANAGED_BY_VALUE, MirrorNames.RUN, target),
        1,
        false,
        "mirror.patchops.invalid");
  }

  private static List<HasMetadata> objects(String ns) {
    List<HasMetadata> objects = new ArrayList<>();
    for (int i = 0; i < 12; i++) {
      String name = "svc-" + i;
      Map<String, String> app = Map.of("app", name);
      objects.add(
          new DeploymentBuilder()
              .withNewMetadata()
              .withName(name)
              .withNamespace(ns)
              .withLabels(app)
              .endMetadata()
              .withNewSpec()
              .withReplicas(2)
              .withNewSelector()
              .withMatchLabels(app)
              .endSelector()
              .withNewTemplate()
              .withNewMetadata()
              .withLabels(app)
              .endMetadata()
              .withNewSpec()
              .withSecurityContext(ProductionNamespace.restrictedPod())
              .addNewContainer()
              .withName("app")
              .withImage("registry.example/" + name + ":1")
              .withSecurityContext(ProductionNamespace.restrictedContainer())
              .addNewEnv()
              .withName("PEER")
              .withValue("svc-1." + ns + ".svc.cluster.local")
              .endEnv()
              .endContainer()
              .endSpec()
              .endTemplate()
              .endSpec()
              .build());
      objects.add(
          new ServiceBuilder()
              .withNewMetadata()
              .withName(name)
              .withNamespace(ns)
              .endMetadata()
              .withNewSpec()
              .withSelector(app)
              .addNewPort()
              .withPort(80)
              .withTargetPort(new IntOrString(8080))
              .endPort()
              .endSpec()
              .build());
      if (i < 11) {
        objects.add(
            new ServiceAccountBuilder()
                .withNewMetadata()
                .withName(name)
                .withNamespace(ns)
                .endMetadata()
                .build());
      }
    }
    return objects;
  }
}
