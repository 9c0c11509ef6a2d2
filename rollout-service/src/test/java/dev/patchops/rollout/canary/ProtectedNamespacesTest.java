package dev.patchops.rollout.canary;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;

import com.fasterxml.jackson.databind.JsonNode;
import dev.patchops.contract.Topics;
import dev.patchops.contract.model.CanaryStep;
import dev.patchops.rollout.Approvals;
import dev.patchops.rollout.Sandbox;
import dev.patchops.rollout.WithRolloutInfra;
import dev.patchops.testing.KafkaProbe;
import dev.patchops.testing.kube.TestCluster;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * Where the rollout-service may not go: PatchOps' own namespace and kube-* on every path (REST,
 * approval, emergency included), and any namespace not on rollout.target-namespaces; and where the
 * API server does not let it read a Secret, whatever its code tried.
 */
@QuarkusTest
@WithRolloutInfra
class ProtectedNamespacesTest {
  // Fixtures are the administrator's; the service acts as its own ServiceAccount.
  final KubernetesClient admin = TestCluster.admin();
  @Inject KubernetesClient service;
  @Inject RolloutService rollouts;

  @Test
  void aRestStartIntoPatchOpsOrKubeSystemIsRefusedEvenApprovedAndInAnEmergency() throws Exception {
    for (String ns : List.of("patchops", "kube-system")) {
      String ticketId = RolloutFlowTest.ticket();
      String image = Sandbox.image("", '3');
      Approvals.approve(ticketId, 1, image, ns, "checkout", "app");
      try (KafkaProbe probe = KafkaProbe.fromNow(Topics.ROLLOUTS)) {
        StartGateFlowTest.post(
                StartGateFlowTest.body(
                    ticketId,
                    image,
                    ns,
                    ",\"emergency\":true,\"emergencyReason\":\"the site is down\""),
                "sam",
                "sre")
            .statusCode(403)
            .contentType(containsString("application/problem+json"))
            .body(
                "type", equalTo("https://patchops.dev/problems/start-refused/protected-namespace"))
            .body(
                "detail",
                containsString(
                    "namespace "
                        + ns
                        + " is never a rollout target: it is PatchOps' own or the cluster's"))
            .body("violations.field", hasItem("namespace"));
        JsonNode event = StartGateFlowTest.refusal(probe, ticketId, "protected-namespace");
        assertThat(event.path("workload").path("namespace").asText()).isEqualTo(ns);
        assertThat(event.path("actor").asText()).isEqualTo("sam");
      }
      assertThat(rollouts.activeFor(ns, "checkout")).isEmpty();
    }
  }

  @Test
  void anApprovalIntoKubeSystemIsRefusedAndKeptAsRefused() throws Exception {
    String ticketId = RolloutFlowTest.ticket();
    try (KafkaProbe probe = KafkaProbe.fromNow(Topics.ROLLOUTS)) {
      String id =
          RolloutFlowTest.approve(
              "kube-system", ticketId, 1, Sandbox.image("", '2'), List.of(new CanaryStep(10, 600)));
      JsonNode event = StartGateFlowTest.refusal(probe, ticketId, "protected-namespace");
      assertThat(event.path("origin").asText()).isEqualTo("APPROVAL");
      await()
          .atMost(Duration.ofSeconds(30))
          .until(() -> rollouts.get(id) != null && rollouts.get(id).phase == RolloutPhase.REFUSED);
      assertThat(rollouts.get(id).message).contains("kube-system is never a rollout target");
    }
  }

  @Test
  void aNamespaceNotOnTheTargetListIsRefused() throws Exception {
    String ns = "team-" + UUID.randomUUID().toString().substring(0, 6);
    String ticketId = RolloutFlowTest.ticket();
    String image = Sandbox.image("", '3');
    Approvals.approve(ticketId, 1, image, ns, "checkout", "app");
    try (KafkaProbe probe = KafkaProbe.fromNow(Topics.ROLLOUTS)) {
      StartGateFlowTest.post(StartGateFlowTest.body(ticketId, image, ns, ""), "sam", "sre")
          .statusCode(403)
          .body("type", equalTo("https://patchops.dev/problems/start-refused/target-namespace"))
          .body(
              "detail", containsString("namespace " + ns + " is not on rollout.target-namespaces"))
          .body("violations.field", hasItem("namespace"));
      StartGateFlowTest.refusal(probe, ticketId, "target-namespace");
    }
  }

  /** The real API server, not the service's code, keeps it out of other namespaces' Secrets. */
  @Test
  void theServiceAccountReadsSecretsOnlyInItsTargetNamespaces() {
    String target = Sandbox.shop(admin);
    String other = "team-" + UUID.randomUUID().toString().substring(0, 6);
    admin
        .namespaces()
        .resource(new NamespaceBuilder().withNewMetadata().withName(other).endMetadata().build())
        .create();
    admin
        .secrets()
        .inNamespace(other)
        .resource(
            new SecretBuilder()
                .withNewMetadata()
                .withName("db")
                .endMetadata()
                .withStringData(Map.of("password", "not-yours"))
                .build())
        .create();
    // Bindings reach the authorizer through a watch: wait until the target's is in force.
    await()
        .atMost(Duration.ofSeconds(15))
        .ignoreExceptionsInstanceOf(KubernetesClientException.class)
        .until(() -> service.secrets().inNamespace(target).withName("checkout-db").get() != null);
    for (String ns : List.of(other, "kube-system", "patchops")) {
      assertThatThrownBy(() -> service.secrets().inNamespace(ns).withName("db").get())
          .as(ns)
          .isInstanceOfSatisfying(
              KubernetesClientException.class, e -> assertThat(e.getCode()).isEqualTo(403));
      assertThatThrownBy(() -> service.secrets().inNamespace(ns).list())
          .as(ns)
          .isInstanceOfSatisfying(
              KubernetesClientException.class, e -> assertThat(e.getCode()).isEqualTo(403));
    }
    assertThatThrownBy(() -> service.secrets().inAnyNamespace().list())
        .isInstanceOfSatisfying(
            KubernetesClientException.class, e -> assertThat(e.getCode()).isEqualTo(403));
  }
}
