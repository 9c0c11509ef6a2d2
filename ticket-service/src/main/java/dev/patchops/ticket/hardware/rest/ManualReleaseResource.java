package dev.patchops.ticket.hardware.rest;

import dev.patchops.platform.security.Roles;
import dev.patchops.ticket.hardware.HardwareFixService;
import dev.patchops.ticket.process.CurrentUser;
import dev.patchops.ticket.tickets.rest.TicketApi;
import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import jakarta.transaction.Transactional;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Size;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;

/**
 * Plan B of the hardware path: the assigned engineer puts the quarantined node back into service
 * without an approved burn-in. The reason is checked by the release policy, so that a missing one
 * is a recorded refusal and not only a validation error.
 */
@Path("/api/v1/tickets/{id}/manual-release")
public class ManualReleaseResource {
  public record ManualRelease(@Size(max = 4000) String reason) {}

  @Inject HardwareFixService fixes;
  @Inject CurrentUser user;

  @POST
  @RolesAllowed({Roles.ENGINEER, Roles.ADMIN})
  @Transactional
  public TicketApi.TicketView release(
      @PathParam("id") String ticketId, @Valid @NotNull ManualRelease request) {
    return TicketApi.TicketView.of(fixes.releaseManually(ticketId, request.reason(), user.name()));
  }
}
