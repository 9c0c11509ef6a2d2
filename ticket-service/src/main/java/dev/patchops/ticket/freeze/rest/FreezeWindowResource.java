package dev.patchops.ticket.freeze.rest;

import dev.patchops.platform.security.Roles;
import dev.patchops.ticket.freeze.FreezeWindow;
import dev.patchops.ticket.freeze.FreezeWindows;
import dev.patchops.ticket.process.CurrentUser;
import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import jakarta.transaction.Transactional;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Size;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.core.Response;
import java.net.URI;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

@Path("/api/v1/freeze-windows")
public class FreezeWindowResource {
  public record NewFreezeWindow(
      @NotNull Instant startsAt,
      @NotNull Instant endsAt,
      @NotBlank @Size(max = 2000) String reason) {}

  public record FreezeWindowView(
      UUID id, Instant startsAt, Instant endsAt, String reason, String createdBy, boolean active) {
    static FreezeWindowView of(FreezeWindow w) {
      Instant now = Instant.now();
      return new FreezeWindowView(
          w.id,
          w.startsAt,
          w.endsAt,
          w.reason,
          w.createdBy,
          !w.startsAt.isAfter(now) && w.endsAt.isAfter(now));
    }
  }

  @Inject CurrentUser user;
  @Inject FreezeWindows windows;

  @POST
  @RolesAllowed(Roles.ADMIN)
  @Transactional
  public Response create(@Valid @NotNull NewFreezeWindow request) {
    FreezeWindow window =
        windows.create(request.startsAt(), request.endsAt(), request.reason(), user.name());
    return Response.created(URI.create("/api/v1/freeze-windows/" + window.id))
        .entity(FreezeWindowView.of(window))
        .build();
  }

  /** Current and future windows. */
  @GET
  @RolesAllowed(Roles.MEMBER)
  public List<FreezeWindowView> list() {
    return FreezeWindow.<FreezeWindow>list("endsAt > ?1 order by startsAt", Instant.now()).stream()
        .map(FreezeWindowView::of)
        .toList();
  }

  @DELETE
  @Path("{id}")
  @RolesAllowed(Roles.ADMIN)
  @Transactional
  public Response delete(@PathParam("id") UUID id) {
    windows.delete(id, user.name());
    return Response.noContent().build();
  }
}
