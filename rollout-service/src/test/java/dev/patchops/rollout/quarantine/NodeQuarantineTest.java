package dev.patchops.rollout.quarantine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.patchops.contract.CloudEventHeaders;
import dev.patchops.contract.EventType;
import dev.patchops.contract.Topics;
import dev.patchops.contract.events.HardwareFixApproved;
import dev.patchops.contract.events.HardwareManualReleaseRequested;
import dev.patchops.contract.events.HardwareQuarantineRequested;
import dev.patchops.contract.events.TestRunCompleted;
import dev.patchops.contract.model.EquipmentRef;
import dev.patchops.contract.model.EquipmentType;
import dev.patchops.contract.model.Quarantine;
import dev.patchops.contract.model.TestAnalytics;
import dev.patchops.contract.model.TestOutcome;
import dev.patchops.rollout.Sandbox;
import dev.patchops.rollout.WithRolloutInfra;
import dev.patchops.testing.EventSender;
import dev.patchops.testing.KafkaProbe;
import dev.patchops.testing.kube.TestCluster;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The hardware path: cordon and taint on request, release only after a passing burn-in. */
@QuarkusTest
@WithRolloutInfra
class NodeQuarantineTest {
  static final Duration WAIT = Duration.ofSeconds(30);
  static final String CONTROLLER_TAINTS = "node.kubernetes.io/";

  // Fixtures are the administrator's; the service acts as its own ServiceAccount.
  final KubernetesClient client = TestCluster.admin();
  @Inject QuarantineService quarantines;

  @BeforeEach
  void sandbox() {
    Sandbox.start(client);
  }

  static TestRunCompleted burnIn(String ticketId, String node, TestOutcome outcome) {
    return new TestRunCompleted(
        ticketId,
        1,
        "run-" + UUID.randomUUID(),
        1,
        node,
        outcome,
        new TestAnalytics(60_000, null, 0, List.of(), List.of(), List.of(), List.of(), null),
        Instant.now(),
        null);
  }

  /** The ticket-service asks for the node of {@code ticketId}; the service holds it. */
  void quarantine(String ticketId, EquipmentRef equipment, String node) {
    EventSender.send(
        new HardwareQuarantineRequested(ticketId, equipment, node, "jack", Instant.now()),
        "ticket-service");
    await()
        .atMost(WAIT)
        .until(
            () ->
                quarantines.get(ticketId) != null
                    && quarantines.get(ticketId).state == NodeQuarantine.State.QUARANTINED);
  }

  @Test
  void nodeIsQuarantinedKeptOutAfterAFailedBurnInAndReleasedAfterAPassingOne() {
    String node = "node-" + UUID.randomUUID().toString().substring(0, 6);
    Sandbox.node(client, node);
    String ticketId = "TCK-HW-" + node;
    EquipmentRef equipment = new EquipmentRef("eq-" + node, EquipmentType.NODE, "rack 4");
    try (KafkaProbe probe = KafkaProbe.fromNow(Topics.ROLLOUTS)) {
      quarantine(ticketId, equipment, node);
      Node cordoned = client.nodes().withName(node).get();
      assertThat(cordoned.getSpec().getUnschedulable()).isTrue();
      // The node lifecycle controller taints a cordoned node node.kubernetes.io/unschedulable
      // itself: that taint is the controller's, every other one is the owner's or ours.
      assertThat(cordoned.getSpec().getTaints())
          .filteredOn(t -> !t.getKey().startsWith(CONTROLLER_TAINTS))
          .extracting(t -> t.getKey() + "=" + t.getValue() + ":" + t.getEffect())
          .containsExactlyInAnyOrder(
              "dedicated=db:NoSchedule", Quarantine.TAINT_KEY + "=" + ticketId + ":NoSchedule");
      var quarantined =
          probe.collect(
              r ->
                  ticketId.equals(r.key())
                      && EventType.HARDWARE_QUARANTINED
                          .type()
                          .equals(KafkaProbe.header(r, CloudEventHeaders.TYPE)),
              1,
              WAIT);
      assertThat(KafkaProbe.header(quarantined.get(0), CloudEventHeaders.TYPE))
          .isEqualTo(EventType.HARDWARE_QUARANTINED.type());
      assertThat(KafkaProbe.value(quarantined.get(0)))
          .contains("\"previousUnschedulable\":false")
          .contains("dedicated=db:NoSchedule");

      EventSender.send(burnIn(ticketId, node, TestOutcome.FAILED), "test-orchestrator");
      await().atMost(WAIT).until(() -> quarantines.get(ticketId).burnInPassed == Boolean.FALSE);
      assertThat(quarantines.get(ticketId).state).isEqualTo(NodeQuarantine.State.QUARANTINED);
      assertThat(quarantines.get(ticketId).message).contains("plan B");
      assertThat(client.nodes().withName(node).get().getSpec().getUnschedulable()).isTrue();

      EventSender.send(burnIn(ticketId, "another-node", TestOutcome.PASSED), "test-orchestrator");
      TestRunCompleted passed = burnIn(ticketId, node, TestOutcome.PASSED);
      EventSender.send(passed, "test-orchestrator");
      await().atMost(WAIT).until(() -> quarantines.get(ticketId).burnInPassed == Boolean.TRUE);
      // A pass alone does not let the node go: its fix must be approved by someone else first.
      assertThat(quarantines.get(ticketId).state).isEqualTo(NodeQuarantine.State.QUARANTINED);
      assertThat(quarantines.get(ticketId).message).contains("awaiting the fix's approval");
      assertThat(client.nodes().withName(node).get().getSpec().getUnschedulable()).isTrue();
      // An approval of another run (a stale or foreign result) is ignored, and says so.
      EventSender.send(approval(ticketId, equipment, node, "run-stale"), "ticket-service");
      await()
          .atMost(WAIT)
          .until(() -> quarantines.get(ticketId).message.contains("run-stale ignored"));
      assertThat(quarantines.get(ticketId).state).isEqualTo(NodeQuarantine.State.QUARANTINED);
      assertThat(client.nodes().withName(node).get().getSpec().getUnschedulable()).isTrue();

      EventSender.send(approval(ticketId, equipment, node, passed.runId()), "ticket-service");
      await()
          .atMost(WAIT)
          .until(() -> quarantines.get(ticketId).state == NodeQuarantine.State.RELEASED);
      Node released = client.nodes().withName(node).get();
      assertThat(released.getSpec().getUnschedulable()).isNotEqualTo(Boolean.TRUE);
      // Uncordoned for real: the controller lifts its unschedulable taint too, and only the
      // owner's taint is left.
      await()
          .atMost(WAIT)
          .untilAsserted(
              () ->
                  assertThat(client.nodes().withName(node).get().getSpec().getTaints())
                      .extracting(t -> t.getKey() + "=" + t.getValue() + ":" + t.getEffect())
                      .containsExactly("dedicated=db:NoSchedule"));
      assertThat(released.getMetadata().getAnnotations())
          .doesNotContainKey("patchops.dev/quarantine-previous-unschedulable");
      var releasedEvents =
          probe.collect(
              r ->
                  ticketId.equals(r.key())
                      && EventType.HARDWARE_QUARANTINE_RELEASED
                          .type()
                          .equals(KafkaProbe.header(r, CloudEventHeaders.TYPE)),
              1,
              WAIT);
      assertThat(KafkaProbe.value(releasedEvents.get(0)))
          .contains("\"burnInPassed\":true")
          .contains("\"mode\":\"BURN_IN\"")
          .contains("\"releasedBy\":\"rita-approver\"");
    }
  }

  /** Plan B: the assignee releases the node without a passed burn-in, with a reason. */
  @Test
  void theAssigneesManualReleaseRestoresTheNodeAndSaysWhoAndWhy() {
    String node = "node-" + UUID.randomUUID().toString().substring(0, 6);
    Sandbox.node(client, node);
    String ticketId = "TCK-HW-" + node;
    EquipmentRef equipment = new EquipmentRef("eq-" + node, EquipmentType.NODE, "rack 4");
    try (KafkaProbe probe = KafkaProbe.fromNow(Topics.ROLLOUTS)) {
      quarantine(ticketId, equipment, node);
      EventSender.send(burnIn(ticketId, node, TestOutcome.FAILED), "test-orchestrator");
      await().atMost(WAIT).until(() -> quarantines.get(ticketId).burnInPassed == Boolean.FALSE);
      EventSender.send(
          new HardwareManualReleaseRequested(
              ticketId,
              equipment,
              node,
              "jack",
              "vendor replaced the PSU; burn-in rig down",
              Instant.now()),
          "ticket-service");
      await()
          .atMost(WAIT)
          .until(() -> quarantines.get(ticketId).state == NodeQuarantine.State.RELEASED);
      assertThat(client.nodes().withName(node).get().getSpec().getUnschedulable())
          .isNotEqualTo(Boolean.TRUE);
      var released =
          probe.collect(
              r ->
                  ticketId.equals(r.key())
                      && EventType.HARDWARE_QUARANTINE_RELEASED
                          .type()
                          .equals(KafkaProbe.header(r, CloudEventHeaders.TYPE)),
              1,
              WAIT);
      assertThat(KafkaProbe.value(released.get(0)))
          .contains("\"burnInPassed\":false")
          .contains("\"mode\":\"MANUAL\"")
          .contains("\"releasedBy\":\"jack\"")
          .contains("vendor replaced the PSU");
    }
  }

  static HardwareFixApproved approval(
      String ticketId, EquipmentRef equipment, String node, String runId) {
    return new HardwareFixApproved(
        ticketId, 1, equipment, node, runId, "jack", "jack", "rita-approver", Instant.now());
  }
}
