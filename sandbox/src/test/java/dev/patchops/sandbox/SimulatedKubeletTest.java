package dev.patchops.sandbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.api.model.apps.StatefulSetBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The simulated kubelet against a real control plane: the controller manager makes the Pods, the
 * scheduler binds them, and the kubelet only reports what a container runtime would.
 */
class SimulatedKubeletTest {
  private static TestPlane plane;
  private static KubernetesClient client;
  private static SimulatedKubelet kubelet;
  private static final AtomicInteger NAMESPACES = new AtomicInteger();
  private String ns;

  @BeforeAll
  static void start() {
    plane = TestPlane.start();
    client = plane.admin();
    kubelet =
        new SimulatedKubelet(client)
            .behave("broken-canary", SimulatedKubelet.Behavior.UNREADY)
            .start();
  }

  @AfterAll
  static void stop() {
    if (kubelet != null) {
      kubelet.close();
    }
    if (plane != null) {
      plane.close();
    }
  }

  @BeforeEach
  void namespace() {
    ns = "shop-" + NAMESPACES.incrementAndGet();
    client
        .namespaces()
        .resource(new NamespaceBuilder().withNewMetadata().withName(ns).endMetadata().build())
        .create();
  }

  private Deployment deployment(
      String name, String image, int replicas, Map<String, String> annotations) {
    return new DeploymentBuilder()
        .withNewMetadata()
        .withName(name)
        .withNamespace(ns)
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
    return client.pods().inNamespace(ns).withLabel("app", app).list().getItems();
  }

  @Test
  void aDeploymentBecomesReadyWithOnePodPerReplicaAndRollsToANewTemplate() {
    client.resource(deployment("checkout", "registry.example/checkout:1", 3, Map.of())).create();
    await()
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(
            () -> {
              Deployment d = client.apps().deployments().inNamespace(ns).withName("checkout").get();
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
        .inNamespace(ns)
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
            () -> {
              var status =
                  client.apps().deployments().inNamespace(ns).withName("canary").get().getStatus();
              // A real API server leaves a zero count out: null means none ready.
              assertThat(status.getReplicas()).isEqualTo(1);
              assertThat(status.getReadyReplicas()).isNull();
              assertThat(status.getUnavailableReplicas()).isEqualTo(1);
            });
  }

  /**
   * As a kubelet: a container whose environment names a missing Secret key is not started
   * (CreateContainerConfigError, Pending), and starts once the key is there (the kubelet tries
   * again).
   */
  @Test
  void aContainerWhoseSecretKeyIsMissingIsNotStartedUntilTheKeyIsThere() {
    client
        .secrets()
        .inNamespace(ns)
        .resource(
            new io.fabric8.kubernetes.api.model.SecretBuilder()
                .withNewMetadata()
                .withName("db")
                .endMetadata()
                .withData(Map.of("password", "cHc="))
                .build())
        .create();
    client
        .resource(
            withSecretKey(deployment("api", "registry.example/api:1", 1, Map.of()), "password"))
        .create();
    await()
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(
            () ->
                assertThat(pods("api"))
                    .singleElement()
                    .satisfies(p -> assertThat(p.getStatus().getPhase()).isEqualTo("Running")));
    String apiUid = pods("api").get(0).getMetadata().getUid();

    client
        .resource(
            withSecretKey(deployment("late", "registry.example/late:1", 1, Map.of()), "token"))
        .create();
    await()
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(
            () ->
                assertThat(pods("late"))
                    .singleElement()
                    .satisfies(
                        p -> {
                          assertThat(p.getStatus().getPhase()).isEqualTo("Pending");
                          assertThat(p.getStatus().getContainerStatuses()).hasSize(1);
                          var waiting =
                              p.getStatus().getContainerStatuses().get(0).getState().getWaiting();
                          assertThat(waiting).isNotNull();
                          assertThat(waiting.getReason()).isEqualTo("CreateContainerConfigError");
                          assertThat(waiting.getMessage())
                              .isEqualTo("couldn't find key token in Secret " + ns + "/db");
                        }));

    client
        .secrets()
        .inNamespace(ns)
        .withName("db")
        .edit(
            s -> {
              s.getData().put("token", "dA==");
              return s;
            });
    await()
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(
            () ->
                assertThat(pods("late"))
                    .singleElement()
                    .satisfies(p -> assertThat(p.getStatus().getPhase()).isEqualTo("Running")));

    // The Pod that started first was never held up.
    assertThat(pods("api").get(0).getMetadata().getUid()).isEqualTo(apiUid);
    assertThat(pods("api").get(0).getStatus().getPhase()).isEqualTo("Running");
  }

  private static Deployment withSecretKey(Deployment d, String key) {
    d.getSpec()
        .getTemplate()
        .getSpec()
        .getContainers()
        .get(0)
        .setEnv(
            List.of(
                new io.fabric8.kubernetes.api.model.EnvVarBuilder()
                    .withName("SECRET")
                    .withNewValueFrom()
                    .withNewSecretKeyRef(key, "db", false)
                    .endValueFrom()
                    .build()));
    return d;
  }

  @Test
  void aStatefulSetGetsOrdinalPods() {
    client
        .resource(
            new StatefulSetBuilder()
                .withNewMetadata()
                .withName("db")
                .withNamespace(ns)
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
                            .inNamespace(ns)
                            .withName("db")
                            .get()
                            .getStatus()
                            .getReadyReplicas())
                    .isEqualTo(2));
  }

  @Test
  void theSimulatedNodesAreReadyAndSchedulable() {
    await()
        .atMost(Duration.ofSeconds(30))
        .untilAsserted(
            () ->
                assertThat(client.nodes().list().getItems())
                    .filteredOn(n -> SimulatedKubelet.NODES.contains(n.getMetadata().getName()))
                    .hasSize(2)
                    .allSatisfy(
                        n -> {
                          assertThat(n.getStatus().getConditions())
                              .anyMatch(
                                  c -> c.getType().equals("Ready") && c.getStatus().equals("True"));
                          assertThat(n.getSpec().getTaints()).isNullOrEmpty();
                        }));
  }

  @Test
  void aJobRunsItsScriptThroughTheJobControllerAndItsLogIsReadThroughTheApi() {
    kubelet.script(
        "suite-fails",
        new SimulatedKubelet.JobScript(3, Duration.ofMillis(300), "line 1\nFAILED x\n"));
    client
        .batch()
        .v1()
        .jobs()
        .inNamespace(ns)
        .resource(
            new JobBuilder()
                .withNewMetadata()
                .withName("suite")
                .endMetadata()
                .withNewSpec()
                .withBackoffLimit(0)
                .withNewTemplate()
                .withNewSpec()
                .withRestartPolicy("Never")
                .addNewContainer()
                .withName("tests")
                .withImage("registry.example/suite-fails:1")
                .endContainer()
                .endSpec()
                .endTemplate()
                .endSpec()
                .build())
        .create();
    Job job =
        client
            .batch()
            .v1()
            .jobs()
            .inNamespace(ns)
            .withName("suite")
            .waitUntilCondition(
                j ->
                    j.getStatus() != null
                        && j.getStatus().getConditions() != null
                        && j.getStatus().getConditions().stream()
                            .anyMatch(c -> c.getType().equals("Failed")),
                60,
                TimeUnit.SECONDS);
    assertThat(job.getStatus().getFailed()).isEqualTo(1);
    Pod pod = client.pods().inNamespace(ns).withLabel("job-name", "suite").list().getItems().get(0);
    assertThat(pod.getStatus().getPhase()).isEqualTo("Failed");
    assertThat(
            pod.getStatus().getContainerStatuses().get(0).getState().getTerminated().getExitCode())
        .isEqualTo(3);
    assertThat(
            client
                .pods()
                .inNamespace(ns)
                .withName(pod.getMetadata().getName())
                .inContainer("tests")
                .getLog())
        .isEqualTo("line 1\nFAILED x\n");
  }

  @Test
  void aDeletedNamespaceIsFinalizedWithNothingLeftInIt() {
    client.resource(deployment("web", "registry.example/web:1", 2, Map.of())).create();
    await().atMost(Duration.ofSeconds(20)).until(() -> pods("web").size() == 2);
    client.namespaces().withName(ns).delete();
    // The namespace controller deletes the Pods; only the kubelet's confirmation removes them.
    await()
        .atMost(Duration.ofSeconds(60))
        .until(() -> client.namespaces().withName(ns).get() == null);
  }
}
