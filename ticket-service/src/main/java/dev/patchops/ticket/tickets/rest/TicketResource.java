package dev.patchops.ticket.tickets.rest;

import dev.patchops.contract.model.Severity;
import dev.patchops.contract.model.TicketKind;
import dev.patchops.contract.model.TicketSource;
import dev.patchops.contract.model.WorkloadRef;
import dev.patchops.platform.rest.QueryParams;
import dev.patchops.platform.security.Roles;
import dev.patchops.ticket.equipment.EquipmentLocks;
import dev.patchops.ticket.hooks.AlertOccurrence;
import dev.patchops.ticket.process.CurrentUser;
import dev.patchops.ticket.tickets.Ticket;
import dev.patchops.ticket.tickets.TicketGroupCommit;
import dev.patchops.ticket.tickets.TicketService;
import dev.patchops.ticket.tickets.TicketState;
import dev.patchops.ticket.tickets.rest.TicketApi.CloseTicket;
import dev.patchops.ticket.tickets.rest.TicketApi.OpenTicket;
import dev.patchops.ticket.tickets.rest.TicketApi.PageView;
import dev.patchops.ticket.tickets.rest.TicketApi.ReopenTicket;
import dev.patchops.ticket.tickets.rest.TicketApi.TicketView;
import io.quarkus.hibernate.orm.panache.PanacheQuery;
import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import jakarta.transaction.Transactional;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Response;
import java.net.URI;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import java.util.stream.Collectors;

@Path("/api/v1/tickets")
public class TicketResource {
  @Inject TicketService tickets;
  @Inject CurrentUser user;
  @Inject EquipmentLocks locks;
  @Inject TicketGroupCommit groupCommit;

  /**
   * Runs on the event loop and is not {@code @Transactional}: a software ticket is committed by
   * {@link TicketGroupCommit}, in a transaction it may share with tickets opened at the same
   * moment, and no worker thread waits for it; a hardware ticket locks its equipment, so the same
   * call opens it on a worker thread in a transaction of its own.
   */
  @POST
  @RolesAllowed({Roles.REPORTER, Roles.ENGINEER, Roles.SRE, Roles.ADMIN})
  public CompletionStage<Response> open(@Valid @NotNull OpenTicket request) {
    var workload =
        request.workload() == null
            ? null
            : new WorkloadRef(
                request.workload().namespace(),
                request.workload().kind(),
                request.workload().name());
    var opening =
        new TicketService.NewTicket(
            request.kind(),
            request.title(),
            request.description(),
            request.severity(),
            workload,
            request.equipmentId(),
            request.detectedAt(),
            null);
    String reporter = user.name();
    return groupCommit
        .submit(opening, reporter, TicketSource.REST)
        .thenApply(
            opened ->
                Response.created(URI.create("/api/v1/tickets/" + opened.id))
                    .entity(TicketView.of(opened))
                    .build());
  }

  @GET
  @RolesAllowed(Roles.MEMBER)
  public PageView<TicketView> list(
      @QueryParam("state") String state,
      @QueryParam("kind") String kind,
      @QueryParam("severity") String severity,
      @QueryParam("namespace") String namespace,
      @QueryParam("workload") String workload,
      @QueryParam("page") String page,
      @QueryParam("size") String size) {
    int pageIndex = QueryParams.intValue("page", page, 0, 0, 1_000_000);
    int pageSize = QueryParams.intValue("size", size, 50, 1, 200);
    PanacheQuery<Ticket> query =
        tickets.search(
            new TicketService.Filter(
                QueryParams.enumValue("state", state, TicketState.class),
                QueryParams.enumValue("kind", kind, TicketKind.class),
                QueryParams.enumValue("severity", severity, Severity.class),
                namespace,
                workload),
            pageIndex,
            pageSize);
    List<Ticket> found = query.list();
    // One query for the alerts of the whole page instead of one per ticket.
    Map<String, List<AlertOccurrence>> alerts =
        found.isEmpty()
            ? Map.of()
            : AlertOccurrence.<AlertOccurrence>list(
                    "ticketId in ?1 order by startsAt, id", found.stream().map(t -> t.id).toList())
                .stream()
                .collect(Collectors.groupingBy(a -> a.ticketId));
    return new PageView<>(
        found.stream().map(t -> TicketView.of(t, alerts.getOrDefault(t.id, List.of()))).toList(),
        pageIndex,
        pageSize,
        query.count());
  }

  @GET
  @Path("{id}")
  @RolesAllowed(Roles.MEMBER)
  public TicketView get(@PathParam("id") String id) {
    return TicketView.of(
        tickets.get(id), AlertOccurrence.list("ticketId = ?1 order by startsAt, id", id));
  }

  @POST
  @Path("{id}/close")
  @RolesAllowed({Roles.ENGINEER, Roles.SRE, Roles.ADMIN})
  @Transactional
  public TicketView close(@PathParam("id") String id, @Valid CloseTicket request) {
    Ticket ticket = tickets.lock(id);
    locks.enforce(ticket, "close");
    tickets.close(ticket, request == null ? null : request.note(), user.name());
    return TicketView.of(ticket);
  }

  @POST
  @Path("{id}/reopen")
  @RolesAllowed({Roles.ENGINEER, Roles.SRE, Roles.ADMIN})
  @Transactional
  public TicketView reopen(@PathParam("id") String id, @Valid @NotNull ReopenTicket request) {
    Ticket ticket = tickets.lock(id);
    locks.enforce(ticket, "reopen");
    tickets.reopen(ticket, request.reason(), user.name());
    return TicketView.of(ticket);
  }
}
