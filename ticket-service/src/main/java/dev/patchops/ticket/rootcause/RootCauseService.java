package dev.patchops.ticket.rootcause;

import dev.patchops.contract.events.DiagnosticAdded;
import dev.patchops.contract.events.RootCauseRecorded;
import dev.patchops.contract.model.DiagnosticKind;
import dev.patchops.contract.model.RootCauseMethod;
import dev.patchops.platform.messaging.Outbox;
import dev.patchops.ticket.equipment.EquipmentLocks;
import dev.patchops.ticket.process.Gate;
import dev.patchops.ticket.process.Gates;
import dev.patchops.ticket.process.InvalidInput;
import dev.patchops.ticket.process.NotFound;
import dev.patchops.ticket.process.Policies;
import dev.patchops.ticket.process.Refusal;
import dev.patchops.ticket.tickets.Ticket;
import dev.patchops.ticket.tickets.TicketService;
import dev.patchops.ticket.tickets.TicketState;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.transaction.Transactional;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

@ApplicationScoped
public class RootCauseService {
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
      throw gates.refuse(
          ticket.id,
          "add-diagnostic",
          actor,
          Refusal.conflict(Gate.STATE, "ticket " + ticket.id + " is CLOSED"));
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
    List<String> known =
        Diagnostic.<Diagnostic>list("ticketId", ticket.id).stream()
            .map(d -> d.id.toString())
            .toList();
    gates.enforce(
        ticket.id,
        "record-root-cause",
        actor,
        Policies.recordRootCause(
            new Policies.RootCauseFacts(
                ticket.id, ticket.state, request.method(), request.evidenceRefs(), known)));
    if (request.method() == RootCauseMethod.FIVE_WHYS && request.whys().isEmpty()) {
      throw new InvalidInput("whys", "is required for the FIVE_WHYS method");
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

  public List<Diagnostic> diagnostics(String ticketId) {
    tickets.get(ticketId);
    return Diagnostic.list("ticketId = ?1 order by addedAt", ticketId);
  }

  public RootCause rootCause(String ticketId) {
    tickets.get(ticketId);
    RootCause rootCause = RootCause.findById(ticketId);
    if (rootCause == null) {
      throw new NotFound("root cause of ticket " + ticketId);
    }
    return rootCause;
  }
}
