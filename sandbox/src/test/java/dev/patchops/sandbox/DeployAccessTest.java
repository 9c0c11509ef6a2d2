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
    namespace("pt-t-1-r1-a1", Map.of("app.kubernetes.io/managed-by", "patchops"));
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
                            + " app.kubernetes.io/managed-by=patchops, not payments-prod");
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
}
