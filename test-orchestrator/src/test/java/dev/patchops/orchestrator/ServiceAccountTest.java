package dev.patchops.orchestrator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

/**
 * The suite's calls are authorized by the real API server as this service's ServiceAccount of
 * {@code deploy/}, not as an administrator: every other test of the module is therefore also a
 * check that the service's RBAC allows what its code really calls.
 */
@QuarkusTest
@WithOrchestratorInfra
class ServiceAccountTest {
  @Inject KubernetesClient client;

  @Test
  void theServiceActsAsItsOwnServiceAccountAndIsRefusedWhatItsRbacDoesNotGrant() {
    assertThat(
            client
                .authentication()
                .v1()
                .selfSubjectReviews()
                .create(new io.fabric8.kubernetes.api.model.authentication.SelfSubjectReview())
                .getStatus()
                .getUserInfo()
                .getUsername())
        .isEqualTo("system:serviceaccount:patchops:test-orchestrator");
    assertThatThrownBy(
            () ->
                client
                    .rbac()
                    .clusterRoles()
                    .resource(
                        new ClusterRoleBuilder()
                            .withNewMetadata()
                            .withName("not-ours")
                            .endMetadata()
                            .build())
                    .create())
        .isInstanceOfSatisfying(
            KubernetesClientException.class, e -> assertThat(e.getCode()).isEqualTo(403));
  }
}
