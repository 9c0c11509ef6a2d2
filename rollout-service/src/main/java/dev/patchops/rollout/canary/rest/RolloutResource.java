package dev.patchops.rollout.canary.rest;

import dev.patchops.contract.model.AnalysisEvidence;
import dev.patchops.contract.model.CanaryStep;
import dev.patchops.contract.model.RevertTrigger;
import dev.patchops.contract.model.RolloutOrigin;
import dev.patchops.contract.model.RolloutPolicyRef;
import dev.patchops.platform.rest.ApiException;
import dev.patchops.platform.rest.Problem;
import dev.patchops.platform.security.Roles;
import dev.patchops.rollout.canary.AnalysisSpec;
import dev.patchops.rollout.canary.Rollout;
import dev.patchops.rollout.canary.RolloutEngine;
import dev.patchops.rollout.canary.RolloutPhase;
import dev.patchops.rollout.canary.RolloutRequests;
import dev.patchops.rollout.canary.RolloutService;
import dev.patchops.rollout.canary.RolloutStarts;
import dev.patchops.rollout.checkpoint.Checkpoint;
import dev.patchops.rollout.gate.StartGate;
import dev.patchops.rollout.gate.StartRefused;
import io.quarkus.security.identity.SecurityIdentity;
import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import jakarta.persistence.PersistenceException;
import jakarta.transaction.Transactional;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.jboss.resteasy.reactive.ResponseStatus;

@Path("/api/v1/rollouts")
@Produces(MediaType.APPLICATION_JSON)
public class RolloutResource {

  public record CreateRollout(
      String ticketId,
      Integer revision,
      String image,
      String namespace,
      String deployment,
      List<String> containers,
      List<CanaryStep> steps,
      String httpRoute,
      AnalysisSpec analysis,
      Boolean emergency,
      String emergencyReason) {}

  public record CheckpointView(
      String id, String specHash, Map<String, String> configHashes, Instant recordedAt) {}

  public record RolloutView(
      String id,
      String ticketId,
      int revision,
      String namespace,
      String deployment,
      List<String> containers,
      String image,
      String httpRoute,
      List<CanaryStep> steps,
      RolloutPhase phase,
      int step,
      boolean paused,
      String message,
      RevertTrigger revertTrigger,
      String revertReason,
      List<AnalysisEvidence> revertEvidence,
      Instant watchUntil,
      String resource,
      RolloutOrigin origin,
      String startedBy,
      String emergencyReason,
      CheckpointView checkpoint,
      Instant createdAt,
      Instant finishedAt,
      RolloutPolicyRef policy) {
    static RolloutView of(Rollout r, Checkpoint cp) {
      return new RolloutView(
          r.id,
          r.ticketId,
          r.revision,
          r.namespace,
          r.deployment,
          r.containers,
          r.image,
          r.httpRoute,
          r.steps,
          r.phase,
          r.stepIndex + 1,
          r.paused,
          r.message,
          r.revertTrigger,
          r.revertReason,
          r.revertEvidence,
          r.watchUntil,
          r.crName,
          r.origin,
          r.startedBy,
          r.emergencyReason,
          cp == null
              ? null
              : new CheckpointView(cp.id, cp.specHash, cp.configHashes, cp.recordedAt),
          r.createdAt,
          r.finishedAt,
          r.policy());
    }
  }

  @Inject RolloutService rollouts;
  @Inject RolloutStarts starts;
  @Inject RolloutEngine engine;
  @Inject SecurityIdentity identity;
  @Inject dev.patchops.rollout.config.RolloutConfig config;

  @POST
  @Consumes(MediaType.APPLICATION_JSON)
  @ResponseStatus(201)
  @RolesAllowed({Roles.SRE, Roles.ADMIN})
  public RolloutView create(CreateRollout body) {
    if (body == null) {
      throw ApiException.badRequest("body", "is required");
    }
    var request =
        new RolloutStarts.StartRollout(
            "ro-" + UUID.randomUUID().toString().replace("-", "").substring(0, 16),
            body.ticketId(),
            body.revision() == null ? 0 : body.revision(),
            body.image(),
            body.namespace(),
            body.deployment(),
            body.containers(),
            body.steps(),
            body.httpRoute(),
            body.analysis(),
            RolloutOrigin.REST,
            identity.getPrincipal().getName(),
            null,
            0,
            Boolean.TRUE.equals(body.emergency())
                ? new RolloutStarts.Emergency(
                    identity.hasRole(Roles.SRE) || identity.hasRole(Roles.ADMIN),
                    body.emergencyReason())
                : null);
    RolloutRequests.validate(request, config.prometheusUrls());
    Rollout r;
    try {
      r = starts.start(request).rollout();
    } catch (StartRefused refused) {
      throw problem(refused);
    } catch (PersistenceException e) {
      if (!uniqueViolation(e)) {
        throw e;
      }
      // Two starts for one workload raced; the unique index let exactly one through.
      throw ApiException.conflict(
          "rollout-active",
          "workload "
              + body.namespace()
              + "/"
              + body.deployment()
              + " already has an active rollout");
    }
    engine.wake();
    return RolloutView.of(r, null);
  }

  /**
   * The edge's rendering of a refused start: 403 for a missing emergency role, 400 for a missing
   * reason or a namespace PatchOps may not touch, 422 for steps the workload cannot honour, else
   * 409 (the process does not allow it now); each refusal names the field it is about.
   */
  static ApiException problem(StartRefused refused) {
    int status =
        switch (refused.gate()) {
          case EMERGENCY_ROLE, PROTECTED_NAMESPACE, TARGET_NAMESPACE -> 403;
          case EMERGENCY_REASON -> 400;
          case CANARY_WEIGHT -> 422;
          default -> 409;
        };
    return new ApiException(
        status,
        "start-refused/" + refused.gate().id(),
        "Rollout start refused",
        refused.getMessage(),
        refused.refusals().stream()
            .map(r -> new Problem.Violation(field(r.gate()), r.reason()))
            .toList());
  }

  private static String field(StartGate.Gate gate) {
    return switch (gate) {
      case APPROVAL, REPLAY -> "revision";
      case APPROVED_IMAGE -> "image";
      case APPROVED_TARGET -> "deployment";
      case CHANGE_FREEZE -> "start";
      case EMERGENCY_ROLE -> "emergency";
      case EMERGENCY_REASON -> "emergencyReason";
      case PROTECTED_NAMESPACE, TARGET_NAMESPACE -> "namespace";
      case POLICY -> "policy";
      case CANARY_WEIGHT -> "steps";
    };
  }

  private static boolean uniqueViolation(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof java.sql.SQLException sql && "23505".equals(sql.getSQLState())) {
        return true;
      }
    }
    return false;
  }

  @GET
  @RolesAllowed(Roles.MEMBER)
  @Transactional
  public List<RolloutView> list(
      @QueryParam("phase") String phase, @QueryParam("ticketId") String ticketId) {
    RolloutPhase p = null;
    if (phase != null) {
      try {
        p = RolloutPhase.valueOf(phase.toUpperCase());
      } catch (IllegalArgumentException e) {
        throw ApiException.badRequest("phase", "must be one of " + List.of(RolloutPhase.values()));
      }
    }
    StringBuilder q = new StringBuilder("1 = 1");
    Map<String, Object> params = new java.util.HashMap<>();
    if (p != null) {
      q.append(" and phase = :phase");
      params.put("phase", p);
    }
    if (ticketId != null) {
      q.append(" and ticketId = :ticketId");
      params.put("ticketId", ticketId);
    }
    List<Rollout> page =
        Rollout.<Rollout>find(q + " order by createdAt desc", params).page(0, 200).list();
    // The list shows what a GET of each shows: its checkpoint, read for the whole page at once.
    Map<String, Checkpoint> checkpoints = new java.util.HashMap<>();
    if (!page.isEmpty()) {
      Checkpoint.<Checkpoint>list("rolloutId in ?1", page.stream().map(r -> r.id).toList())
          .forEach(cp -> checkpoints.putIfAbsent(cp.rolloutId, cp));
    }
    return page.stream().map(r -> RolloutView.of(r, checkpoints.get(r.id))).toList();
  }

  @GET
  @Path("/{id}")
  @RolesAllowed(Roles.MEMBER)
  @Transactional
  public RolloutView get(@PathParam("id") String id) {
    Rollout r = Rollout.findById(id);
    if (r == null) {
      throw ApiException.notFound("rollout " + id);
    }
    return RolloutView.of(r, Checkpoint.find("rolloutId", id).firstResult());
  }

  @POST
  @Path("/{id}/pause")
  @RolesAllowed({Roles.SRE, Roles.ADMIN})
  public RolloutView pause(@PathParam("id") String id) {
    return command(id, RolloutService.Command.PAUSE);
  }

  @POST
  @Path("/{id}/resume")
  @RolesAllowed({Roles.SRE, Roles.ADMIN})
  public RolloutView resume(@PathParam("id") String id) {
    return command(id, RolloutService.Command.RESUME);
  }

  /** Passes the current step; with {@code full=true}, every remaining step. */
  @POST
  @Path("/{id}/promote")
  @RolesAllowed({Roles.SRE, Roles.ADMIN})
  public RolloutView promote(@PathParam("id") String id, @QueryParam("full") boolean full) {
    return command(id, full ? RolloutService.Command.PROMOTE_FULL : RolloutService.Command.PROMOTE);
  }

  @POST
  @Path("/{id}/abort")
  @RolesAllowed({Roles.SRE, Roles.ADMIN, Roles.ENGINEER})
  public RolloutView abort(@PathParam("id") String id) {
    return command(id, RolloutService.Command.ABORT);
  }

  private RolloutView command(String id, RolloutService.Command command) {
    rollouts.command(id, command, identity.getPrincipal().getName());
    engine.wake();
    return get(id);
  }
}
