package dev.patchops.sandbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The access objects of deploy/kubernetes/base, applied to a real API server and enforced by its
 * authorizer and admission: what the mock never checked.
 */
class DeployAccessTest {
  private static final String ORCHESTRATOR = "system:serviceaccount:patchops:test-orchestrator";
  private static TestPlane plane;
  private static KubernetesClient admin;

  @BeforeAll
  static void start() {
    plane = TestPlane.start();
    admin = plane.admin();
    Manifests.install(admin, Manifests.deployDir());
  }

  @AfterAll
  static void stop() {
    if (plane != null) {
      plane.close();
    }
  }

  /** The administrator impersonating a ServiceAccount, with the groups its token would carry. */
  private static KubernetesClient client(String serviceAccount) {
    String namespace = serviceAccount.split(":")[2];
    return plane.client(
        serviceAccount,
        "system:serviceaccounts",
        "system:serviceaccounts:" + namespace,
        "system:authenticated");
  }

  private static void namespace(String name, Map<String, String> labels) {
    admin
        .namespaces()
        .resource(
            new NamespaceBuilder()
                .withNewMetadata()
                .withName(name)
                .withLabels(labels)
                .endMetadata()
                .build())
        .create();
  }

  @Test
  void theOrchestratorMayDeleteOnlyNamespacesPatchOpsMade() throws Exception {
    namespace("payments-prod", Map.of("team", "payments"));
    namespace(
        "pt-t-1-r1-a1",
        Map.of("app.kubernetes.io/managed-by", "patchops", "patchops.dev/run", "run-1"));
    try (KubernetesClient orchestrator = client(ORCHESTRATOR)) {
      // A new policy takes effect when the API server's admission has loaded it: dry runs (which
      // pass admission and change nothing) tell when.
      await()
          .atMost(Duration.ofSeconds(15))
          .ignoreExceptionsInstanceOf(AssertionError.class)
          .until(
              () -> {
                try {
                  orchestrator.namespaces().withName("payments-prod").dryRun().delete();
                  return false;
                } catch (KubernetesClientException e) {
                  return e.getCode() == 403;
                }
              });
      assertThatThrownBy(() -> orchestrator.namespaces().withName("payments-prod").delete())
          .isInstanceOfSatisfying(
              KubernetesClientException.class,
              e -> {
                assertThat(e.getCode()).isEqualTo(403);
                assertThat(e.getMessage())
                    .contains(
                        "the test-orchestrator may delete only namespaces labelled"
                            + " app.kubernetes.io/managed-by=patchops and patchops.dev/run, not"
                            + " payments-prod");
              });
      assertThat(admin.namespaces().withName("payments-prod").get().getStatus().getPhase())
          .isEqualTo("Active");

      assertThat(orchestrator.namespaces().withName("pt-t-1-r1-a1").delete()).hasSize(1);
    }
    assertThat(admin.namespaces().withName("pt-t-1-r1-a1").get())
        .satisfiesAnyOf(
            ns -> assertThat(ns).isNull(),
            ns -> assertThat(ns.getStatus().getPhase()).isEqualTo("Terminating"));
  }

  @Test
  void theServicesNamespaceEnforcesTheRestrictedPodSecurityStandard() {
    assertThat(admin.namespaces().withName("patchops").get().getMetadata().getLabels())
        .containsEntry("pod-security.kubernetes.io/enforce", "restricted");
  }

  @Test
  void aServiceAccountWithoutAGrantIsRefusedByTheAuthorizer() throws Exception {
    try (KubernetesClient stranger = client("system:serviceaccount:default:default")) {
      assertThatThrownBy(() -> stranger.secrets().inNamespace("patchops").list())
          .isInstanceOfSatisfying(
              KubernetesClientException.class, e -> assertThat(e.getCode()).isEqualTo(403));
    }
  }

  /** PatchOps' own namespace carries the managed-by label, but it is no run's: never deleted. */
  @Test
  void theOrchestratorMayNotDeleteThePatchOpsNamespace() throws Exception {
    try (KubernetesClient orchestrator = client(ORCHESTRATOR)) {
      await()
          .atMost(Duration.ofSeconds(15))
          .until(
              () -> {
                try {
                  orchestrator.namespaces().withName("patchops").dryRun().delete();
                  return false;
                } catch (KubernetesClientException e) {
                  return e.getCode() == 403;
                }
              });
      assertThatThrownBy(() -> orchestrator.namespaces().withName("patchops").delete())
          .isInstanceOfSatisfying(
              KubernetesClientException.class,
              e -> {
                assertThat(e.getCode()).isEqualTo(403);
                assertThat(e.getMessage())
                    .contains("the test-orchestrator may never delete the patchops namespace");
              });
    }
    assertThat(admin.namespaces().withName("patchops").get().getMetadata().getDeletionTimestamp())
        .isNull();
  }

  /**
   * A namespace PatchOps manages is bound as docs/deploy.md says: the rollout-service reads its
   * Secrets there and nowhere else, the orchestrator lists them there and reads none elsewhere.
   */
  @Test
  void secretsAreReadOnlyInTheNamespacesBoundToPatchOps() throws Exception {
    namespace("shop-bound", Map.of());
    namespace("team-unbound", Map.of());
    Manifests.manage(admin, "shop-bound");
    try (KubernetesClient rollout = client("system:serviceaccount:patchops:rollout-service");
        KubernetesClient orchestrator = client(ORCHESTRATOR)) {
      await()
          .atMost(Duration.ofSeconds(15))
          .ignoreExceptionsInstanceOf(KubernetesClientException.class)
          .untilAsserted(
              () -> {
                assertThat(rollout.secrets().inNamespace("shop-bound").withName("x").get())
                    .isNull();
                assertThat(orchestrator.secrets().inNamespace("shop-bound").list().getItems())
                    .isEmpty();
              });
      for (String ns : new String[] {"team-unbound", "kube-system", "patchops"}) {
        assertThatThrownBy(() -> rollout.secrets().inNamespace(ns).withName("x").get())
            .isInstanceOfSatisfying(
                KubernetesClientException.class, e -> assertThat(e.getCode()).isEqualTo(403));
        assertThatThrownBy(() -> orchestrator.secrets().inNamespace(ns).list())
            .isInstanceOfSatisfying(
                KubernetesClientException.class, e -> assertThat(e.getCode()).isEqualTo(403));
      }
    }
  }

  /** A PatchRollout in kube-system is refused by admission, before the rollout-service sees it. */
  @Test
  void aPatchRolloutInKubeSystemIsRefusedByAdmission() throws Exception {
    var rollout =
        new io.fabric8.kubernetes.api.model.GenericKubernetesResourceBuilder()
            .withApiVersion("patchops.dev/v1alpha1")
            .withKind("PatchRollout")
            .withNewMetadata()
            .withName("coredns-patch")
            .withNamespace("kube-system")
            .withAnnotations(
                Map.of("patchops.dev/requested-by", dev.patchops.devstack.kube.ControlPlane.ADMIN))
            .endMetadata()
            .addToAdditionalProperties(
                "spec",
                Map.of(
                    "ticketId",
                    "TCK-1",
                    "revision",
                    1,
                    "image",
                    "registry.example/coredns@sha256:" + "a".repeat(64),
                    "deployment",
                    "coredns",
                    "containers",
                    java.util.List.of("coredns")))
            .build();
    assertThatThrownBy(() -> admin.resource(rollout).create())
        .isInstanceOfSatisfying(
            KubernetesClientException.class,
            e -> {
              assertThat(e.getCode()).isEqualTo(403);
              assertThat(e.getMessage())
                  .contains(
                      "namespace kube-system is never a rollout target: it is PatchOps' own or"
                          + " the cluster's (kube-*)");
            });
  }
}
