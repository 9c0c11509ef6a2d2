package dev.patchops.orchestrator;

import dev.patchops.testing.kube.TestCluster;
import io.fabric8.kubernetes.client.KubernetesClient;
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
    TestCluster.assertActsAs(client, "patchops", "test-orchestrator");
  }
}
