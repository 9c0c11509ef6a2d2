package dev.patchops.platform.testapp;

import dev.patchops.contract.model.Severity;
import dev.patchops.platform.rest.ApiException;
import dev.patchops.platform.security.Roles;
import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.SecurityContext;
import java.net.URI;
import java.util.UUID;

@Path("/api/v1/widgets")
public class WidgetResource {
  public record CreateWidget(
      @NotBlank @Size(max = 80) String name,
      @NotBlank @Pattern(regexp = "TCK-[0-9]+", message = "must look like TCK-123") String ticketId,
      @NotNull Severity severity) {}

  public record WidgetView(UUID id, String name, String ticketId) {}

  @Inject WidgetService service;

  @POST
  @RolesAllowed(Roles.ENGINEER)
  public Response create(@Valid @NotNull CreateWidget request, @Context SecurityContext security) {
    Widget widget =
        service.create(
            request.name(),
            request.ticketId(),
            request.severity(),
            security.getUserPrincipal().getName());
    return Response.created(URI.create("/api/v1/widgets/" + widget.id))
        .entity(new WidgetView(widget.id, widget.name, widget.ticketId))
        .build();
  }

  /** Fails as a bug would: what the message and the class name reveal must not reach the client. */
  @POST
  @Path("{id}/explode")
  @RolesAllowed(Roles.ENGINEER)
  public WidgetView explode(@PathParam("id") UUID id) {
    throw new IllegalStateException(
        "connection to jdbc:postgresql://db.internal:5432/widgets refused for widget " + id);
  }

  /** The widgets of a ticket: a text parameter that reaches a query as it is. */
  @GET
  @RolesAllowed({Roles.ENGINEER, Roles.AUDITOR})
  public java.util.List<WidgetView> list(@jakarta.ws.rs.QueryParam("ticketId") String ticketId) {
    java.util.List<Widget> found =
        ticketId == null ? Widget.listAll() : Widget.list("ticketId", ticketId);
    return found.stream().map(w -> new WidgetView(w.id, w.name, w.ticketId)).toList();
  }

  /** How many widgets there are: any PatchOps role may know. */
  @GET
  @Path("count")
  @RolesAllowed(Roles.MEMBER)
  public long count() {
    return Widget.count();
  }

  /**
   * The widget count, read after waiting for an advisory lock: a request that holds its database
   * connection for as long as a test keeps the lock.
   */
  @GET
  @Path("count-after-lock/{key}")
  @RolesAllowed(Roles.MEMBER)
  @jakarta.transaction.Transactional
  public long countAfterLock(@PathParam("key") String key) {
    Widget.getEntityManager()
        .createNativeQuery("select pg_advisory_xact_lock(hashtext(?1))")
        .setParameter(1, key)
        .getSingleResult();
    return Widget.count();
  }

  @GET
  @Path("by-name/{name}")
  @RolesAllowed({Roles.ENGINEER, Roles.AUDITOR})
  public java.util.List<WidgetView> byName(@PathParam("name") String name) {
    return Widget.<Widget>list("name", name).stream()
        .map(w -> new WidgetView(w.id, w.name, w.ticketId))
        .toList();
  }

  @GET
  @Path("{id}")
  @RolesAllowed({Roles.ENGINEER, Roles.AUDITOR})
  public WidgetView get(@PathParam("id") UUID id) {
    Widget widget = Widget.findById(id);
    if (widget == null) {
      throw ApiException.notFound("widget " + id);
    }
    return new WidgetView(widget.id, widget.name, widget.ticketId);
  }
}
