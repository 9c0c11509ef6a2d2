package dev.patchops.orchestrator.run;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.patchops.contract.events.TestRunRequested;
import dev.patchops.contract.model.TestOutcome;
import dev.patchops.orchestrator.Namespaces;
import dev.patchops.orchestrator.Sandbox;
import dev.patchops.orchestrator.WithOrchestratorInfra;
import dev.patchops.orchestrator.mirror.MirrorNames;
import dev.patchops.orchestrator.mirror.ProductionNamespace;
import dev.patchops.orchestrator.run.k8s.PatchTest;
import dev.patchops.orchestrator.run.k8s.PatchTests;
import dev.patchops.testing.kube.ApiFaults;
import dev.patchops.testing.kube.KubeletFaults;
import dev.patchops.testing.kube.TestCluster;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The API fails in the middle of a copy. The faults are answered by the proxy between the service
 * and the real API server, before the server ever sees the request, as an overloaded or failing API
 * server would.
 */
@QuarkusTest
@WithOrchestratorInfra
class MirrorFaultTest {
  // Fixtures are the administrator's; the service acts as its own ServiceAccount.
  final KubernetesClient client = TestCluster.admin();
  @Inject TestRunService runs;
  @Inject PatchTests patchTests;

  /** Creates on {@code path} get the API's {@code code} Status, {@code times} times (0: always). */
  private static void failCreates(String path, int code, String reason, String message, int times) {
    ApiFaults.fail("POST", path, code, reason, message, times);
  }

  @AfterEach
  void liftFaults() {
    ApiFaults.clear();
  }

  private static TestRunRequested request(String ticket, String source) {
    return Requests.checkout(ticket, source, 'e');
  }

  private TestRun awaitCleaned(String runId) {
    await().atMost(Duration.ofSeconds(60)).until(() -> runs.get(runId).state == RunState.CLEANED);
    return runs.get(runId);
  }

  private static String ticket() {
    return "T-" + UUID.randomUUID().toString().substring(0, 6).toUpperCase();
  }

  @Test
  void transientFailuresDuringTheCopyAreRetriedAndTheRunGoesOn() {
    try (KubeletFaults kubelet = Sandbox.kubelet().start()) {
      String ticket = ticket();
      String mirror = MirrorNames.namespace(ticket, 1, 1);
      // Five failures outlast one call's client retries (1 + 3): the mirror's own attempts take
      // over, and the copy completes.
      failCreates(
          "/api/v1/namespaces/" + mirror + "/configmaps",
          503,
          "ServiceUnavailable",
          "etcdserver: request timed out",
          5);
      failCreates(
          "/apis/apps/v1/namespaces/" + mirror + "/deployments", 429, "TooManyRequests", "slow", 2);
      TestRunRequested request = request(ticket, ProductionNamespace.create(client));
      runs.request(request);

      TestRun run = awaitCleaned(request.runId());
      assertThat(run.outcome).as("%s", run.analytics).isEqualTo(TestOutcome.PASSED);
      assertThat(run.readyPublished).isTrue();
      // The copy really met every failure: a path that no request took would pass anyway.
      assertThat(ApiFaults.served("POST", "/api/v1/namespaces/" + mirror + "/configmaps"))
          .as("503 answers served")
          .isEqualTo(5);
      assertThat(ApiFaults.served("POST", "/apis/apps/v1/namespaces/" + mirror + "/deployments"))
          .as("429 answers served")
          .isEqualTo(2);
      assertThat(run.analytics.environmentIssues().get(0)).startsWith("mirror ready after");
    }
  }

  @Test
  void aFailureThatOutlivesTheRetriesEndsTheRunAsAnErrorAndLeavesNoHalfEnvironment() {
    try (KubeletFaults kubelet = Sandbox.kubelet().start()) {
      String ticket = ticket();
      String mirror = MirrorNames.namespace(ticket, 1, 1);
      // Foundations (ConfigMaps, Secrets, ServiceAccounts, PVCs, isolation) are in by then.
      failCreates(
          "/apis/apps/v1/namespaces/" + mirror + "/deployments",
          500,
          "InternalError",
          "admission webhook unreachable",
          0);
      TestRunRequested request = request(ticket, ProductionNamespace.create(client));
      runs.request(request);

      TestRun run = awaitCleaned(request.runId());
      assertThat(run.outcome).isEqualTo(TestOutcome.ERROR);
      assertThat(ApiFaults.served("POST", "/apis/apps/v1/namespaces/" + mirror + "/deployments"))
          .as("500 answers served: the client's retries and the mirror's attempts")
          .isGreaterThan(1);
      assertThat(run.readyPublished).isFalse();
      assertThat(run.analytics.suites()).isEmpty();
      assertThat(run.analytics.environmentIssues())
          .singleElement()
          .satisfies(
              issue ->
                  assertThat(issue)
                      .startsWith("mirror not built: copy into " + mirror + " failed: ")
                      .contains("admission webhook unreachable"));

      Namespaces.awaitDeleted(client, mirror);
      assertThat(client.configMaps().inNamespace(mirror).list().getItems()).isEmpty();
      assertThat(client.secrets().inNamespace(mirror).list().getItems()).isEmpty();
      assertThat(client.serviceAccounts().inNamespace(mirror).list().getItems()).isEmpty();
      assertThat(client.persistentVolumeClaims().inNamespace(mirror).list().getItems()).isEmpty();
      assertThat(client.services().inNamespace(mirror).list().getItems()).isEmpty();
      assertThat(client.apps().deployments().inNamespace(mirror).list().getItems()).isEmpty();
      assertThat(client.network().v1().networkPolicies().inNamespace(mirror).list().getItems())
          .isEmpty();
      assertThat(client.resourceQuotas().inNamespace(mirror).list().getItems()).isEmpty();
      assertThat(client.limitRanges().inNamespace(mirror).list().getItems()).isEmpty();
      assertThat(client.pods().inNamespace(mirror).list().getItems()).isEmpty();

      PatchTest test =
          client
              .resources(PatchTest.class)
              .inNamespace(patchTests.namespace())
              .withName(mirror)
              .get();
      assertThat(test.getStatus().phase).isEqualTo("Error");
      assertThat(test.getStatus().message).contains("admission webhook unreachable");
    }
  }
}
