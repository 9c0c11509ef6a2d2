package dev.patchops.rollout.gate;

import static org.assertj.core.api.Assertions.assertThat;

import dev.patchops.contract.model.RolloutOrigin;
import dev.patchops.rollout.gate.StartGate.ApprovedTarget;
import dev.patchops.rollout.gate.StartGate.Decision;
import dev.patchops.rollout.gate.StartGate.Freeze;
import dev.patchops.rollout.gate.StartGate.Gate;
import dev.patchops.rollout.gate.StartGate.PriorRollout;
import dev.patchops.rollout.gate.StartGate.Request;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class StartGateTest {
  static final Instant NOW = Instant.parse("2026-12-04T12:00:00Z");
  static final String IMAGE = "registry.example/checkout@sha256:" + "a".repeat(64);
  static final String OTHER = "registry.example/checkout@sha256:" + "b".repeat(64);
  static final ApprovedTarget APPROVED =
      new ApprovedTarget(IMAGE, "shop", "Deployment", "checkout", List.of("app"), "ann", false);
  static final Freeze FREEZE =
      new Freeze("fw-1", NOW.minusSeconds(60), NOW.plusSeconds(3600), "Black Friday");

  static Request request(RolloutOrigin origin, String image, String deployment) {
    return new Request(
        "TCK-1", 2, image, "shop", deployment, List.of("app"), origin, "sam", false, null, false);
  }

  static Request emergency(boolean authorised, String reason) {
    return new Request(
        "TCK-1",
        2,
        OTHER,
        "shop",
        "checkout",
        List.of("app"),
        RolloutOrigin.REST,
        "sam",
        true,
        reason,
        authorised);
  }

  static List<Gate> gates(Decision d) {
    return d.refusals().stream().map(StartGate.Refusal::gate).toList();
  }

  @Test
  void anApprovedStartOutsideAFreezePasses() {
    Decision d =
        StartGate.decide(
            request(RolloutOrigin.REST, IMAGE, "checkout"),
            List.of(APPROVED),
            List.of(),
            List.of(),
            NOW);
    assertThat(d.allowed()).isTrue();
    assertThat(d.origin()).isEqualTo(RolloutOrigin.REST);
    assertThat(d.approval()).contains(APPROVED);
  }

  @Test
  void withoutAnyApprovalTheStartIsRefused() {
    Decision d =
        StartGate.decide(
            request(RolloutOrigin.KUBECTL, IMAGE, "checkout"),
            List.of(),
            List.of(),
            List.of(),
            NOW);
    assertThat(gates(d)).containsExactly(Gate.APPROVAL);
    assertThat(d.refusals().get(0).reason())
        .isEqualTo("no approval of revision 2 of TCK-1 is recorded");
  }

  @Test
  void anotherImageThanTheApprovedOneIsRefused() {
    Decision d =
        StartGate.decide(
            request(RolloutOrigin.REST, OTHER, "checkout"),
            List.of(APPROVED),
            List.of(),
            List.of(),
            NOW);
    assertThat(gates(d)).containsExactly(Gate.APPROVED_IMAGE);
    assertThat(d.refusals().get(0).reason()).contains(IMAGE).contains("not " + OTHER);
  }

  @Test
  void anotherWorkloadOrContainerThanTheApprovedOnesIsRefused() {
    assertThat(
            gates(
                StartGate.decide(
                    request(RolloutOrigin.REST, IMAGE, "billing"),
                    List.of(APPROVED),
                    List.of(),
                    List.of(),
                    NOW)))
        .containsExactly(Gate.APPROVED_TARGET);
    Request sidecar =
        new Request(
            "TCK-1",
            2,
            IMAGE,
            "shop",
            "checkout",
            List.of("app", "proxy"),
            RolloutOrigin.REST,
            "sam",
            false,
            null,
            false);
    Decision d = StartGate.decide(sidecar, List.of(APPROVED), List.of(), List.of(), NOW);
    assertThat(gates(d)).containsExactly(Gate.APPROVED_TARGET);
    assertThat(d.refusals().get(0).reason()).contains("[proxy]");
  }

  @Test
  void anApprovalThatAlreadyRolledOutIsNotReplayed() {
    Decision d =
        StartGate.decide(
            request(RolloutOrigin.APPROVAL, IMAGE, "checkout"),
            List.of(APPROVED),
            List.of(new PriorRollout("ro-1", "SUCCEEDED")),
            List.of(),
            NOW);
    assertThat(gates(d)).containsExactly(Gate.REPLAY);
    assertThat(d.refusals().get(0).reason()).contains("already rolled out by ro-1");
  }

  @Test
  void aFreezeHoldsANormalStartButNotOneBeforeOrAfterIt() {
    Decision during =
        StartGate.decide(
            request(RolloutOrigin.REST, IMAGE, "checkout"),
            List.of(APPROVED),
            List.of(),
            List.of(FREEZE),
            NOW);
    assertThat(gates(during)).containsExactly(Gate.CHANGE_FREEZE);
    assertThat(during.refusals().get(0).reason()).contains("fw-1").contains("Black Friday");
    assertThat(
            StartGate.decide(
                    request(RolloutOrigin.REST, IMAGE, "checkout"),
                    List.of(APPROVED),
                    List.of(),
                    List.of(FREEZE),
                    FREEZE.endsAt())
                .allowed())
        .isTrue();
    assertThat(
            StartGate.decide(
                    request(RolloutOrigin.REST, IMAGE, "checkout"),
                    List.of(APPROVED),
                    List.of(),
                    List.of(FREEZE),
                    FREEZE.startsAt().minusMillis(1))
                .allowed())
        .isTrue();
  }

  @Test
  void everyRefusalIsNamedNotOnlyTheFirst() {
    Decision d =
        StartGate.decide(
            request(RolloutOrigin.REST, IMAGE, "checkout"),
            List.of(),
            List.of(),
            List.of(FREEZE),
            NOW);
    assertThat(gates(d)).containsExactly(Gate.APPROVAL, Gate.CHANGE_FREEZE);
  }

  @Test
  void anEmergencyApprovalIsNotHeldByAFreezeAndIsRecordedAsEmergency() {
    ApprovedTarget emergencyApproval =
        new ApprovedTarget(IMAGE, "shop", "Deployment", "checkout", List.of("app"), "sre", true);
    Decision d =
        StartGate.decide(
            request(RolloutOrigin.APPROVAL, IMAGE, "checkout"),
            List.of(emergencyApproval),
            List.of(),
            List.of(FREEZE),
            NOW);
    assertThat(d.allowed()).isTrue();
    assertThat(d.origin()).isEqualTo(RolloutOrigin.EMERGENCY);
  }

  @Test
  void theEmergencyPathNeedsTheRoleAndTheReasonAndThenSkipsApprovalAndFreeze() {
    Decision ok =
        StartGate.decide(
            emergency(true, "payments down"), List.of(), List.of(), List.of(FREEZE), NOW);
    assertThat(ok.allowed()).isTrue();
    assertThat(ok.origin()).isEqualTo(RolloutOrigin.EMERGENCY);
    assertThat(
            gates(
                StartGate.decide(
                    emergency(false, "payments down"), List.of(), List.of(), List.of(), NOW)))
        .containsExactly(Gate.EMERGENCY_ROLE);
    assertThat(gates(StartGate.decide(emergency(true, " "), List.of(), List.of(), List.of(), NOW)))
        .containsExactly(Gate.EMERGENCY_REASON);
    assertThat(
            gates(StartGate.decide(emergency(false, null), List.of(), List.of(), List.of(), NOW)))
        .containsExactly(Gate.EMERGENCY_ROLE, Gate.EMERGENCY_REASON);
  }
}
