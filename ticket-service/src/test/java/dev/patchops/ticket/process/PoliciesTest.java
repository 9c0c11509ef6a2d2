package dev.patchops.ticket.process;

import static org.assertj.core.api.Assertions.assertThat;

import dev.patchops.contract.model.EquipmentType;
import dev.patchops.contract.model.RootCauseMethod;
import dev.patchops.contract.model.TicketKind;
import dev.patchops.ticket.hardware.HardwareFix;
import dev.patchops.ticket.patch.RevisionState;
import dev.patchops.ticket.tickets.TicketState;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The policies are pure: facts in, refusals out, first one first. */
class PoliciesTest {
  private static final Policies.Actor ANNA = new Policies.Actor("anna", Set.of("approver"));
  private static final Policies.Actor HANK = new Policies.Actor("hank", Set.of("engineer"));

  private static List<Gate> gates(List<Refusal> refusals) {
    return refusals.stream().map(Refusal::gate).toList();
  }

  // ---- root cause

  private static Policies.RootCauseFacts rootCause(TicketState state, List<String> refs) {
    return new Policies.RootCauseFacts(
        "TCK-1", state, RootCauseMethod.FIVE_WHYS, refs, List.of("d-1", "d-2"));
  }

  @Test
  void rootCauseNeedsEvidenceOfItsOwnTicket() {
    assertThat(Policies.recordRootCause(rootCause(TicketState.DIAGNOSING, List.of("d-1"))))
        .isEmpty();
    List<Refusal> none = Policies.recordRootCause(rootCause(TicketState.DIAGNOSING, List.of()));
    assertThat(none)
        .singleElement()
        .satisfies(
            r -> {
              assertThat(r.gate()).isEqualTo(Gate.ROOT_CAUSE_EVIDENCE);
              assertThat(r.kind()).isEqualTo(Refusal.Kind.INVALID);
              assertThat(r.field()).isEqualTo("evidenceRefs");
              assertThat(r.reason()).isEqualTo("must cite at least one diagnostic of ticket TCK-1");
            });
    assertThat(
            Policies.recordRootCause(
                new Policies.RootCauseFacts(
                    "TCK-1", TicketState.OPENED, RootCauseMethod.FIVE_WHYS, List.of(), List.of())))
        .singleElement()
        .extracting(Refusal::reason)
        .asString()
        .endsWith("and it has none yet: add the evidence first");
    assertThat(
            Policies.recordRootCause(
                rootCause(TicketState.DIAGNOSING, List.of("d-1", "elsewhere"))))
        .singleElement()
        .extracting(Refusal::field)
        .isEqualTo("evidenceRefs[1]");
    assertThat(gates(Policies.recordRootCause(rootCause(TicketState.TESTING, List.of()))))
        .containsExactly(Gate.STATE, Gate.ROOT_CAUSE_EVIDENCE);
  }

  // ---- propose

  @Test
  void proposeNeedsASoftwareTicketARootCauseAndTheTicketsNamespace() {
    assertThat(
            Policies.propose(
                new Policies.ProposeFacts(
                    "TCK-1",
                    TicketKind.SOFTWARE,
                    TicketState.ROOT_CAUSE_IDENTIFIED,
                    true,
                    "shop",
                    List.of("shop"))))
        .isEmpty();
    assertThat(
            gates(
                Policies.propose(
                    new Policies.ProposeFacts(
                        "TCK-1",
                        TicketKind.SOFTWARE,
                        TicketState.DIAGNOSING,
                        false,
                        "shop",
                        List.of("shop", "payments")))))
        .containsExactly(Gate.ROOT_CAUSE, Gate.STATE, Gate.TARGET_NAMESPACE);
    assertThat(
            Policies.propose(
                    new Policies.ProposeFacts(
                        "TCK-1",
                        TicketKind.HARDWARE,
                        TicketState.ROOT_CAUSE_IDENTIFIED,
                        true,
                        null,
                        List.of()))
                .get(0)
                .reason())
        .contains("is a HARDWARE ticket");
  }

  // ---- approve and the start of a rollout

  private static Policies.ApproveFacts approval(
      Policies.Actor actor,
      boolean emergency,
      String reason,
      RevisionState state,
      Policies.ActiveFreeze freeze) {
    return new Policies.ApproveFacts(
        "TCK-1", 1, actor, emergency, reason, "dev-dana", true, state, freeze);
  }

  @Test
  void approvalChecksRolesDutiesTestsAndTheFreeze() {
    Policies.ActiveFreeze freeze = new Policies.ActiveFreeze(Instant.EPOCH, "Black Friday");
    assertThat(Policies.approve(approval(ANNA, false, null, RevisionState.PASSED, null))).isEmpty();
    assertThat(gates(Policies.approve(approval(ANNA, false, null, RevisionState.PASSED, freeze))))
        .containsExactly(Gate.CHANGE_FREEZE);
    Policies.Actor sam = new Policies.Actor("sam", Set.of("sre"));
    assertThat(Policies.approve(approval(sam, true, "outage", RevisionState.PASSED, freeze)))
        .isEmpty();
    assertThat(gates(Policies.approve(approval(sam, false, null, RevisionState.TESTING, null))))
        .containsExactly(Gate.APPROVER_ROLE, Gate.TESTS_PASSED);
    assertThat(gates(Policies.approve(approval(ANNA, true, " ", RevisionState.PASSED, null))))
        .containsExactly(Gate.EMERGENCY_ROLE, Gate.EMERGENCY_REASON);
    Policies.Actor dana = new Policies.Actor("dev-dana", Set.of("approver"));
    assertThat(Policies.approve(approval(dana, false, null, RevisionState.PASSED, null)))
        .singleElement()
        .satisfies(
            r -> {
              assertThat(r.gate()).isEqualTo(Gate.SEPARATION_OF_DUTIES);
              assertThat(r.kind()).isEqualTo(Refusal.Kind.FORBIDDEN);
            });
    assertThat(Policies.startRollout(false, freeze))
        .singleElement()
        .extracting(Refusal::reason)
        .asString()
        .contains("Black Friday");
  }

  // ---- hardware fix

  private static Policies.HardwareFixFacts fix(
      Policies.Actor actor, EquipmentType kind, boolean quarantined) {
    return new Policies.HardwareFixFacts(
        "TCK-2",
        TicketKind.HARDWARE,
        TicketState.ROOT_CAUSE_IDENTIFIED,
        "hank",
        actor,
        true,
        "srv-1",
        kind,
        "worker-1",
        quarantined);
  }

  @Test
  void aHardwareFixIsRecordedByTheAssigneeOnAQuarantinedNode() {
    assertThat(Policies.recordHardwareFix(fix(HANK, EquipmentType.NODE, true))).isEmpty();
    assertThat(gates(Policies.recordHardwareFix(fix(ANNA, EquipmentType.NODE, false))))
        .containsExactly(Gate.EQUIPMENT_LOCK, Gate.NODE_QUARANTINED);
    Policies.Actor root = new Policies.Actor("root", Set.of("admin"));
    assertThat(Policies.recordHardwareFix(fix(root, EquipmentType.NODE, true))).isEmpty();
    assertThat(gates(Policies.recordHardwareFix(fix(HANK, EquipmentType.SWITCH, true))))
        .containsExactly(Gate.STATE);
  }

  private static Policies.HardwareApprovalFacts hardwareApproval(
      Policies.Actor actor, String author, HardwareFix.State state) {
    return new Policies.HardwareApprovalFacts(
        "TCK-2",
        1,
        TicketKind.HARDWARE,
        TicketState.AWAITING_APPROVAL,
        actor,
        author,
        "hank",
        "srv-1",
        state,
        true);
  }

  @Test
  void aHardwareFixIsApprovedBySomeoneElseAfterAPassedBurnIn() {
    assertThat(
            Policies.approveHardwareFix(hardwareApproval(ANNA, "hank", HardwareFix.State.PASSED)))
        .isEmpty();
    Policies.Actor hankApprover = new Policies.Actor("hank", Set.of("approver", "engineer"));
    assertThat(
            Policies.approveHardwareFix(
                hardwareApproval(hankApprover, "root", HardwareFix.State.PASSED)))
        .singleElement()
        .satisfies(
            r -> {
              assertThat(r.gate()).isEqualTo(Gate.SEPARATION_OF_DUTIES);
              assertThat(r.reason())
                  .isEqualTo(
                      "hank is the assignee of equipment srv-1 and cannot approve its"
                          + " hardware fix 1");
            });
    Policies.Actor root = new Policies.Actor("root", Set.of("admin"));
    assertThat(
            gates(
                Policies.approveHardwareFix(
                    hardwareApproval(root, "root", HardwareFix.State.PASSED))))
        .containsExactly(Gate.SEPARATION_OF_DUTIES);
    assertThat(
            gates(
                Policies.approveHardwareFix(
                    hardwareApproval(
                        new Policies.Actor("erin", Set.of("engineer")),
                        "hank",
                        HardwareFix.State.FAILED))))
        .containsExactly(Gate.APPROVER_ROLE, Gate.BURN_IN_PASSED);
  }

  // ---- manual release

  private static Policies.ManualReleaseFacts release(
      Policies.Actor actor, String reason, Instant previous, boolean quarantined) {
    return new Policies.ManualReleaseFacts(
        "TCK-2",
        TicketKind.HARDWARE,
        TicketState.TESTING,
        "hank",
        "srv-1",
        actor,
        reason,
        previous == null ? null : "hank",
        previous,
        "worker-1",
        quarantined);
  }

  @Test
  void aManualReleaseIsTheAssigneesWithAReasonAndOnlyOnce() {
    assertThat(Policies.manualRelease(release(HANK, "rig broken", null, true))).isEmpty();
    assertThat(Policies.manualRelease(release(HANK, " ", null, true)))
        .singleElement()
        .satisfies(
            r -> {
              assertThat(r.gate()).isEqualTo(Gate.RELEASE_REASON);
              assertThat(r.field()).isEqualTo("reason");
              assertThat(r.kind()).isEqualTo(Refusal.Kind.INVALID);
            });
    assertThat(gates(Policies.manualRelease(release(HANK, "again", Instant.EPOCH, false))))
        .containsExactly(Gate.MANUAL_RELEASE_ONCE, Gate.NODE_QUARANTINED);
    assertThat(gates(Policies.manualRelease(release(ANNA, "mine now", null, true))))
        .containsExactly(Gate.EQUIPMENT_LOCK);
  }

  @Test
  void aStateMoveOutsideTheMachineIsRefusedWithTheAllowedMoves() {
    assertThat(Policies.transition("TCK-1", TicketState.OPENED, TicketState.DIAGNOSING, "x"))
        .isEmpty();
    assertThat(Policies.transition("TCK-1", TicketState.TESTING, TicketState.CLOSED, "close"))
        .singleElement()
        .extracting(Refusal::reason)
        .asString()
        .startsWith("ticket TCK-1 is TESTING; close needs a move to CLOSED");
  }
}
