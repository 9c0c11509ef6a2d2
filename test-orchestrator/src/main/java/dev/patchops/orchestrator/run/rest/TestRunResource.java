package dev.patchops.orchestrator.run.rest;

import dev.patchops.contract.Pattern;
import dev.patchops.contract.events.TestRunRequested;
import dev.patchops.contract.model.ContainerTarget;
import dev.patchops.contract.model.TestAnalytics;
import dev.patchops.contract.model.TestOutcome;
import dev.patchops.contract.model.TestSuiteSpec;
import dev.patchops.orchestrator.run.RunExecutor;
import dev.patchops.orchestrator.run.RunKind;
import dev.patchops.orchestrator.run.RunState;
import dev.patchops.orchestrator.run.TestRun;
import dev.patchops.orchestrator.run.TestRunService;
import dev.patchops.platform.rest.ApiException;
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
import java.util.UUID;
import org.jboss.resteasy.reactive.ResponseStatus;

@Path("/api/v1/test-runs")
@Produces(MediaType.APPLICATION_JSON)
public class TestRunResource {

  /** A re-run of a revision, outside the ticket flow: a new attempt, numbered after the last. */
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
  @RolesAllowed({Roles.ENGINEER, Roles.SRE, Roles.ADMIN})
  public TestRunView create(CreateTestRun body) {
    if (body == null) {
      throw ApiException.badRequest("body", "is required");
    }
    require("ticketId", body.ticketId() != null && !body.ticketId().isBlank(), "is required");
    require("revision", body.revision() != null && body.revision() >= 1, "must be 1 or more");
    require(
        "image",
        body.image() != null && body.image().matches(Pattern.IMAGE_BY_DIGEST),
        "must be pinned by digest: <repository>@sha256:<64 hex>");
    require(
        "targets",
        body.targets() != null && !body.targets().isEmpty(),
        "must name at least one container");
    for (int i = 0; i < body.targets().size(); i++) {
      ContainerTarget t = body.targets().get(i);
      require(
          "targets[" + i + "]",
          t != null
              && t.workload() != null
              && t.workload().namespace() != null
              && t.workload().kind() != null
              && t.workload().name() != null
              && t.container() != null,
          "needs workload.namespace, workload.kind, workload.name and container");
    }
    require(
        "testSuites",
        body.testSuites() != null && !body.testSuites().isEmpty(),
        "must list at least one suite");
    for (int i = 0; i < body.testSuites().size(); i++) {
      TestSuiteSpec s = body.testSuites().get(i);
      require(
          "testSuites[" + i + "]",
          s != null
              && s.name() != null
              && !s.name().isBlank()
              && s.image() != null
              && !s.image().isBlank(),
          "needs a name and an image");
    }
    int attempt = runs.nextAttempt(body.ticketId(), body.revision());
    TestRun run =
        runs.request(
            new TestRunRequested(
                body.ticketId(),
                body.revision(),
                UUID.randomUUID().toString(),
                attempt,
                body.image(),
                body.targets(),
                body.testSuites(),
                identity.getPrincipal().getName(),
                Instant.now()));
    executor.wake();
    return TestRunView.of(run);
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
      throw ApiException.badRequest(field, reason);
    }
  }
}
