package dev.patchops.ticket.rootcause.rest;

import dev.patchops.contract.model.DiagnosticKind;
import dev.patchops.contract.model.RootCauseMethod;
import dev.patchops.platform.security.Roles;
import dev.patchops.ticket.process.CurrentUser;
import dev.patchops.ticket.rootcause.Diagnostic;
import dev.patchops.ticket.rootcause.RootCause;
import dev.patchops.ticket.rootcause.RootCauseService;
import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import jakarta.transaction.Transactional;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.PastOrPresent;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.core.Response;
import java.net.URI;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

@Path("/api/v1/tickets/{id}")
public class RootCauseResource {
  public record AddDiagnostic(
      @NotNull DiagnosticKind kind,
      @NotBlank
          @Size(max = 2048)
          @Pattern(regexp = "[a-zA-Z][a-zA-Z0-9+.-]*:.+", message = "must be an absolute URI")
          String uri,
      @NotNull @PastOrPresent Instant capturedAt,
      @Pattern(regexp = "[0-9a-f]{64}", message = "must be 64 lowercase hex characters")
          String sha256,
      @Size(max = 4000) String note) {}

  public record DiagnosticView(
      UUID id,
      DiagnosticKind kind,
      String uri,
      Instant capturedAt,
      String sha256,
      String note,
      String addedBy,
      Instant addedAt) {
    static DiagnosticView of(Diagnostic d) {
      return new DiagnosticView(
          d.id, d.kind, d.uri, d.capturedAt, d.sha256, d.note, d.addedBy, d.addedAt);
    }
  }

  public record RecordRootCause(
      @NotNull RootCauseMethod method,
      @Size(max = 10) List<@NotBlank @Size(max = 1000) String> whys,
      @NotBlank @Size(max = 10_000) String rootCause,
      @Size(max = 50) List<@NotBlank @Size(max = 1000) String> contributingFactors,
      @NotNull @Size(min = 1, max = 50) List<@NotBlank @Size(max = 300) String> affectedComponents,
      @Size(max = 100) List<@NotBlank @Size(max = 512) String> evidenceRefs) {}

  public record RootCauseView(
      RootCauseMethod method,
      List<String> whys,
      String rootCause,
      List<String> contributingFactors,
      List<String> affectedComponents,
      List<String> evidenceRefs,
      String recordedBy,
      Instant recordedAt) {
    static RootCauseView of(RootCause r) {
      return new RootCauseView(
          r.method,
          r.whys,
          r.rootCause,
          r.contributingFactors,
          r.affectedComponents,
          r.evidenceRefs,
          r.recordedBy,
          r.recordedAt);
    }
  }

  @Inject RootCauseService service;
  @Inject CurrentUser user;

  @POST
  @Path("diagnostics")
  @RolesAllowed({Roles.ENGINEER, Roles.SRE, Roles.ADMIN})
  @Transactional
  public Response addDiagnostic(
      @PathParam("id") String ticketId, @Valid @NotNull AddDiagnostic request) {
    Diagnostic diagnostic =
        service.addDiagnostic(
            ticketId,
            new RootCauseService.NewDiagnostic(
                request.kind(),
                request.uri(),
                request.capturedAt(),
                request.sha256(),
                request.note()),
            user.name());
    return Response.created(
            URI.create("/api/v1/tickets/" + ticketId + "/diagnostics/" + diagnostic.id))
        .entity(DiagnosticView.of(diagnostic))
        .build();
  }

  @GET
  @Path("diagnostics")
  @RolesAllowed(Roles.MEMBER)
  public List<DiagnosticView> diagnostics(@PathParam("id") String ticketId) {
    return service.diagnostics(ticketId).stream().map(DiagnosticView::of).toList();
  }

  @PUT
  @Path("root-cause")
  @RolesAllowed({Roles.ENGINEER, Roles.SRE, Roles.ADMIN})
  @Transactional
  public RootCauseView record(
      @PathParam("id") String ticketId, @Valid @NotNull RecordRootCause request) {
    RootCause rootCause =
        service.record(
            ticketId,
            new RootCauseService.NewRootCause(
                request.method(),
                orEmpty(request.whys()),
                request.rootCause(),
                orEmpty(request.contributingFactors()),
                request.affectedComponents(),
                orEmpty(request.evidenceRefs())),
            user.name());
    return RootCauseView.of(rootCause);
  }

  @GET
  @Path("root-cause")
  @RolesAllowed(Roles.MEMBER)
  public RootCauseView rootCause(@PathParam("id") String ticketId) {
    return RootCauseView.of(service.rootCause(ticketId));
  }

  private static <T> List<T> orEmpty(List<T> list) {
    return list == null ? List.of() : list;
  }
}
