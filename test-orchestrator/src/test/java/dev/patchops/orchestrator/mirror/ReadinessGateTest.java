package dev.patchops.orchestrator.mirror;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.patchops.contract.model.ContainerTarget;
import dev.patchops.contract.model.WorkloadRef;
import dev.patchops.orchestrator.Sandbox;
import dev.patchops.orchestrator.WithOrchestratorInfra;
import dev.patchops.orchestrator.mirror.k8s.NamespaceMirror;
import dev.patchops.orchestrator.mirror.k8s.ReadinessGate;
import dev.patchops.sandbox.SimulatedKubelet;
import dev.patchops.testing.kube.KubeletFaults;
import dev.patchops.testing.kube.TestCluster;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

@QuarkusTest
@WithOrchestratorInfra
class ReadinessGateTest {
  // Fixtures are the administrator's; the service acts as its own ServiceAccount.
  final KubernetesClient client = TestCluster.admin();
  @Inject NamespaceMirror mirror;
  @Inject ReadinessGate gate;

  private String mirrorOf(String image) {
    String source = ProductionNamespace.create(client);
    String target = "pt-" + source;
    mirror.build(
        new MirrorRequest(
            source,
            target,
            image,
            List.of(new ContainerTarget(new WorkloadRef(source, "Deployment", "checkout"), "app")),
            Map.of(MirrorNames.MANAGED_BY, MirrorNames.MANAGED_BY_VALUE, MirrorNames.RUN, target),
            1,
            false,
            "mirror.patchops.invalid"));
    return target;
  }

  @Test
  void aHealthyMirrorIsReadyWellBeforeItsDeadline() throws Exception {
    try (KubeletFaults kubelet = Sandbox.kubelet().start()) {
      String ns = mirrorOf("registry.example/checkout@sha256:" + "1".repeat(64));
      ReadinessGate.Readiness readiness = gate.await(ns, Duration.ofSeconds(20));
      assertThat(readiness.ready()).isTrue();
      assertThat(readiness.issues()).isEmpty();
      assertThat(readiness.restarts()).isZero();
      mirror.teardown(ns);
    }
  }

  @Test
  void aPatchThatNeverGetsReadyFailsWithTheReasonAtTheDeadline() throws Exception {
    String crashing = "registry.example/checkout@sha256:" + "2".repeat(64);
    String missing = "registry.example/payments-missing:9";
    try (KubeletFaults kubelet =
        Sandbox.kubelet()
            .behave(crashing, SimulatedKubelet.Behavior.CRASHLOOP)
            .behave("registry.example/cart:", SimulatedKubelet.Behavior.UNREADY)
            .start()) {
      String ns = mirrorOf(crashing);
      // The Deployment controller writes the new mirror's Deployments too: an edit that meets one
      // of its writes gets a conflict (409) and is made again on the current version.
      await()
          .atMost(Duration.ofSeconds(10))
          .ignoreExceptionsMatching(
              e -> e instanceof KubernetesClientException k && k.getCode() == 409)
          .until(
              () ->
                  client
                          .apps()
                          .deployments()
                          .inNamespace(ns)
                          .withName("payments")
                          .edit(
                              d -> {
                                d.getSpec()
                                    .getTemplate()
                                    .getSpec()
                                    .getContainers()
                                    .get(0)
                                    .setImage(missing);
                                d.getSpec()
                                    .getTemplate()
                                    .getMetadata()
                                    .setAnnotations(
                                        Map.of(SimulatedKubelet.BEHAVIOR, "image-pull"));
                                return d;
                              })
                      != null);
      // The healthy workloads get ready first, however slow the machine: the gate's short deadline
      // below is about the three broken ones, not a race with the controllers.
      java.util.Set<String> broken = java.util.Set.of("checkout", "payments", "cart");
      await()
          .atMost(Duration.ofSeconds(60))
          .until(
              () ->
                  client.apps().deployments().inNamespace(ns).list().getItems().stream()
                      .filter(d -> !broken.contains(d.getMetadata().getName()))
                      .allMatch(
                          d ->
                              d.getStatus() != null
                                  && d.getSpec().getReplicas() != null
                                  && d.getSpec()
                                      .getReplicas()
                                      .equals(d.getStatus().getReadyReplicas())
                                  && d.getSpec()
                                      .getReplicas()
                                      .equals(d.getStatus().getUpdatedReplicas())));
      // The patched payments rolls out beside its old, ready Pod, which must not pass for it.
      ReadinessGate.Readiness readiness = gate.await(ns, Duration.ofSeconds(3));
      assertThat(readiness.ready()).isFalse();
      assertThat(readiness.waited()).isGreaterThanOrEqualTo(Duration.ofSeconds(3));
      assertThat(readiness.issues())
          .containsExactlyInAnyOrder(
              "Deployment checkout: crash loop in container app (5 restarts)",
              "Deployment payments: image pull failed for " + missing,
              "Deployment cart: pods not ready");
      assertThat(readiness.restarts()).isEqualTo(5);
      mirror.teardown(ns);
    }
  }
}
