package dev.patchops.rollout.quarantine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.patchops.contract.CloudEventHeaders;
import dev.patchops.contract.ContractJson;
import dev.patchops.contract.EventType;
import dev.patchops.contract.Topics;
import dev.patchops.contract.events.HardwareQuarantineRequested;
import dev.patchops.contract.events.NodeDrainBlocked;
import dev.patchops.contract.events.NodeDrained;
import dev.patchops.contract.events.QuarantineBreached;
import dev.patchops.contract.model.EquipmentRef;
import dev.patchops.contract.model.EquipmentType;
import dev.patchops.rollout.Sandbox;
import dev.patchops.rollout.WithRolloutInfra;
import dev.patchops.testing.EventSender;
import dev.patchops.testing.KafkaProbe;
import dev.patchops.testing.kube.TestCluster;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudgetBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The drain before a burn-in, and a quarantine undone by hand, on the real API server: evictions go
 * through the Eviction API (the API server enforces the disruption budgets), the controller manager
 * recreates evicted ReplicaSet Pods and the scheduler places them on another node.
 */
@QuarkusTest
@WithRolloutInfra
class NodeDrainTest {
  static final Duration WAIT = Duration.ofSeconds(60);
  static final String POOL = "drain-pool";

  // Fixtures are the administrator's; the service acts as its own ServiceAccount.
  final KubernetesClient client = TestCluster.admin();
  @Inject QuarantineService quarantines;

  @BeforeEach
  void sandbox() {
    Sandbox.start(client);
  }

  @Test
  void aNodeIsDrainedWithinItsDisruptionBudgetsBeforeItIsQuarantinedAndAnUncordonIsUndone()
      throws Exception {
    String id = UUID.randomUUID().toString().substring(0, 6);
    String node = "node-" + id;
    String spare = "spare-" + id;
    String ns = "drain-" + id;
    String ticketId = "TCK-HW-" + node;
    EquipmentRef equipment = new EquipmentRef("eq-" + node, EquipmentType.NODE, "rack 7");
    Sandbox.node(client, node);
    label(node, id);
    client
        .namespaces()
        .resource(new NamespaceBuilder().withNewMetadata().withName(ns).endMetadata().build())
        .create();
    deployment(ns, "web", 2, id);
    deployment(ns, "guarded", 1, id);
    // The guarded service may not lose its only replica: its eviction must wait.
    client
        .policy()
        .v1()
        .podDisruptionBudget()
        .inNamespace(ns)
        .resource(
            new PodDisruptionBudgetBuilder()
                .withNewMetadata()
                .withName("guarded")
                .endMetadata()
                .withNewSpec()
                .withNewMinAvailable(1)
                .withNewSelector()
                .withMatchLabels(Map.of("app", "guarded"))
                .endSelector()
                .endSpec()
                .build())
        .create();
    await().atMost(WAIT).until(() -> running(ns, node).size() == 3);
    String guardedPod =
        running(ns, node).stream()
            .filter(p -> p.getMetadata().getName().startsWith("guarded-"))
            .findFirst()
            .orElseThrow()
            .getMetadata()
            .getName();
    // Somewhere for the evicted Pods to go.
    Sandbox.node(client, spare);
    label(spare, id);

    try (KafkaProbe probe = KafkaProbe.fromNow(Topics.ROLLOUTS)) {
      EventSender.send(
          new HardwareQuarantineRequested(ticketId, equipment, node, "jack", Instant.now()),
          "ticket-service");

      NodeDrainBlocked blocked =
          payload(one(probe, ticketId, EventType.NODE_DRAIN_BLOCKED), NodeDrainBlocked.class);
      assertThat(blocked.blockedPods()).containsExactly(ns + "/" + guardedPod);
      assertThat(blocked.reason()).contains("PodDisruptionBudget " + ns + "/guarded");
      // Retried, never forced: the web Pods move, the guarded one stays, the burn-in waits.
      await()
          .atMost(WAIT)
          .until(
              () ->
                  running(ns, spare).stream()
                          .filter(p -> p.getMetadata().getName().startsWith("web-"))
                          .count()
                      == 2);
      assertThat(running(ns, node))
          .extracting(p -> p.getMetadata().getName())
          .containsExactly(guardedPod);
      assertThat(quarantines.get(ticketId).state).isEqualTo(NodeQuarantine.State.DRAINING);
      assertThat(quarantines.get(ticketId).message).contains("drain blocked by");
      assertThat(
              probe.collect(
                  r -> ticketId.equals(r.key()) && is(r, EventType.HARDWARE_QUARANTINED),
                  1,
                  Duration.ofSeconds(3)))
          .isEmpty();

      // The owner relaxes the budget: the drain finishes, and only then is the node quarantined.
      client.policy().v1().podDisruptionBudget().inNamespace(ns).withName("guarded").delete();
      await()
          .atMost(WAIT)
          .until(() -> quarantines.get(ticketId).state == NodeQuarantine.State.QUARANTINED);
      List<ConsumerRecord<String, byte[]>> done =
          probe.collect(
              r ->
                  ticketId.equals(r.key())
                      && (is(r, EventType.NODE_DRAINED) || is(r, EventType.HARDWARE_QUARANTINED)),
              2,
              WAIT);
      assertThat(done)
          .extracting(r -> KafkaProbe.header(r, CloudEventHeaders.TYPE))
          .containsExactly(EventType.NODE_DRAINED.type(), EventType.HARDWARE_QUARANTINED.type());
      NodeDrained drained = payload(done.get(0), NodeDrained.class);
      assertThat(drained.evictedPods()).hasSize(3).contains(ns + "/" + guardedPod);
      await().atMost(WAIT).until(() -> running(ns, node).isEmpty());
      await()
          .atMost(WAIT)
          .until(
              () ->
                  running(ns, spare).stream()
                          .filter(p -> p.getMetadata().getName().startsWith("guarded-"))
                          .count()
                      == 1);

      // Someone uncordons the quarantined node by hand.
      client
          .nodes()
          .withName(node)
          .patch(
              new PatchContext.Builder()
                  .withPatchType(PatchType.STRATEGIC_MERGE)
                  .withFieldManager("kubectl-uncordon")
                  .build(),
              "{\"spec\":{\"unschedulable\":null}}");
      QuarantineBreached breach =
          payload(one(probe, ticketId, EventType.QUARANTINE_BREACHED), QuarantineBreached.class);
      assertThat(breach.nodeName()).isEqualTo(node);
      assertThat(breach.observed()).isEqualTo("cordon lifted");
      assertThat(breach.reapplied()).isTrue();
      await()
          .atMost(WAIT)
          .until(
              () ->
                  Boolean.TRUE.equals(
                      client.nodes().withName(node).get().getSpec().getUnschedulable()));
      NodeQuarantine q = quarantines.get(ticketId);
      assertThat(q.state).isEqualTo(NodeQuarantine.State.QUARANTINED);
      assertThat(q.breaches).isEqualTo(1);
      assertThat(q.message).contains("re-applied");
    }
  }

  /** A merge patch, not an edit: the simulated kubelet updates the node all the time. */
  private void label(String node, String id) {
    client
        .nodes()
        .withName(node)
        .patch(
            PatchContext.of(PatchType.JSON_MERGE),
            "{\"metadata\":{\"labels\":{\"" + POOL + "\":\"" + id + "\"}}}");
  }

  /** Pods that tolerate the sandbox node's taint and may run only on this test's nodes. */
  private void deployment(String ns, String name, int replicas, String id) {
    client
        .apps()
        .deployments()
        .inNamespace(ns)
        .resource(
            new DeploymentBuilder()
                .withNewMetadata()
                .withName(name)
                .endMetadata()
                .withNewSpec()
                .withReplicas(replicas)
                .withNewSelector()
                .withMatchLabels(Map.of("app", name))
                .endSelector()
                .withNewTemplate()
                .withNewMetadata()
                .withLabels(Map.of("app", name))
                .endMetadata()
                .withNewSpec()
                .addNewToleration()
                .withKey("dedicated")
                .withOperator("Equal")
                .withValue("db")
                .withEffect("NoSchedule")
                .endToleration()
                .withNewAffinity()
                .withNewNodeAffinity()
                .withNewRequiredDuringSchedulingIgnoredDuringExecution()
                .addNewNodeSelectorTerm()
                .addNewMatchExpression()
                .withKey(POOL)
                .withOperator("In")
                .withValues(id)
                .endMatchExpression()
                .endNodeSelectorTerm()
                .endRequiredDuringSchedulingIgnoredDuringExecution()
                .endNodeAffinity()
                .endAffinity()
                .addNewContainer()
                .withName("app")
                .withImage(Sandbox.STABLE_IMAGE)
                .endContainer()
                .endSpec()
                .endTemplate()
                .endSpec()
                .build())
        .create();
  }

  /** Running Pods of the namespace on the node, not being deleted. */
  private List<Pod> running(String ns, String node) {
    return client.pods().inNamespace(ns).list().getItems().stream()
        .filter(p -> node.equals(p.getSpec().getNodeName()))
        .filter(p -> p.getMetadata().getDeletionTimestamp() == null)
        .filter(p -> p.getStatus() != null && "Running".equals(p.getStatus().getPhase()))
        .toList();
  }

  private static boolean is(ConsumerRecord<String, byte[]> r, EventType type) {
    return type.type().equals(KafkaProbe.header(r, CloudEventHeaders.TYPE));
  }

  private static ConsumerRecord<String, byte[]> one(
      KafkaProbe probe, String ticketId, EventType type) {
    List<ConsumerRecord<String, byte[]>> found =
        probe.collect(r -> ticketId.equals(r.key()) && is(r, type), 1, WAIT);
    assertThat(found).as("%s for %s", type.type(), ticketId).isNotEmpty();
    return found.get(0);
  }

  private static <T> T payload(ConsumerRecord<String, byte[]> r, Class<T> type) {
    try {
      return ContractJson.mapper().readValue(r.value(), type);
    } catch (java.io.IOException e) {
      throw new IllegalStateException(e);
    }
  }
}
