package dev.patchops.sandbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.api.model.apps.StatefulSetBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class SimulatedKubeletTest {
  private KubernetesMockServer server;
  private KubernetesClient client;
  private SimulatedKubelet kubelet;

  @BeforeEach
  void start() {
    server =
        new KubernetesMockServer(
            new io.fabric8.mockwebserver.Context(),
            new io.fabric8.mockwebserver.MockWebServer(),
            new java.util.HashMap<>(),
            new io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher(),
            false);
    server.init();
    client = server.createClient();
    kubelet =
        new SimulatedKubelet(client)
            .behave("broken-canary", SimulatedKubelet.Behavior.UNREADY)
            .start();
  }

  @AfterEach
  void stop() {
    kubelet.close();
    client.close();
    server.destroy();
  }

  private static Deployment deployment(
      String name, String image, int replicas, Map<String, String> annotations) {
    return new DeploymentBuilder()
        .withNewMetadata()
        .withName(name)
        .withNamespace("shop")
        .endMetadata()
        .withNewSpec()
        .withReplicas(replicas)
        .withNewSelector()
        .addToMatchLabels("app", name)
        .endSelector()
        .withNewTemplate()
        .withNewMetadata()
        .addToLabels("app", name)
        .withAnnotations(annotations)
        .endMetadata()
        .withNewSpec()
        .addNewContainer()
        .withName("app")
        .withImage(image)
        .endContainer()
        .endSpec()
        .endTemplate()
        .endSpec()
        .build();
  }

  private List<Pod> pods(String app) {
    return client.pods().inNamespace("shop").withLabel("app", app).list().getItems();
  }

  @Test
  void aDeploymentBecomesReadyWithOnePodPerReplicaAndRollsToANewTemplate() {
    client.resource(deployment("checkout", "registry.example/checkout:1", 3, Map.of())).create();
    await()
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(
            () -> {
              Deployment d =
                  client.apps().deployments().inNamespace("shop").withName("checkout").get();
              assertThat(d.getStatus()).isNotNull();
              assertThat(d.getStatus().getReadyReplicas()).isEqualTo(3);
              assertThat(d.getStatus().getObservedGeneration())
                  .isEqualTo(d.getMetadata().getGeneration());
            });
    assertThat(pods("checkout"))
        .hasSize(3)
        .allMatch(p -> p.getStatus().getPhase().equals("Running"));

    client
        .apps()
        .deployments()
        .inNamespace("shop")
        .withName("checkout")
        .edit(
            d -> {
              d.getSpec()
                  .getTemplate()
                  .getSpec()
                  .getContainers()
                  .get(0)
                  .setImage("registry.example/checkout:2");
              d.getSpec().setReplicas(2);
              return d;
            });
    await()
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(
            () -> {
              List<Pod> pods = pods("checkout");
              assertThat(pods).hasSize(2);
              assertThat(pods)
                  .allMatch(p -> p.getSpec().getContainers().get(0).getImage().endsWith(":2"));
            });
  }

  @Test
  void injectedFailuresShowAsAKubeletWouldReportThem() {
    client.resource(deployment("canary", "registry.example/broken-canary:1", 1, Map.of())).create();
    client
        .resource(
            deployment(
                "crasher",
                "registry.example/crasher:1",
                1,
                Map.of(SimulatedKubelet.BEHAVIOR, "crashloop")))
        .create();
    client
        .resource(
            deployment(
                "pull",
                "registry.example/missing:1",
                1,
                Map.of(SimulatedKubelet.BEHAVIOR, "image-pull")))
        .create();
    await()
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(
            () -> {
              assertThat(pods("canary")).hasSize(1);
              assertThat(pods("crasher")).hasSize(1);
              assertThat(pods("pull")).hasSize(1);
            });
    Pod unready = pods("canary").get(0);
    assertThat(unready.getStatus().getConditions())
        .anyMatch(c -> c.getType().equals("Ready") && c.getStatus().equals("False"));
    Pod crashing = pods("crasher").get(0);
    assertThat(
            crashing.getStatus().getContainerStatuses().get(0).getState().getWaiting().getReason())
        .isEqualTo("CrashLoopBackOff");
    assertThat(crashing.getStatus().getContainerStatuses().get(0).getRestartCount()).isPositive();
    assertThat(
            pods("pull")
                .get(0)
                .getStatus()
                .getContainerStatuses()
                .get(0)
                .getState()
                .getWaiting()
                .getReason())
        .isEqualTo("ImagePullBackOff");
    await()
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(
            () ->
                assertThat(
                        client
                            .apps()
                            .deployments()
                            .inNamespace("shop")
                            .withName("canary")
                            .get()
                            .getStatus()
                            .getReadyReplicas())
                    .isZero());
  }

  @Test
  void aStatefulSetGetsOrdinalPods() {
    client
        .resource(
            new StatefulSetBuilder()
                .withNewMetadata()
                .withName("db")
                .withNamespace("shop")
                .endMetadata()
                .withNewSpec()
                .withReplicas(2)
                .withServiceName("db")
                .withNewSelector()
                .addToMatchLabels("app", "db")
                .endSelector()
                .withNewTemplate()
                .withNewMetadata()
                .addToLabels("app", "db")
                .endMetadata()
                .withNewSpec()
                .addNewContainer()
                .withName("pg")
                .withImage("postgres:18")
                .endContainer()
                .endSpec()
                .endTemplate()
                .endSpec()
                .build())
        .create();
    await()
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(
            () ->
                assertThat(pods("db"))
                    .extracting(p -> p.getMetadata().getName())
                    .containsExactlyInAnyOrder("db-0", "db-1"));
    await()
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(
            () ->
                assertThat(
                        client
                            .apps()
                            .statefulSets()
                            .inNamespace("shop")
                            .withName("db")
                            .get()
                            .getStatus()
                            .getReadyReplicas())
                    .isEqualTo(2));
  }
}
