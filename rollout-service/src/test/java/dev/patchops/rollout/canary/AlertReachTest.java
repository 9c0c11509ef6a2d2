package dev.patchops.rollout.canary;

import static org.assertj.core.api.Assertions.assertThat;

import dev.patchops.contract.events.AlertReceived;
import dev.patchops.contract.model.Severity;
import dev.patchops.contract.model.WorkloadRef;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class AlertReachTest {
  static final List<AlertReach.Running> RUNNING =
      List.of(new AlertReach.Running("shop", "checkout", "TCK-7"));

  static AlertReceived alert(String ticketId, WorkloadRef workload, Map<String, String> labels) {
    return new AlertReceived(
        ticketId,
        "fp",
        "alertmanager",
        "HighErrorRate",
        Severity.SEV1,
        labels,
        Map.of(),
        workload,
        Instant.now());
  }

  @Test
  void noRunningRolloutIsReachedByAnything() {
    assertThat(
            AlertReach.mayReach(
                alert("TCK-7", new WorkloadRef("shop", "Deployment", "checkout"), Map.of()),
                List.of()))
        .isFalse();
  }

  @Test
  void aNamedDeploymentReachesOnlyItsOwnRollout() {
    assertThat(
            AlertReach.mayReach(
                alert("TCK-1", new WorkloadRef("shop", "Deployment", "checkout"), Map.of()),
                RUNNING))
        .isTrue();
    assertThat(
            AlertReach.mayReach(
                alert("TCK-1", new WorkloadRef("shop", "Deployment", "catalog"), Map.of()),
                RUNNING))
        .isFalse();
    assertThat(
            AlertReach.mayReach(
                alert("TCK-1", new WorkloadRef("other", "Deployment", "checkout"), Map.of()),
                RUNNING))
        .isFalse();
  }

  @Test
  void theRolloutsOwnTicketReachesItWhateverTheLabels() {
    assertThat(
            AlertReach.mayReach(
                alert("TCK-7", new WorkloadRef("shop", "Deployment", "catalog"), Map.of()),
                RUNNING))
        .isTrue();
  }

  @Test
  void podServiceOrAppLabelsReachEveryRolloutOfTheirNamespace() {
    assertThat(
            AlertReach.mayReach(
                alert(null, null, Map.of("namespace", "shop", "pod", "checkout-canary-x")),
                RUNNING))
        .isTrue();
    assertThat(
            AlertReach.mayReach(
                alert(null, null, Map.of("namespace", "shop", "app", "anything")), RUNNING))
        .isTrue();
    assertThat(
            AlertReach.mayReach(
                alert(null, null, Map.of("namespace", "other", "pod", "checkout-1")), RUNNING))
        .isFalse();
    assertThat(AlertReach.mayReach(alert(null, null, Map.of("pod", "checkout-1")), RUNNING))
        .as("no namespace: nothing the lookups could find")
        .isFalse();
  }
}
