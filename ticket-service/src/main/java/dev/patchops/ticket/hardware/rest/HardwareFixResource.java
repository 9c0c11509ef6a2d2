package dev.patchops.ticket.hardware.rest;

import dev.patchops.contract.model.TestAnalytics;
import dev.patchops.contract.model.TestOutcome;
import dev.patchops.contract.model.TestSuiteSpec;
import dev.patchops.platform.security.Roles;
import dev.patchops.ticket.hardware.HardwareFix;
import dev.patchops.ticket.hardware.HardwareFixService;
import dev.patchops.ticket.patch.rest.PatchResource;
import dev.patchops.ticket.process.CurrentUser;
import dev.patchops.ticket.tickets.rest.TicketApi;
import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import jakarta.transaction.Transactional;
import jakarta.validation.Valid;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotEmpty;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.core.Response;
import java.net.URI;
import java.time.Instant;
import java.util.List;

/** The fix of a hardware ticket, recorded by its equipment's assignee (or an admin). */
@Path("/api/v1/tickets/{id}/hardware-fixes")
public class HardwareFixResource {

  /**
   * A burn-in Job runs on a node taken out of service, so its image is pinned like a patch's and it
   * always has a deadline.
   */
  public record BurnInSuite(
      @NotBlank
          @Size(max = 63)
          @Pattern(regexp = TicketApi.DNS_LABEL, message = "must be a DNS-1123 label")
          String name,
      @NotBlank
          @Size(max = 600)
          @Pattern(
              regexp = PatchResource.IMAGE_BY_DIGEST,
              message = "must be pinned by digest: <repository>@sha256:<64 hex>")
          String image,
      @NotEmpty @Size(max = 20) List<@NotBlank @Size(max = 256) String> command,
      @NotNull @Min(1) @Max(86_400) Integer timeoutSeconds) {}

  public record RecordFix(
      @NotBlank @Size(max = 10_000) String whatWasDone,
      @NotBlank @Size(max = 10_000) String why,
      @NotEmpty @Size(max = 20) List<@NotNull @Valid BurnInSuite> burnInSuites) {}

  public record FixView(
      String ticketId,
      int revision,
      HardwareFix.State state,
      String whatWasDone,
      String why,
      List<TestSuiteSpec> burnInSuites,
      String nodeName,
      String author,
      Instant recordedAt,
      String burnInRunId,
      TestOutcome burnInOutcome,
      TestAnalytics burnInAnalytics,
      Instant testedAt,
      String approvedBy,
      Instant approvedAt,
      Instant releasedAt) {
    /**
     * @param testDetails whether the reader may see the burn-in's log tails and Secret decisions
     */
    static FixView of(HardwareFix f, boolean testDetails) {
      return new FixView(
          f.ticketId,
          f.revision,
          f.state,
          f.whatWasDone,
          f.why,
          f.burnInSuites,
          f.nodeName,
          f.author,
          f.recordedAt,
          f.burnInRunId,
          f.burnInOutcome,
          testDetails ? f.burnInAnalytics : null,
          f.testedAt,
          f.approvedBy,
          f.approvedAt,
          f.releasedAt);
    }
  }

  @Inject HardwareFixService fixes;
  @Inject CurrentUser user;

  @POST
  @RolesAllowed({Roles.ENGINEER, Roles.ADMIN})
  @Transactional
  public Response record(@PathParam("id") String ticketId, @Valid @NotNull RecordFix request) {
    PatchResource.requireUniqueNames(
        "burnInSuites", request.burnInSuites().stream().map(BurnInSuite::name).toList());
    HardwareFix fix =
        fixes.record(
            ticketId,
            new HardwareFixService.NewFix(
                request.whatWasDone(),
                request.why(),
                request.burnInSuites().stream()
                    .map(
                        s ->
                            new TestSuiteSpec(s.name(), s.image(), s.command(), s.timeoutSeconds()))
                    .toList()),
            user.name());
    return Response.created(
            URI.create("/api/v1/tickets/" + ticketId + "/hardware-fixes/" + fix.revision))
        .entity(FixView.of(fix, user.mayReadTestDetails()))
        .build();
  }

  @GET
  @RolesAllowed(Roles.MEMBER)
  public List<FixView> list(@PathParam("id") String ticketId) {
    boolean testDetails = user.mayReadTestDetails();
    return fixes.fixes(ticketId).stream().map(f -> FixView.of(f, testDetails)).toList();
  }

  @GET
  @Path("{revision}")
  @RolesAllowed(Roles.MEMBER)
  public FixView get(@PathParam("id") String ticketId, @PathParam("revision") int revision) {
    return FixView.of(fixes.fix(ticketId, revision), user.mayReadTestDetails());
  }

  /** Someone other than the assignee and the fix's author lets the node go back into service. */
  @POST
  @Path("{revision}/approve")
  @RolesAllowed({Roles.APPROVER, Roles.ADMIN})
  @Transactional
  public FixView approve(@PathParam("id") String ticketId, @PathParam("revision") int revision) {
    return FixView.of(fixes.approve(ticketId, revision, user.name()), true);
  }
}
