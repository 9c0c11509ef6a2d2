package dev.patchops.ticket.hardware;

import dev.patchops.contract.events.BurnInRequested;
import dev.patchops.contract.events.HardwareQuarantineReleased;
import dev.patchops.contract.events.HardwareQuarantined;
import dev.patchops.contract.model.EquipmentType;
import dev.patchops.contract.model.TestAnalytics;
import dev.patchops.contract.model.TestOutcome;
import dev.patchops.contract.model.TestSuiteSpec;
import dev.patchops.contract.model.TicketKind;
import dev.patchops.platform.messaging.Outbox;
import dev.patchops.platform.rest.ApiException;
import dev.patchops.ticket.equipment.Equipment;
import dev.patchops.ticket.equipment.EquipmentLocks;
import dev.patchops.ticket.process.Gates;
import dev.patchops.ticket.rootcause.RootCauseService;
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
  /** A burn-in runs on the node only once the rollout-service has confirmed its quarantine. */
  public static final String QUARANTINE_GATE = "node-quarantined";

  static final String ACTION = "record-hardware-fix";
  private static final Logger LOG = Logger.getLogger(HardwareFixService.class);

  @Inject TicketService tickets;
  @Inject RootCauseService rootCauses;
  @Inject EquipmentLocks locks;
  @Inject Gates gates;
  @Inject Outbox outbox;

  public record NewFix(String whatWasDone, String why, List<TestSuiteSpec> burnInSuites) {}

  @Transactional(Transactional.TxType.MANDATORY)
  public HardwareFix record(String ticketId, NewFix request, String actor) {
    Ticket ticket = tickets.lock(ticketId);
    if (ticket.kind != TicketKind.HARDWARE) {
      throw gates.conflict(
          ticket.id,
          ACTION,
          Gates.STATE,
          actor,
          "ticket " + ticket.id + " is a SOFTWARE ticket; it is fixed by a patch revision");
    }
    locks.enforce(ticket, ACTION);
    rootCauses.admitRevision(ticket, ACTION, actor);
    Equipment equipment = Equipment.findById(ticket.equipmentId);
    if (equipment.kind != EquipmentType.NODE) {
      throw gates.conflict(
          ticket.id,
          ACTION,
          Gates.STATE,
          actor,
          "equipment "
              + equipment.id
              + " is a "
              + equipment.kind
              + "; a burn-in runs pinned to a quarantined Kubernetes node, so only NODE equipment"
              + " takes a hardware fix");
    }
    if (!quarantined(ticket)) {
      throw gates.conflict(
          ticket.id,
          ACTION,
          QUARANTINE_GATE,
          actor,
          "node "
              + equipment.nodeName
              + " not yet quarantined: the rollout-service has not confirmed it cordoned and"
              + " tainted, so no burn-in may run on it");
    }
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
      // Passed: the node stays cordoned until the rollout-service releases it (MONITORING).
      tickets.follow(ticket, passed ? TicketState.MONITORING : TicketState.CHANGES_REQUESTED);
    }
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
    HardwareFix fix =
        ticket.currentRevision == null ? null : HardwareFix.find(ticket.id, ticket.currentRevision);
    if (!event.burnInPassed() || fix == null || fix.state != HardwareFix.State.PASSED) {
      // Released without a passed burn-in (plan B by hand): recorded, nothing resolved, and a
      // new burn-in waits for the next quarantine.
      return;
    }
    fix.state = HardwareFix.State.RELEASED;
    fix.releasedAt = event.releasedAt();
    tickets.resolve(
        ticket,
        "hardware fix "
            + fix.revision
            + " passed its burn-in on node "
            + fix.nodeName
            + ", which is back in service",
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
      throw ApiException.notFound("hardware fix " + revision + " of ticket " + ticketId);
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
}
