package dev.patchops.ticket.rootcause;

import dev.patchops.contract.events.DiagnosticAdded;
import dev.patchops.contract.events.RootCauseRecorded;
import dev.patchops.contract.model.DiagnosticKind;
import dev.patchops.contract.model.RootCauseMethod;
import dev.patchops.platform.messaging.Outbox;
import dev.patchops.platform.rest.ApiException;
import dev.patchops.ticket.equipment.EquipmentLocks;
import dev.patchops.ticket.process.Gates;
import dev.patchops.ticket.tickets.Ticket;
import dev.patchops.ticket.tickets.TicketService;
import dev.patchops.ticket.tickets.TicketState;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.transaction.Transactional;
import java.time.Instant;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;

@ApplicationScoped
public class RootCauseService {
  /** Once a patch is on its way, the root cause it answers is frozen. */
  private static final Set<TicketState> ROOT_CAUSE_EDITABLE =
      EnumSet.of(
          TicketState.OPENED,
          TicketState.DIAGNOSING,
          TicketState.ROOT_CAUSE_IDENTIFIED,
          TicketState.CHANGES_REQUESTED,
          TicketState.REVERTED);

  @Inject TicketService tickets;
  @Inject Outbox outbox;
  @Inject Gates gates;
  @Inject EquipmentLocks locks;

  public record NewDiagnostic(
      DiagnosticKind kind, String uri, Instant capturedAt, String sha256, String note) {}

  public record NewRootCause(
      RootCauseMethod method,
      List<String> whys,
      String rootCause,
      List<String> contributingFactors,
      List<String> affectedComponents,
      List<String> evidenceRefs) {}

  @Transactional(Transactional.TxType.MANDATORY)
  public Diagnostic addDiagnostic(String ticketId, NewDiagnostic request, String actor) {
    Ticket ticket = tickets.lock(ticketId);
    locks.enforce(ticket, "add-diagnostic");
    if (ticket.state == TicketState.CLOSED) {
      throw gates.conflict(
          ticket.id, "add-diagnostic", Gates.STATE, actor, "ticket " + ticket.id + " is CLOSED");
    }
    if (ticket.state == TicketState.OPENED) {
      tickets.move(ticket, TicketState.DIAGNOSING, actor, "add-diagnostic");
    }
    Diagnostic diagnostic = new Diagnostic();
    diagnostic.id = UUID.randomUUID();
    diagnostic.ticketId = ticket.id;
    diagnostic.kind = request.kind();
    diagnostic.uri = request.uri();
    diagnostic.capturedAt = request.capturedAt();
    diagnostic.sha256 = request.sha256();
    diagnostic.note = request.note();
    diagnostic.addedBy = actor;
    diagnostic.addedAt = Instant.now();
    diagnostic.persist();
    outbox.publish(
        new DiagnosticAdded(
            ticket.id,
            diagnostic.id.toString(),
            diagnostic.kind,
            diagnostic.uri,
            diagnostic.capturedAt,
            diagnostic.sha256,
            diagnostic.note,
            actor),
        "tickets/" + ticket.id + "/diagnostics/" + diagnostic.id,
        actor);
    return diagnostic;
  }

  @Transactional(Transactional.TxType.MANDATORY)
  public RootCause record(String ticketId, NewRootCause request, String actor) {
    Ticket ticket = tickets.lock(ticketId);
    locks.enforce(ticket, "record-root-cause");
    if (!ROOT_CAUSE_EDITABLE.contains(ticket.state)) {
      throw gates.conflict(
          ticket.id,
          "record-root-cause",
          Gates.STATE,
          actor,
          "the root cause of ticket " + ticket.id + " cannot change while it is " + ticket.state);
    }
    List<String> known =
        Diagnostic.<Diagnostic>list("ticketId", ticket.id).stream()
            .map(d -> d.id.toString())
            .toList();
    for (int i = 0; i < request.evidenceRefs().size(); i++) {
      if (!known.contains(request.evidenceRefs().get(i))) {
        throw ApiException.badRequest(
            "evidenceRefs[" + i + "]", "is not a diagnostic of ticket " + ticket.id);
      }
    }
    if (request.method() == RootCauseMethod.FIVE_WHYS && request.whys().isEmpty()) {
      throw ApiException.badRequest("whys", "is required for the FIVE_WHYS method");
    }
    RootCause rootCause = RootCause.findById(ticket.id);
    if (rootCause == null) {
      rootCause = new RootCause();
      rootCause.ticketId = ticket.id;
    }
    rootCause.method = request.method();
    rootCause.whys = List.copyOf(request.whys());
    rootCause.rootCause = request.rootCause();
    rootCause.contributingFactors = List.copyOf(request.contributingFactors());
    rootCause.affectedComponents = List.copyOf(request.affectedComponents());
    rootCause.evidenceRefs = List.copyOf(request.evidenceRefs());
    rootCause.recordedBy = actor;
    rootCause.recordedAt = Instant.now();
    rootCause.persist();
    if (ticket.state == TicketState.OPENED || ticket.state == TicketState.DIAGNOSING) {
      tickets.move(ticket, TicketState.ROOT_CAUSE_IDENTIFIED, actor, "record-root-cause");
    }
    outbox.publish(
        new RootCauseRecorded(
            ticket.id,
            rootCause.method,
            rootCause.whys,
            rootCause.rootCause,
            rootCause.contributingFactors,
            rootCause.affectedComponents,
            rootCause.evidenceRefs,
            actor,
            rootCause.recordedAt),
        "tickets/" + ticket.id + "/root-cause",
        actor);
    return rootCause;
  }

  /**
   * The gates every fix passes, software patch or hardware fix alike: a recorded root cause, and a
   * ticket in a state that takes a new revision. Before the root cause exists, its absence is the
   * reason to give; after, the state is.
   */
  public void admitRevision(Ticket ticket, String action, String actor) {
    boolean rootCauseRecorded = RootCause.findById(ticket.id) != null;
    boolean beforeRootCause =
        ticket.state == TicketState.OPENED || ticket.state == TicketState.DIAGNOSING;
    if (!rootCauseRecorded && (beforeRootCause || ticket.state.acceptsRevision())) {
      throw gates.conflict(
          ticket.id,
          action,
          Gates.ROOT_CAUSE,
          actor,
          "no root cause is recorded for ticket "
              + ticket.id
              + "; record it before proposing a fix");
    }
    if (!ticket.state.acceptsRevision()) {
      throw gates.conflict(
          ticket.id,
          action,
          Gates.STATE,
          actor,
          "ticket " + ticket.id + " is " + ticket.state + "; a new revision is not accepted now");
    }
  }

  public List<Diagnostic> diagnostics(String ticketId) {
    tickets.get(ticketId);
    return Diagnostic.list("ticketId = ?1 order by addedAt", ticketId);
  }

  public RootCause rootCause(String ticketId) {
    tickets.get(ticketId);
    RootCause rootCause = RootCause.findById(ticketId);
    if (rootCause == null) {
      throw ApiException.notFound("root cause of ticket " + ticketId);
    }
    return rootCause;
  }
}
