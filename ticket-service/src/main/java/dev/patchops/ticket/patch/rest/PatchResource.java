package dev.patchops.ticket.patch.rest;

import dev.patchops.contract.model.CanaryStep;
import dev.patchops.contract.model.ContainerTarget;
import dev.patchops.contract.model.TestAnalytics;
import dev.patchops.contract.model.TestOutcome;
import dev.patchops.contract.model.TestSuiteSpec;
import dev.patchops.contract.model.VcsRef;
import dev.patchops.contract.model.WorkloadRef;
import dev.patchops.platform.rest.ApiException;
import dev.patchops.platform.security.Roles;
import dev.patchops.ticket.patch.PatchRevision;
import dev.patchops.ticket.patch.PatchService;
import dev.patchops.ticket.patch.RevisionState;
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
import java.util.HashSet;
import java.util.List;
import java.util.Set;

@Path("/api/v1/tickets/{id}/revisions")
public class PatchResource {
  static final String REPOSITORY_URL =
      "(https://|ssh://|git@)[A-Za-z0-9.-]+[:/][A-Za-z0-9._/~-]+?(\\.git)?";
  public static final String IMAGE_BY_DIGEST = "[a-z0-9]+([._/:-][a-z0-9]+)*@sha256:[0-9a-f]{64}";

  public record Vcs(
      @NotBlank
          @Size(max = 500)
          @Pattern(
              regexp = REPOSITORY_URL,
              message = "must be an https, ssh or git@ repository URL")
          String repositoryUrl,
      @NotBlank
          @Pattern(
              regexp = "[0-9a-f]{40}",
              message = "must be a full 40-character lowercase hex SHA")
          String commitSha,
      @Size(max = 500) @Pattern(regexp = "https://\\S+", message = "must be an https URL")
          String pullRequestUrl) {}

  public record Target(
      @NotNull @Valid TicketApi.Workload workload,
      @NotBlank
          @Size(max = 63)
          @Pattern(regexp = TicketApi.DNS_LABEL, message = "must be a DNS-1123 label")
          String container) {}

  public record Suite(
      @NotBlank
          @Size(max = 63)
          @Pattern(regexp = TicketApi.DNS_LABEL, message = "must be a DNS-1123 label")
          String name,
      @NotBlank
          @Size(max = 500)
          @Pattern(regexp = "\\S+", message = "must be an image reference without spaces")
          String image,
      @NotEmpty @Size(max = 20) List<@NotBlank @Size(max = 256) String> command,
      @Min(1) @Max(7200) Integer timeoutSeconds) {}

  public record Step(@Min(1) @Max(100) int weight, @Min(0) @Max(86_400) int pauseSeconds) {}

  public record ProposeRevision(
      @NotNull @Valid Vcs vcs,
      @NotBlank
          @Size(max = 600)
          @Pattern(
              regexp = IMAGE_BY_DIGEST,
              message = "must be pinned by digest: <repository>@sha256:<64 hex>")
          String image,
      @NotEmpty @Size(max = 20) List<@NotNull @Valid Target> targets,
      @NotBlank @Size(max = 10_000) String changeWhat,
      @NotBlank @Size(max = 10_000) String changeWhy,
      @NotEmpty @Size(max = 20) List<@NotNull @Valid Suite> testSuites,
      @Size(max = 10) List<@NotNull @Valid Step> canarySteps) {}

  public record Decide(boolean emergency, @Size(max = 4000) String reason) {}

  public record Reject(@NotBlank @Size(max = 4000) String reason) {}

  public record Review(boolean accepted, @NotBlank @Size(max = 10_000) String findings) {}

  public record RevisionView(
      String ticketId,
      int revision,
      RevisionState state,
      VcsRef vcs,
      String image,
      List<ContainerTarget> targets,
      String changeWhat,
      String changeWhy,
      String author,
      List<TestSuiteSpec> testSuites,
      List<CanaryStep> canarySteps,
      Instant proposedAt,
      String testRunId,
      String testNamespace,
      TestOutcome testOutcome,
      TestAnalytics testAnalytics,
      Instant testedAt,
      String decidedBy,
      Instant decidedAt,
      String decisionReason,
      boolean emergency,
      boolean reviewRequired,
      String reviewedBy,
      Instant reviewedAt,
      Boolean reviewAccepted,
      String reviewFindings,
      String revertReason) {
    public static RevisionView of(PatchRevision r) {
      return of(r, true);
    }

    /**
     * @param testDetails whether the reader may see test log tails and Secret decisions; a reporter
     *     may not, on this path as in the change record
     */
    public static RevisionView of(PatchRevision r, boolean testDetails) {
      return new RevisionView(
          r.ticketId,
          r.revision,
          r.state,
          new VcsRef(r.repositoryUrl, r.commitSha, r.pullRequestUrl),
          r.image,
          r.targets,
          r.changeWhat,
          r.changeWhy,
          r.author,
          r.testSuites,
          r.canarySteps,
          r.proposedAt,
          r.testRunId,
          r.testNamespace,
          r.testOutcome,
          testDetails ? r.testAnalytics : null,
          r.testedAt,
          r.decidedBy,
          r.decidedAt,
          r.decisionReason,
          r.emergency,
          r.reviewRequired,
          r.reviewedBy,
          r.reviewedAt,
          r.reviewAccepted,
          r.reviewFindings,
          r.revertReason);
    }
  }

  @Inject PatchService patches;
  @Inject CurrentUser user;

  @POST
  @RolesAllowed({Roles.ENGINEER, Roles.ADMIN})
  @Transactional
  public Response propose(
      @PathParam("id") String ticketId, @Valid @NotNull ProposeRevision request) {
    PatchRevision revision = patches.propose(ticketId, toProposal(request), user.name());
    return Response.created(
            URI.create("/api/v1/tickets/" + ticketId + "/revisions/" + revision.revision))
        .entity(RevisionView.of(revision))
        .build();
  }

  @GET
  @RolesAllowed(Roles.MEMBER)
  public List<RevisionView> list(@PathParam("id") String ticketId) {
    boolean testDetails = user.mayReadTestDetails();
    return patches.revisions(ticketId).stream().map(r -> RevisionView.of(r, testDetails)).toList();
  }

  @GET
  @Path("{revision}")
  @RolesAllowed(Roles.MEMBER)
  public RevisionView get(@PathParam("id") String ticketId, @PathParam("revision") int revision) {
    return RevisionView.of(patches.revision(ticketId, revision), user.mayReadTestDetails());
  }

  @POST
  @Path("{revision}/approve")
  @RolesAllowed({Roles.APPROVER, Roles.SRE, Roles.ADMIN})
  @Transactional
  public RevisionView approve(
      @PathParam("id") String ticketId,
      @PathParam("revision") int revision,
      @Valid @NotNull Decide request) {
    Set<String> roles = new HashSet<>();
    for (String role : List.of(Roles.APPROVER, Roles.SRE, Roles.ADMIN)) {
      if (user.hasRole(role)) {
        roles.add(role);
      }
    }
    return RevisionView.of(
        patches.approve(
            ticketId,
            revision,
            new PatchService.Decision(request.emergency(), request.reason()),
            user.name(),
            roles));
  }

  @POST
  @Path("{revision}/reject")
  @RolesAllowed({Roles.APPROVER, Roles.ADMIN})
  @Transactional
  public RevisionView reject(
      @PathParam("id") String ticketId,
      @PathParam("revision") int revision,
      @Valid @NotNull Reject request) {
    return RevisionView.of(patches.reject(ticketId, revision, request.reason(), user.name()));
  }

  @POST
  @Path("{revision}/review")
  @RolesAllowed({Roles.APPROVER, Roles.ADMIN})
  @Transactional
  public RevisionView review(
      @PathParam("id") String ticketId,
      @PathParam("revision") int revision,
      @Valid @NotNull Review request) {
    return RevisionView.of(
        patches.review(ticketId, revision, request.accepted(), request.findings(), user.name()));
  }

  /** Suites are told apart by name in the results, so a name may be used once per request. */
  public static void requireUniqueNames(String field, List<String> names) {
    Set<String> seen = new HashSet<>();
    for (int i = 0; i < names.size(); i++) {
      if (!seen.add(names.get(i))) {
        throw ApiException.badRequest(field + "[" + i + "].name", "is used twice");
      }
    }
  }

  private static PatchService.Proposal toProposal(ProposeRevision request) {
    List<Step> steps = request.canarySteps() == null ? List.of() : request.canarySteps();
    for (int i = 1; i < steps.size(); i++) {
      if (steps.get(i).weight() <= steps.get(i - 1).weight()) {
        throw ApiException.badRequest(
            "canarySteps[" + i + "].weight", "must be greater than the previous step's weight");
      }
    }
    if (!steps.isEmpty() && steps.get(steps.size() - 1).weight() != 100) {
      throw ApiException.badRequest(
          "canarySteps[" + (steps.size() - 1) + "].weight", "the last step must be 100");
    }
    requireUniqueNames("testSuites", request.testSuites().stream().map(Suite::name).toList());
    return new PatchService.Proposal(
        new VcsRef(
            request.vcs().repositoryUrl(),
            request.vcs().commitSha(),
            request.vcs().pullRequestUrl()),
        request.image(),
        request.targets().stream()
            .map(
                t ->
                    new ContainerTarget(
                        new WorkloadRef(
                            t.workload().namespace(), t.workload().kind(), t.workload().name()),
                        t.container()))
            .toList(),
        request.changeWhat(),
        request.changeWhy(),
        request.testSuites().stream()
            .map(s -> new TestSuiteSpec(s.name(), s.image(), s.command(), s.timeoutSeconds()))
            .toList(),
        steps.stream().map(s -> new CanaryStep(s.weight(), s.pauseSeconds())).toList());
  }
}
