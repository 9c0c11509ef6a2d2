package dev.patchops.rollout.canary;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.patchops.rollout.Sandbox;
import dev.patchops.rollout.WithRolloutInfra;
import dev.patchops.rollout.canary.k8s.Labels;
import dev.patchops.testing.kube.TestCluster;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The sweep (every 30 s) removes the canaries a crash left behind: those of a rollout that ended,
 * and those of a rollout the database does not know, with their Pods and Service. The canary of a
 * rollout still in progress is left as it is.
 */
@QuarkusTest
@WithRolloutInfra
class OrphanSweepTest {
  /** One sweep period and the time to delete. */
  static final Duration SWEEP_WAIT = Duration.ofSeconds(50);

  static final Duration WAIT = Duration.ofSeconds(40);

  final KubernetesClient client = TestCluster.admin();
  @Inject RolloutService rollouts;

  @BeforeEach
  void sandbox() {
    Sandbox.start(client);
  }

  /** A canary as the engine makes it, left in the cluster as a crash before its cleanup would. */
  private void leftCanary(String ns, String rolloutId) {
    Map<String, String> labels =
        Map.of(
            "app",
            "checkout",
            Labels.MANAGED_BY,
            Labels.MANAGED_BY_VALUE,
            Labels.TRACK,
            Labels.CANARY,
            Labels.ROLLOUT,
            rolloutId);
    Deployment canary =
        new DeploymentBuilder()
            .withNewMetadata()
            .withName("checkout-canary")
            .withNamespace(ns)
            .withLabels(labels)
            .endMetadata()
            .withNewSpec()
            .withReplicas(1)
            .withNewSelector()
            .withMatchLabels(Map.of(Labels.ROLLOUT, rolloutId, Labels.TRACK, Labels.CANARY))
            .endSelector()
            .withNewTemplate()
            .withNewMetadata()
            .withLabels(labels)
            .endMetadata()
            .withNewSpec()
            .addNewContainer()
            .withName("app")
            .withImage(Sandbox.image("", '9'))
            .endContainer()
            .endSpec()
            .endTemplate()
            .endSpec()
            .build();
    client.apps().deployments().inNamespace(ns).resource(canary).create();
    client
        .services()
        .inNamespace(ns)
        .resource(
            new ServiceBuilder()
                .withNewMetadata()
                .withName("checkout-canary")
                .withLabels(
                    Map.of(Labels.MANAGED_BY, Labels.MANAGED_BY_VALUE, Labels.ROLLOUT, rolloutId))
                .endMetadata()
                .withNewSpec()
                .withSelector(Map.of(Labels.ROLLOUT, rolloutId))
                .addNewPort()
                .withPort(80)
                .withNewTargetPort(8080)
                .endPort()
                .endSpec()
                .build())
        .create();
    // Its Pods run, as they did before the crash.
    await()
        .atMost(WAIT)
        .until(
            () ->
                !client
                    .pods()
                    .inNamespace(ns)
                    .withLabel(Labels.ROLLOUT, rolloutId)
                    .list()
                    .getItems()
                    .isEmpty());
  }

  @Test
  void canariesOfEndedAndUnknownRolloutsAreSweptAndALiveOneIsKept() {
    String liveShop = Sandbox.shop(client);
    String live =
        CanaryFailuresTest.start(
            liveShop, Sandbox.image("", '7'), "\"steps\":[{\"weight\":25,\"pauseSeconds\":600}]");
    await()
        .atMost(WAIT)
        .until(
            () ->
                client.apps().deployments().inNamespace(liveShop).withName("checkout-canary").get()
                    != null);
    String liveCanaryUid =
        client
            .apps()
            .deployments()
            .inNamespace(liveShop)
            .withName("checkout-canary")
            .get()
            .getMetadata()
            .getUid();

    String endedShop = Sandbox.shop(client);
    String ended =
        CanaryFailuresTest.start(
            endedShop, Sandbox.image("", '8'), "\"steps\":[{\"weight\":25,\"pauseSeconds\":600}]");
    await().atMost(WAIT).until(() -> rollouts.get(ended).phase == RolloutPhase.PROGRESSING);
    rollouts.command(ended, RolloutService.Command.ABORT, "test");
    await().atMost(WAIT).until(() -> rollouts.get(ended).phase == RolloutPhase.REVERTED);
    leftCanary(endedShop, ended);

    String unknownShop = Sandbox.shop(client);
    String unknown = "ro-" + UUID.randomUUID().toString().replace("-", "");
    leftCanary(unknownShop, unknown);

    await()
        .atMost(SWEEP_WAIT)
        .pollInterval(Duration.ofMillis(200))
        .untilAsserted(
            () -> {
              Sandbox.assertNoCanaryLeft(client, endedShop, ended);
              Sandbox.assertNoCanaryLeft(client, unknownShop, unknown);
            });

    // The sweep ran over the live rollout too, and kept its canary: the same object, still used.
    Deployment liveCanary =
        client.apps().deployments().inNamespace(liveShop).withName("checkout-canary").get();
    assertThat(liveCanary).isNotNull();
    assertThat(liveCanary.getMetadata().getUid()).isEqualTo(liveCanaryUid);
    assertThat(rollouts.get(live).phase).isEqualTo(RolloutPhase.PROGRESSING);
    // The stable workloads beside the swept canaries are untouched.
    assertThat(client.apps().deployments().inNamespace(unknownShop).withName("checkout").get())
        .isNotNull();
    rollouts.command(live, RolloutService.Command.ABORT, "test");
    await().atMost(WAIT).until(() -> rollouts.get(live).phase == RolloutPhase.REVERTED);
  }
}
