package dev.patchops.ticket.equipment.rest;

import dev.patchops.contract.model.EquipmentType;
import dev.patchops.platform.rest.ApiException;
import dev.patchops.platform.security.Roles;
import dev.patchops.ticket.equipment.Equipment;
import dev.patchops.ticket.equipment.EquipmentLocks;
import dev.patchops.ticket.equipment.EquipmentRegistry;
import dev.patchops.ticket.process.CurrentUser;
import dev.patchops.ticket.tickets.rest.TicketApi;
import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import jakarta.transaction.Transactional;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.core.Response;
import java.net.URI;
import java.util.List;
import java.util.Map;

@Path("/api/v1/equipment")
public class EquipmentResource {
  public record RegisterEquipment(
      @NotBlank
          @Size(max = 100)
          @Pattern(
              regexp = "[A-Za-z0-9][A-Za-z0-9._-]*",
              message = "letters, digits, '.', '_' and '-'")
          String id,
      @NotNull EquipmentType kind,
      @Size(max = 300) String location,
      @Size(max = 253)
          @Pattern(regexp = TicketApi.DNS_SUBDOMAIN, message = "must be a DNS-1123 subdomain")
          String nodeName,
      @NotBlank @Size(max = 200) String assignee) {}

  public record Reassign(@NotBlank @Size(max = 200) String assignee) {}

  public record EquipmentView(
      String id,
      EquipmentType kind,
      String location,
      String nodeName,
      String assignee,
      String lockedByTicket) {
    static EquipmentView of(Equipment e) {
      return of(e, EquipmentLocks.holder(e.id).map(t -> t.id).orElse(null));
    }

    static EquipmentView of(Equipment e, String lockedByTicket) {
      return new EquipmentView(e.id, e.kind, e.location, e.nodeName, e.assignee, lockedByTicket);
    }
  }

  @Inject EquipmentRegistry registry;
  @Inject CurrentUser user;

  @POST
  @RolesAllowed(Roles.ADMIN)
  @Transactional
  public Response register(@Valid @NotNull RegisterEquipment request) {
    if (request.kind() == EquipmentType.NODE && request.nodeName() == null) {
      throw ApiException.badRequest("nodeName", "is required for equipment of kind NODE");
    }
    if (Equipment.findById(request.id()) != null) {
      throw ApiException.conflict("duplicate", "equipment " + request.id() + " already exists");
    }
    Equipment equipment =
        registry.register(
            request.id(),
            request.kind(),
            request.location(),
            request.nodeName(),
            request.assignee(),
            user.name());
    return Response.created(URI.create("/api/v1/equipment/" + equipment.id))
        .entity(EquipmentView.of(equipment))
        .build();
  }

  @GET
  @RolesAllowed(Roles.MEMBER)
  public List<EquipmentView> list() {
    // One query for every lock instead of one per row.
    Map<String, String> holders = EquipmentLocks.holders();
    return Equipment.<Equipment>listAll(io.quarkus.panache.common.Sort.by("id")).stream()
        .map(e -> EquipmentView.of(e, holders.get(e.id)))
        .toList();
  }

  @GET
  @Path("{id}")
  @RolesAllowed(Roles.MEMBER)
  public EquipmentView get(@PathParam("id") String id) {
    return EquipmentView.of(find(id));
  }

  /** Reassigning moves the lock too: an open ticket follows its equipment's new assignee. */
  @PUT
  @Path("{id}/assignee")
  @RolesAllowed(Roles.ADMIN)
  @Transactional
  public EquipmentView reassign(@PathParam("id") String id, @Valid @NotNull Reassign request) {
    return EquipmentView.of(registry.reassign(id, request.assignee(), user.name()));
  }

  static Equipment find(String id) {
    Equipment equipment = Equipment.findById(id);
    if (equipment == null) {
      throw ApiException.notFound("equipment " + id);
    }
    return equipment;
  }
}
