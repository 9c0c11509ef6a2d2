package dev.patchops.ticket.process;

import dev.patchops.contract.model.EquipmentType;
import dev.patchops.contract.model.RootCauseMethod;
import dev.patchops.contract.model.TicketKind;
import dev.patchops.platform.security.Roles;
import dev.patchops.ticket.hardware.HardwareFix;
import dev.patchops.ticket.patch.RevisionState;
import dev.patchops.ticket.tickets.TicketState;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * The gates of the process in one place: one policy per action, each a pure function from what the
 * service read to the refusals, in the order they are reported (the first one is raised). An empty
 * list lets the action through. The services gather the facts, ask here, and record and raise the
 * refusal through {@link Gates}.
 */
public final class Policies {
  private Policies() {}

  /** Who acts: the verified name and roles. */
  public record Actor(String name, Set<String> roles) {
    public boolean has(String role) {
      return roles.contains(role);
    }

    boolean admin() {
      return has(Roles.ADMIN);
    }
  }

  /** A freeze window active now. */
  public record ActiveFreeze(Instant endsAt, String reason) {}

  // ---- moves of the state machine -------------------------------------------------------------

  public static List<Refusal> transition(
      String ticketId, TicketState from, TicketState to, String action) {
    if (from.canMoveTo(to)) {
      return List.of();
    }
    return List.of(
        Refusal.conflict(
            Gate.STATE,
            "ticket "
                + ticketId
                + " is "
                + from
                + "; "
                + action
                + " needs a move to "
                + to
                + ", allowed from "
                + from
                + " are "
                + from.next()));
  }

  // ---- the equipment lock ---------------------------------------------------------------------

  /** An open hardware ticket's equipment is worked on by its assignee, or an admin, only. */
  public static List<Refusal> equipmentLock(
      String ticketId, TicketKind kind, String equipmentId, String assignee, Actor actor) {
    if (kind != TicketKind.HARDWARE
        || assignee == null
        || actor.admin()
        || actor.name().equals(assignee)) {
      return List.of();
    }
    return List.of(
        Refusal.forbidden(
            Gate.EQUIPMENT_LOCK,
            "equipment " + equipmentId + " is locked to " + assignee + " by ticket " + ticketId));
  }

  // ---- record root cause ----------------------------------------------------------------------

  /** Once a patch is on its way, the root cause it answers is frozen. */
  private static final Set<TicketState> ROOT_CAUSE_EDITABLE =
      EnumSet.of(
          TicketState.OPENED,
          TicketState.DIAGNOSING,
          TicketState.ROOT_CAUSE_IDENTIFIED,
          TicketState.CHANGES_REQUESTED,
          TicketState.REVERTED);

  public record RootCauseFacts(
      String ticketId,
      TicketState state,
      RootCauseMethod method,
      List<String> evidenceRefs,
      Collection<String> diagnosticsOfTicket) {}

  /** The process: find the exact problem with diagnostic tools first, then name the cause. */
  public static List<Refusal> recordRootCause(RootCauseFacts f) {
    List<Refusal> refusals = new ArrayList<>();
    if (!ROOT_CAUSE_EDITABLE.contains(f.state())) {
      refusals.add(
          Refusal.conflict(
              Gate.STATE,
              "the root cause of ticket "
                  + f.ticketId()
                  + " cannot change while it is "
                  + f.state()));
    }
    if (f.evidenceRefs().isEmpty()) {
      refusals.add(
          Refusal.invalid(
              Gate.ROOT_CAUSE_EVIDENCE,
              "evidenceRefs",
              f.diagnosticsOfTicket().isEmpty()
                  ? "must cite at least one diagnostic of ticket "
                      + f.ticketId()
                      + ", and it has none yet: add the evidence first"
                  : "must cite at least one diagnostic of ticket " + f.ticketId()));
    }
    for (int i = 0; i < f.evidenceRefs().size(); i++) {
      if (!f.diagnosticsOfTicket().contains(f.evidenceRefs().get(i))) {
        refusals.add(
            Refusal.invalid(
                Gate.ROOT_CAUSE_EVIDENCE,
                "evidenceRefs[" + i + "]",
                "is not a diagnostic of ticket " + f.ticketId()));
      }
    }
    return refusals;
  }

  // ---- propose a patch revision ---------------------------------------------------------------

  public record ProposeFacts(
      String ticketId,
      TicketKind kind,
      TicketState state,
      boolean rootCauseRecorded,
      String ticketNamespace,
      List<String> targetNamespaces) {}

  public static List<Refusal> propose(ProposeFacts f) {
    List<Refusal> refusals = new ArrayList<>();
    if (f.kind() != TicketKind.SOFTWARE) {
      refusals.add(
          Refusal.conflict(
              Gate.STATE,
              "ticket "
                  + f.ticketId()
                  + " is a HARDWARE ticket; it is fixed by the equipment process"));
    }
    refusals.addAll(admitFix(f.ticketId(), f.state(), f.rootCauseRecorded()));
    for (int i = 0; i < f.targetNamespaces().size(); i++) {
      if (!f.targetNamespaces().get(i).equals(f.ticketNamespace())) {
        refusals.add(
            Refusal.invalid(
                Gate.TARGET_NAMESPACE,
                "targets[" + i + "].workload.namespace",
                "must be the ticket's namespace " + f.ticketNamespace()));
      }
    }
    return refusals;
  }

  /**
   * The gates every fix passes, software patch or hardware fix alike: a recorded root cause, and a
   * ticket in a state that takes a new revision. Before the root cause exists, its absence is the
   * reason to give; after, the state is.
   */
  static List<Refusal> admitFix(String ticketId, TicketState state, boolean rootCauseRecorded) {
    List<Refusal> refusals = new ArrayList<>();
    boolean beforeRootCause = state == TicketState.OPENED || state == TicketState.DIAGNOSING;
    if (!rootCauseRecorded && (beforeRootCause || state.acceptsRevision())) {
      refusals.add(
          Refusal.conflict(
              Gate.ROOT_CAUSE,
              "no root cause is recorded for ticket "
                  + ticketId
                  + "; record it before proposing a fix"));
    }
    if (!state.acceptsRevision()) {
      refusals.add(
          Refusal.conflict(
              Gate.STATE,
              "ticket " + ticketId + " is " + state + "; a new revision is not accepted now"));
    }
    return refusals;
  }

  // ---- approve a patch revision (and so start its rollout) ------------------------------------

  public record ApproveFacts(
      String ticketId,
      int revision,
      Actor actor,
      boolean emergency,
      String reason,
      String revisionAuthor,
      boolean rootCauseRecorded,
      RevisionState revisionState,
      ActiveFreeze activeFreeze) {}

  public static List<Refusal> approve(ApproveFacts f) {
    List<Refusal> refusals = new ArrayList<>();
    if (f.emergency()) {
      if (!f.actor().has(Roles.SRE) && !f.actor().admin()) {
        refusals.add(
            Refusal.forbidden(Gate.EMERGENCY_ROLE, "an emergency change needs role sre or admin"));
      }
      if (f.reason() == null || f.reason().isBlank()) {
        refusals.add(
            Refusal.invalid(
                Gate.EMERGENCY_REASON, "reason", "is required for an emergency change"));
      }
    } else if (!f.actor().has(Roles.APPROVER) && !f.actor().admin()) {
      refusals.add(
          Refusal.forbidden(
              Gate.APPROVER_ROLE,
              "approving needs role approver or admin; role sre may only approve emergency"
                  + " changes"));
    }
    if (f.actor().name().equals(f.revisionAuthor())) {
      refusals.add(
          Refusal.forbidden(
              Gate.SEPARATION_OF_DUTIES,
              f.actor().name() + " wrote revision " + f.revision() + " and cannot approve it"));
    }
    if (!f.rootCauseRecorded()) {
      refusals.add(
          Refusal.conflict(Gate.ROOT_CAUSE, "no root cause is recorded for " + f.ticketId()));
    }
    if (f.revisionState() != RevisionState.PASSED) {
      refusals.add(
          Refusal.conflict(
              Gate.TESTS_PASSED,
              "revision "
                  + f.revision()
                  + " has not passed its tests (it is "
                  + f.revisionState()
                  + "); "
                  + (f.emergency()
                      ? "an emergency change never skips the tests"
                      : "wait for them")));
    }
    refusals.addAll(startRollout(f.emergency(), f.activeFreeze()));
    return refusals;
  }

  /**
   * The ticket-service's part of starting a rollout: an approval is what starts one, so no normal
   * approval while a freeze is active. The rollout-service checks its own start gate again.
   */
  public static List<Refusal> startRollout(boolean emergency, ActiveFreeze activeFreeze) {
    if (emergency || activeFreeze == null) {
      return List.of();
    }
    return List.of(
        Refusal.conflict(
            Gate.CHANGE_FREEZE,
            "a change freeze is active until "
                + activeFreeze.endsAt()
                + " ("
                + activeFreeze.reason()
                + "); only an emergency change may be approved"));
  }

  // ---- review an emergency change -------------------------------------------------------------

  public static List<Refusal> reviewEmergency(
      String ticketId,
      int revision,
      boolean reviewRequired,
      String author,
      String approvedBy,
      String reviewer) {
    List<Refusal> refusals = new ArrayList<>();
    if (!reviewRequired) {
      refusals.add(
          Refusal.conflict(
              Gate.STATE, "revision " + revision + " has no emergency change waiting for review"));
    }
    if (reviewer.equals(author) || reviewer.equals(approvedBy)) {
      refusals.add(
          Refusal.forbidden(
              Gate.SEPARATION_OF_DUTIES,
              reviewer + " wrote or approved revision " + revision + " and cannot review it"));
    }
    return refusals;
  }

  // ---- record a hardware fix ------------------------------------------------------------------

  public record HardwareFixFacts(
      String ticketId,
      TicketKind kind,
      TicketState state,
      String assignee,
      Actor actor,
      boolean rootCauseRecorded,
      String equipmentId,
      EquipmentType equipmentKind,
      String nodeName,
      boolean quarantined) {}

  public static List<Refusal> recordHardwareFix(HardwareFixFacts f) {
    if (f.kind() != TicketKind.HARDWARE) {
      // Nothing else applies to a software ticket.
      return List.of(
          Refusal.conflict(
              Gate.STATE,
              "ticket " + f.ticketId() + " is a SOFTWARE ticket; it is fixed by a patch revision"));
    }
    List<Refusal> refusals =
        new ArrayList<>(
            equipmentLock(f.ticketId(), f.kind(), f.equipmentId(), f.assignee(), f.actor()));
    refusals.addAll(admitFix(f.ticketId(), f.state(), f.rootCauseRecorded()));
    if (f.equipmentKind() != EquipmentType.NODE) {
      refusals.add(
          Refusal.conflict(
              Gate.STATE,
              "equipment "
                  + f.equipmentId()
                  + " is a "
                  + f.equipmentKind()
                  + "; a burn-in runs pinned to a quarantined Kubernetes node, so only NODE"
                  + " equipment takes a hardware fix"));
    } else if (!f.quarantined()) {
      refusals.add(
          Refusal.conflict(
              Gate.NODE_QUARANTINED,
              "node "
                  + f.nodeName()
                  + " not yet quarantined: the rollout-service has not confirmed it cordoned and"
                  + " tainted, so no burn-in may run on it"));
    }
    return refusals;
  }

  // ---- approve a hardware fix (release after the burn-in) -------------------------------------

  public record HardwareApprovalFacts(
      String ticketId,
      int revision,
      TicketKind kind,
      TicketState state,
      Actor actor,
      String fixAuthor,
      String assignee,
      String equipmentId,
      HardwareFix.State fixState,
      boolean currentRevision) {}

  /** As for software: someone other than the people who did the work decides. */
  public static List<Refusal> approveHardwareFix(HardwareApprovalFacts f) {
    List<Refusal> refusals = new ArrayList<>();
    if (f.kind() != TicketKind.HARDWARE) {
      return List.of(
          Refusal.conflict(
              Gate.STATE,
              "ticket " + f.ticketId() + " is a SOFTWARE ticket; approve its patch revision"));
    }
    if (!f.actor().has(Roles.APPROVER) && !f.actor().admin()) {
      refusals.add(
          Refusal.forbidden(
              Gate.APPROVER_ROLE, "approving a hardware fix needs role approver or admin"));
    }
    if (f.actor().name().equals(f.assignee())) {
      refusals.add(
          Refusal.forbidden(
              Gate.SEPARATION_OF_DUTIES,
              f.actor().name()
                  + " is the assignee of equipment "
                  + f.equipmentId()
                  + " and cannot approve its hardware fix "
                  + f.revision()));
    } else if (f.actor().name().equals(f.fixAuthor())) {
      refusals.add(
          Refusal.forbidden(
              Gate.SEPARATION_OF_DUTIES,
              f.actor().name()
                  + " recorded hardware fix "
                  + f.revision()
                  + " and cannot approve it"));
    }
    if (f.fixState() != HardwareFix.State.PASSED) {
      refusals.add(
          Refusal.conflict(
              Gate.BURN_IN_PASSED,
              "hardware fix "
                  + f.revision()
                  + " has not passed its burn-in (it is "
                  + f.fixState()
                  + ")"));
    }
    if (!f.currentRevision() || f.state() != TicketState.AWAITING_APPROVAL) {
      refusals.add(
          Refusal.conflict(
              Gate.STATE,
              "hardware fix "
                  + f.revision()
                  + " of ticket "
                  + f.ticketId()
                  + " is not awaiting approval (the ticket is "
                  + f.state()
                  + ")"));
    }
    return refusals;
  }

  // ---- plan B: release the node by hand -------------------------------------------------------

  public record ManualReleaseFacts(
      String ticketId,
      TicketKind kind,
      TicketState state,
      String assignee,
      String equipmentId,
      Actor actor,
      String reason,
      String previousManualReleaseBy,
      Instant previousManualReleaseAt,
      String nodeName,
      boolean quarantined) {}

  public static List<Refusal> manualRelease(ManualReleaseFacts f) {
    if (f.kind() != TicketKind.HARDWARE) {
      return List.of(
          Refusal.conflict(
              Gate.STATE, "ticket " + f.ticketId() + " is a SOFTWARE ticket; it has no node"));
    }
    List<Refusal> refusals =
        new ArrayList<>(
            equipmentLock(f.ticketId(), f.kind(), f.equipmentId(), f.assignee(), f.actor()));
    if (f.state() == TicketState.RESOLVED || f.state() == TicketState.CLOSED) {
      refusals.add(
          Refusal.conflict(
              Gate.STATE, "ticket " + f.ticketId() + " is " + f.state() + "; its node is free"));
    }
    if (f.reason() == null || f.reason().isBlank()) {
      refusals.add(
          Refusal.invalid(
              Gate.RELEASE_REASON,
              "reason",
              "is required for a manual release: say why the node goes back without an approved"
                  + " burn-in"));
    }
    if (f.previousManualReleaseAt() != null) {
      refusals.add(
          Refusal.conflict(
              Gate.MANUAL_RELEASE_ONCE,
              "node "
                  + f.nodeName()
                  + " of ticket "
                  + f.ticketId()
                  + " was already released by hand by "
                  + f.previousManualReleaseBy()
                  + " at "
                  + f.previousManualReleaseAt()
                  + "; a second manual release is refused"));
    }
    if (!f.quarantined()) {
      refusals.add(
          Refusal.conflict(
              Gate.NODE_QUARANTINED,
              "node " + f.nodeName() + " is not quarantined; there is nothing to release"));
    }
    return refusals;
  }
}
