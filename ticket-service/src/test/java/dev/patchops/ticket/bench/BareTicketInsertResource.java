package dev.patchops.ticket.bench;

import dev.patchops.contract.model.Severity;
import dev.patchops.contract.model.TicketKind;
import dev.patchops.contract.model.TicketSource;
import dev.patchops.platform.security.Roles;
import dev.patchops.ticket.tickets.Ticket;
import dev.patchops.ticket.tickets.TicketService;
import dev.patchops.ticket.tickets.TicketState;
import dev.patchops.ticket.tickets.rest.TicketApi.OpenTicket;
import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import jakarta.transaction.Transactional;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.SecurityContext;
import java.time.Instant;

/**
 * The benchmark's baseline, in test sources only: the same authenticated, validated ticket insert
 * as {@code POST /api/v1/tickets}, without the outbox event.
 */
@Path("/bench/bare-tickets")
public class BareTicketInsertResource {
  @Inject TicketService tickets;

  @POST
  @RolesAllowed({Roles.REPORTER, Roles.ENGINEER, Roles.SRE, Roles.ADMIN})
  @Transactional
  public Response create(@Valid @NotNull OpenTicket request, @Context SecurityContext security) {
    Ticket ticket = new Ticket();
    ticket.id = tickets.nextId();
    ticket.kind = TicketKind.SOFTWARE;
    ticket.title = request.title();
    ticket.severity = Severity.SEV3;
    ticket.reporter = security.getUserPrincipal().getName();
    ticket.source = TicketSource.REST;
    ticket.state = TicketState.OPENED;
    ticket.workloadNamespace = request.workload().namespace();
    ticket.workloadKind = request.workload().kind();
    ticket.workloadName = request.workload().name();
    ticket.openedAt = Instant.now();
    ticket.detectedAt = ticket.openedAt;
    ticket.persist();
    return Response.status(201).entity("{\"id\":\"" + ticket.id + "\"}").build();
  }
}
