package dev.patchops.orchestrator.run.rest;

import dev.patchops.contract.Limit;
import dev.patchops.contract.Pattern;
import dev.patchops.contract.model.ContainerTarget;
import dev.patchops.contract.model.TestAnalytics;
import dev.patchops.contract.model.TestOutcome;
import dev.patchops.contract.model.TestSuiteSpec;
import dev.patchops.orchestrator.run.RunExecutor;
import dev.patchops.orchestrator.run.RunKind;
import dev.patchops.orchestrator.run.RunRefusal;
import dev.patchops.orchestrator.run.RunState;
import dev.patchops.orchestrator.run.TestRun;
import dev.patchops.orchestrator.run.TestRunService;
import dev.patchops.platform.rest.ApiException;
import dev.patchops.platform.rest.Problem;
import dev.patchops.platform.security.Roles;
import io.quarkus.security.identity.SecurityIdentity;
import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.time.Instant;
import java.util.List;
import org.jboss.resteasy.reactive.ResponseStatus;

@Path("/api/v1/test-runs")
@Produces(MediaType.APPLICATION_JSON)
public class TestRunResource {

  /**
   * A re-run of a proposed revision, outside the ticket flow: a new attempt of the ticket. Image,
   * targets and suites may be left out (the revision's are used); given, they must be the
   * revision's.
   */
  public record CreateTestRun(
      String ticketId,
      Integer revision,
      String image,
      List<ContainerTarget> targets,
      List<TestSuiteSpec> testSuites) {}

  public record TestRunView(
      String runId,
      String ticketId,
      int revision,
      int attempt,
      RunKind kind,
      String burnInNode,
      RunState state,
      String namespace,
      String sourceNamespace,
      TestOutcome outcome,
      TestAnalytics analytics,
      Instant requestedAt,
      Instant startedAt,
      Instant completedAt,
      Instant expiresAt) {
    static TestRunView of(TestRun r) {
      return new TestRunView(
          r.runId,
          r.ticketId,
          r.revision,
          r.attempt,
          r.kind,
          r.burnInNode,
          r.state,
          r.namespace,
          r.sourceNamespace,
          r.outcome,
          r.analytics,
          r.requestedAt,
          r.startedAt,
          r.completedAt,
          r.expiresAt);
    }
  }

  @Inject TestRunService runs;
  @Inject RunExecutor executor;
  @Inject SecurityIdentity identity;

  @POST
  @Consumes(MediaType.APPLICATION_JSON)
  @ResponseStatus(202)
  @RolesAllowed({Roles.ENGINEER, Roles.APPROVER, Roles.SRE, Roles.ADMIN})
  public TestRunView create(CreateTestRun body) {
    if (body == null) {
      throw ApiException.badRequest("body", "is required");
    }
    if (body.ticketId() == null || body.ticketId().isBlank()) {
      // Nothing to file a refusal under: the trail is per ticket.
      throw ApiException.badRequest("ticketId", "is required");
    }
    if (body.ticketId().length() > Limit.ID) {
      // no ticket has such an id, and the refusal's event could not carry it (contract Limit)
      throw ApiException.badRequest("ticketId", "must be at most " + Limit.ID + " characters");
    }
    String requester = identity.getPrincipal().getName();
    try {
      TestRun run =
          runs.rerun(
              new TestRunService.Rerun(
                  body.ticketId(),
                  requireWellFormed(body),
                  body.image(),
                  body.targets(),
                  body.testSuites(),
                  requester,
                  identity.getRoles()));
      executor.wake();
      return TestRunView.of(run);
    } catch (RunRefusal refusal) {
      runs.refused(body.ticketId(), body.revision(), requester, refusal);
      throw problem(refusal);
    }
  }

  /** The revision number, once the request's shape is checked. */
  private static int requireWellFormed(CreateTestRun body) {
    require("revision", body.revision() != null && body.revision() >= 1, "must be 1 or more");
    require(
        "image",
        body.image() == null || body.image().matches(Pattern.IMAGE_BY_DIGEST),
        "must be pinned by digest: <repository>@sha256:<64 hex>");
    require(
        "targets",
        body.targets() == null || !body.targets().isEmpty(),
        "must name at least one container, or be left out for the revision's");
    require(
        "testSuites",
        body.testSuites() == null || !body.testSuites().isEmpty(),
        "must list at least one suite, or be left out for the revision's");
    return body.revision();
  }

  private static ApiException problem(RunRefusal refusal) {
    int status =
        switch (refusal.kind()) {
          case INVALID -> 400;
          case UNKNOWN_REVISION -> 404;
          case NOT_ALLOWED -> 403;
        };
    String type =
        switch (refusal.kind()) {
          case INVALID -> "invalid-request";
          case UNKNOWN_REVISION -> "unknown-revision";
          case NOT_ALLOWED -> "not-author-or-approver";
        };
    return new ApiException(
        status,
        type,
        "Test run refused",
        refusal.getMessage(),
        List.of(new Problem.Violation(refusal.field(), refusal.reason())));
  }

  @GET
  @Path("/{id}")
  @RolesAllowed({Roles.ENGINEER, Roles.APPROVER, Roles.SRE, Roles.AUDITOR, Roles.ADMIN})
  public TestRunView get(@PathParam("id") String id) {
    TestRun run = runs.get(id);
    if (run == null) {
      throw ApiException.notFound("test run " + id);
    }
    return TestRunView.of(run);
  }

  private static void require(String field, boolean ok, String reason) {
    if (!ok) {
      throw new RunRefusal(RunRefusal.Kind.INVALID, field, reason);
    }
  }
}
