package dev.patchops.ticket.hardware;

import dev.patchops.contract.events.BurnInRequested;
import dev.patchops.contract.events.HardwareFixApproved;
import dev.patchops.contract.events.HardwareManualReleaseRequested;
import dev.patchops.contract.events.HardwareQuarantineReleased;
import dev.patchops.contract.events.HardwareQuarantined;
import dev.patchops.contract.model.EquipmentRef;
import dev.patchops.contract.model.HardwareReleaseMode;
import dev.patchops.contract.model.TestAnalytics;
import dev.patchops.contract.model.TestOutcome;
import dev.patchops.contract.model.TestSuiteSpec;
import dev.patchops.contract.model.TicketKind;
import dev.patchops.platform.messaging.Outbox;
import dev.patchops.ticket.equipment.Equipment;
import dev.patchops.ticket.process.CurrentUser;
import dev.patchops.ticket.process.Gates;
import dev.patchops.ticket.process.NotFound;
import dev.patchops.ticket.process.Policies;
import dev.patchops.ticket.rootcause.RootCause;
import dev.patchops.ticket.tickets.Ticket;
import dev.patchops.ticket.tickets.TicketService;
import dev.patchops.ticket.tickets.TicketState;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.transaction.Transactional;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.jboss.logging.Logger;

/**
 * The hardware "patch": a documented fix plus a burn-in on the quarantined node. The node is
 * uncordoned by the rollout-service only after the burn-in passed, and only that release resolves
 * the ticket.
 */
@ApplicationScoped
public class HardwareFixService {
  static final String ACTION = "record-hardware-fix";
  static final String APPROVE = "approve-hardware-fix";
  static final String MANUAL_RELEASE = "manual-release";
  private static final Logger LOG = Logger.getLogger(HardwareFixService.class);

  @Inject TicketService tickets;
  @Inject Gates gates;
  @Inject Outbox outbox;
  @Inject CurrentUser user;

  public record NewFix(String whatWasDone, String why, List<TestSuiteSpec> burnInSuites) {}

  @Transactional(Transactional.TxType.MANDATORY)
  public HardwareFix record(String ticketId, NewFix request, String actor) {
    Ticket ticket = tickets.lock(ticketId);
    Equipment equipment = equipment(ticket);
    gates.enforce(
        ticket.id,
        ACTION,
        actor,
        Policies.recordHardwareFix(
            new Policies.HardwareFixFacts(
                ticket.id,
                ticket.kind,
                ticket.state,
                ticket.assignee,
                user.actor(),
                RootCause.findById(ticket.id) != null,
                ticket.equipmentId,
                equipment == null ? null : equipment.kind,
                equipment == null ? null : equipment.nodeName,
                quarantined(ticket))));
    int revisionNumber = ticket.currentRevision == null ? 1 : ticket.currentRevision + 1;
    HardwareFix fix = new HardwareFix();
    fix.ticketId = ticket.id;
    fix.revision = revisionNumber;
    fix.state = HardwareFix.State.TESTING;
    fix.whatWasDone = request.whatWasDone();
    fix.why = request.why();
    fix.burnInSuites = List.copyOf(request.burnInSuites());
    fix.nodeName = equipment.nodeName;
    fix.author = actor;
    fix.recordedAt = Instant.now();
    fix.burnInRunId = UUID.randomUUID().toString();
    fix.burnInAttempt = 1;
    fix.persist();

    tickets.move(ticket, TicketState.PATCH_PROPOSED, actor, ACTION);
    // No mirror to build: the burn-in is requested with the fix, so the ticket is testing at once.
    tickets.move(ticket, TicketState.TESTING, actor, ACTION);
    ticket.currentRevision = revisionNumber;
    ticket.iterations = revisionNumber;

    outbox.publish(
        new BurnInRequested(
            ticket.id,
            revisionNumber,
            fix.burnInRunId,
            fix.burnInAttempt,
            equipment.id,
            fix.nodeName,
            // The contract has one description field; the why travels with the what.
            fix.whatWasDone + "\n\nWhy: " + fix.why,
            fix.burnInSuites,
            actor,
            fix.recordedAt),
        "tickets/" + ticket.id + "/hardware-fixes/" + revisionNumber,
        actor);
    return fix;
  }

  // Each handler locks the ticket before reading anything, like every other consumer.

  @Transactional(Transactional.TxType.MANDATORY)
  public void quarantined(HardwareQuarantined event) {
    Ticket ticket = hardwareTicket(event.ticketId(), event.equipment().equipmentId());
    if (ticket == null || quarantined(ticket)) {
      return;
    }
    if (ticket.quarantineReleasedAt != null
        && !event.quarantinedAt().isAfter(ticket.quarantineReleasedAt)) {
      LOG.debugf("ignoring quarantine of %s older than its release", event.ticketId());
      return;
    }
    ticket.nodeQuarantinedAt = event.quarantinedAt();
    ticket.quarantineTaint = event.taint();
  }

  @Transactional(Transactional.TxType.MANDATORY)
  public void burnInCompleted(
      String ticketId,
      int revisionNumber,
      String runId,
      String node,
      TestOutcome outcome,
      TestAnalytics analytics,
      Instant completedAt) {
    Ticket ticket = tickets.lockIfExists(ticketId);
    HardwareFix fix = ticket == null ? null : HardwareFix.find(ticketId, revisionNumber);
    if (fix == null
        || fix.state != HardwareFix.State.TESTING
        || !fix.burnInRunId.equals(runId)
        || !fix.nodeName.equals(node)) {
      LOG.debugf("ignoring burn-in result of run %s on %s", runId, node);
      return;
    }
    boolean passed = outcome == TestOutcome.PASSED;
    fix.state = passed ? HardwareFix.State.PASSED : HardwareFix.State.FAILED;
    fix.burnInOutcome = outcome;
    fix.burnInAnalytics = analytics;
    fix.testedAt = completedAt;
    if (ticket.currentRevision == revisionNumber) {
      // Passed: the node stays cordoned until someone other than the assignee approves the fix.
      tickets.follow(
          ticket, passed ? TicketState.AWAITING_APPROVAL : TicketState.CHANGES_REQUESTED);
    }
  }

  /**
   * Approves a fix whose burn-in passed. The rollout-service releases the node on the approval; if
   * an older rollout-service released it on the burn-in alone, the approval completes the ticket.
   */
  @Transactional(Transactional.TxType.MANDATORY)
  public HardwareFix approve(String ticketId, int revisionNumber, String actor) {
    Ticket ticket = tickets.lock(ticketId);
    HardwareFix fix = HardwareFix.find(ticket.id, revisionNumber);
    if (fix == null) {
      throw new NotFound("hardware fix " + revisionNumber + " of ticket " + ticket.id);
    }
    gates.enforce(
        ticket.id,
        APPROVE,
        actor,
        Policies.approveHardwareFix(
            new Policies.HardwareApprovalFacts(
                ticket.id,
                revisionNumber,
                ticket.kind,
                ticket.state,
                user.actor(),
                fix.author,
                ticket.assignee,
                ticket.equipmentId,
                fix.state,
                ticket.currentRevision != null && ticket.currentRevision == revisionNumber)));
    tickets.move(ticket, TicketState.APPROVED, actor, APPROVE);
    fix.state = HardwareFix.State.APPROVED;
    fix.approvedBy = actor;
    fix.approvedAt = Instant.now();
    Equipment equipment = equipment(ticket);
    outbox.publish(
        new HardwareFixApproved(
            ticket.id,
            revisionNumber,
            ref(equipment),
            fix.nodeName,
            fix.burnInRunId,
            fix.author,
            ticket.assignee,
            actor,
            fix.approvedAt),
        "tickets/" + ticket.id + "/hardware-fixes/" + revisionNumber,
        actor);
    if (fix.releasedAt != null) {
      complete(ticket, fix, actor, " (the node went back before the approval)");
    }
    return fix;
  }

  /**
   * Plan B: the assignee asks for the node back without an approved burn-in, with a reason. Once
   * per ticket; the ticket stays open, as nothing proved the equipment fixed.
   */
  @Transactional(Transactional.TxType.MANDATORY)
  public Ticket releaseManually(String ticketId, String reason, String actor) {
    Ticket ticket = tickets.lock(ticketId);
    Equipment equipment = equipment(ticket);
    gates.enforce(
        ticket.id,
        MANUAL_RELEASE,
        actor,
        Policies.manualRelease(
            new Policies.ManualReleaseFacts(
                ticket.id,
                ticket.kind,
                ticket.state,
                ticket.assignee,
                ticket.equipmentId,
                user.actor(),
                reason,
                ticket.manualReleaseBy,
                ticket.manualReleaseRequestedAt,
                equipment == null ? null : equipment.nodeName,
                quarantined(ticket))));
    ticket.manualReleaseBy = actor;
    ticket.manualReleaseReason = reason.strip();
    ticket.manualReleaseRequestedAt = Instant.now();
    outbox.publish(
        new HardwareManualReleaseRequested(
            ticket.id,
            ref(equipment),
            equipment.nodeName,
            actor,
            ticket.manualReleaseReason,
            ticket.manualReleaseRequestedAt),
        "tickets/" + ticket.id + "/equipment/" + equipment.id,
        actor);
    return ticket;
  }

  @Transactional(Transactional.TxType.MANDATORY)
  public void released(HardwareQuarantineReleased event, String actor) {
    Ticket ticket = hardwareTicket(event.ticketId(), event.equipment().equipmentId());
    if (ticket == null
        || ticket.nodeQuarantinedAt == null
        || event.releasedAt().isBefore(ticket.nodeQuarantinedAt)
        || !quarantined(ticket)) {
      LOG.debugf("ignoring release of %s: not quarantined since before it", event.ticketId());
      return;
    }
    ticket.quarantineReleasedAt = event.releasedAt();
    ticket.quarantineReleaseMode =
        event.manual() ? HardwareReleaseMode.MANUAL : HardwareReleaseMode.BURN_IN;
    HardwareFix fix =
        ticket.currentRevision == null ? null : HardwareFix.find(ticket.id, ticket.currentRevision);
    // The burn-in result comes on another topic than the release, so it may still be on its way
    // (TESTING) when the release of the run's pass arrives.
    if (event.manual()
        || fix == null
        || (fix.state != HardwareFix.State.PASSED
            && fix.state != HardwareFix.State.APPROVED
            && fix.state != HardwareFix.State.TESTING)) {
      // Released without an approved, passed burn-in (plan B by hand): recorded, nothing resolved,
      // and a new burn-in waits for the next quarantine.
      return;
    }
    fix.releasedAt = event.releasedAt();
    if (fix.state == HardwareFix.State.APPROVED) {
      complete(ticket, fix, actor, "");
    }
    // Passed but not yet approved: the approval completes the ticket.
  }

  private void complete(Ticket ticket, HardwareFix fix, String actor, String note) {
    fix.state = HardwareFix.State.RELEASED;
    tickets.follow(ticket, TicketState.MONITORING);
    tickets.resolve(
        ticket,
        "hardware fix "
            + fix.revision
            + " passed its burn-in on node "
            + fix.nodeName
            + ", was approved by "
            + fix.approvedBy
            + " and the node is back in service"
            + note,
        actor);
  }

  public List<HardwareFix> fixes(String ticketId) {
    tickets.get(ticketId);
    return HardwareFix.list("ticketId = ?1 order by revision", ticketId);
  }

  public HardwareFix fix(String ticketId, int revision) {
    tickets.get(ticketId);
    HardwareFix fix = HardwareFix.find(ticketId, revision);
    if (fix == null) {
      throw new NotFound("hardware fix " + revision + " of ticket " + ticketId);
    }
    return fix;
  }

  /** Cordoned and tainted, and not released since. */
  public static boolean quarantined(Ticket ticket) {
    return ticket.nodeQuarantinedAt != null
        && (ticket.quarantineReleasedAt == null
            || ticket.nodeQuarantinedAt.isAfter(ticket.quarantineReleasedAt));
  }

  /** The open hardware ticket of this equipment, locked; null (event ignored) otherwise. */
  private Ticket hardwareTicket(String ticketId, String equipmentId) {
    Ticket ticket = tickets.lockIfExists(ticketId);
    if (ticket == null
        || ticket.kind != TicketKind.HARDWARE
        || !equipmentId.equals(ticket.equipmentId)
        || ticket.state == TicketState.RESOLVED
        || ticket.state == TicketState.CLOSED) {
      LOG.debugf("ignoring quarantine event of %s for %s", ticketId, equipmentId);
      return null;
    }
    return ticket;
  }

  private static Equipment equipment(Ticket ticket) {
    return ticket.equipmentId == null ? null : Equipment.findById(ticket.equipmentId);
  }

  private static EquipmentRef ref(Equipment equipment) {
    return new EquipmentRef(equipment.id, equipment.kind, equipment.location);
  }
}
