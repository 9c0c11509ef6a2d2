package dev.patchops.rollout.canary;

import dev.patchops.contract.events.RolloutStartRefused;
import dev.patchops.contract.model.CanaryStep;
import dev.patchops.contract.model.RolloutOrigin;
import dev.patchops.contract.model.WorkloadRef;
import dev.patchops.platform.messaging.Outbox;
import dev.patchops.platform.rest.ApiException;
import dev.patchops.rollout.canary.k8s.WorkloadOps;
import dev.patchops.rollout.config.RolloutConfig;
import dev.patchops.rollout.gate.GateRecords;
import dev.patchops.rollout.gate.StartGate;
import dev.patchops.rollout.gate.StartRefused;
import dev.patchops.rollout.gate.TargetNamespaces;
import dev.patchops.rollout.notify.Notifier;
import dev.patchops.rollout.policy.PolicyFloor;
import dev.patchops.rollout.policy.RolloutPolicies;
import dev.patchops.rollout.policy.RolloutPolicy;
import dev.patchops.rollout.scaling.CanaryScale;
import io.fabric8.kubernetes.client.KubernetesClientException;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.transaction.Transactional;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jboss.logging.Logger;

/**
 * How a rollout comes to exist: every start (approval event, REST, PatchRollout) passes the start
 * gate and the workload's policy here, and either becomes a PENDING rollout or is refused with the
 * refusal in the trail. From PENDING on, {@link RolloutService} owns its transitions.
 */
@ApplicationScoped
public class RolloutStarts {
  private static final Logger LOG = Logger.getLogger(RolloutStarts.class);

  @Inject RolloutService rollouts;
  @Inject Outbox outbox;
  @Inject RolloutConfig config;
  @Inject Notifier notifier;
  @Inject GateRecords gateRecords;
  @Inject RolloutPolicies policies;
  @Inject WorkloadOps ops;

  /** A request to roll a patched image out to one Deployment. */
  public record StartRollout(
      String id,
      String ticketId,
      int revision,
      String image,
      String namespace,
      String deployment,
      List<String> containers,
      List<CanaryStep> steps,
      String httpRoute,
      AnalysisSpec analysis,
      RolloutOrigin origin,
      String startedBy,
      String crName,
      long crGeneration,
      Emergency emergency) {
    /** The start gate's view of it. */
    StartGate.Request gateRequest() {
      return new StartGate.Request(
          ticketId,
          revision,
          image,
          namespace,
          deployment,
          containers,
          origin,
          startedBy,
          emergency != null,
          emergency == null ? null : emergency.reason(),
          emergency != null && emergency.authorised());
    }
  }

  /**
   * A start asked for around the approval and freeze gates: whether the person holds an emergency
   * role (as the edge that authenticated them knows it) and the reason they gave.
   */
  public record Emergency(boolean authorised, String reason) {}

  /** The outcome of a start: the rollout, and whether this call created it. */
  public record Started(Rollout rollout, boolean created) {}

  /**
   * Starts a rollout once, if the start gate lets it. The same id again (a redelivered event)
   * returns the first; a start the gate refuses is announced ({@code rollout.start-refused}, kept
   * in this transaction) and raised as {@link StartRefused}; another active rollout of the workload
   * refuses it with the reason.
   */
  @Transactional(dontRollbackOn = StartRefused.class)
  public Started start(StartRollout request) {
    Rollout existing = Rollout.findById(request.id());
    if (existing != null) {
      return new Started(existing, false);
    }
    Governed governed = governed(request);
    StartGate.Decision decision = gate(request, governed);
    if (!decision.allowed()) {
      startRefused(request, decision);
      throw new StartRefused(request.id(), decision.refusals());
    }
    Optional<Rollout> active = rollouts.activeFor(request.namespace(), request.deployment());
    if (active.isPresent()) {
      throw ApiException.conflict(
          "rollout-active",
          "workload "
              + request.namespace()
              + "/"
              + request.deployment()
              + " already has active rollout "
              + active.get().id
              + " (ticket "
              + active.get().ticketId
              + ", phase "
              + active.get().phase
              + ")");
    }
    Rollout r = rolloutOf(request, RolloutPhase.PENDING, "recording checkpoint");
    r.origin = decision.origin();
    governed.applyTo(r, this);
    r.persistAndFlush();
    return new Started(r, true);
  }

  /**
   * The start of an approval event, which has no caller to answer: a start the gate refuses is
   * announced and kept as a REFUSED rollout, so the ticket learns that nothing changed.
   *
   * @return whether the gate let it through (it may still be refused for a busy workload)
   */
  @Transactional(Transactional.TxType.MANDATORY)
  public boolean admitsApproval(StartRollout request) {
    if (Rollout.findById(request.id()) != null) {
      return true;
    }
    StartGate.Decision decision = gate(request, governed(request));
    if (decision.allowed()) {
      return true;
    }
    startRefused(request, decision);
    refuse(request, new StartRefused(request.id(), decision.refusals()).getMessage());
    return false;
  }

  /**
   * The workload's policy and what the request becomes under it (see {@link PolicyFloor}).
   *
   * @param refusal why the policy forbids the start; null when it allows it
   */
  record Governed(RolloutPolicies.Resolution resolution, PolicyFloor.Effective effective) {
    String refusal() {
      if (resolution.refusal() != null) {
        return resolution.refusal();
      }
      return effective.refused() ? String.join("; ", effective.refusals()) : null;
    }

    void applyTo(Rollout r, RolloutStarts starts) {
      r.steps = effective.steps() == null ? starts.defaultSteps() : List.copyOf(effective.steps());
      r.analysis = effective.analysis();
      r.httpRoute = effective.httpRoute();
      RolloutPolicy p = resolution.policy();
      if (p != null) {
        r.policyName = p.name();
        r.policyGeneration = p.generation();
        r.policyReason = resolution.reason();
        r.watchWindowSeconds = p.watchWindow() == null ? null : p.watchWindow().toSeconds();
        r.revertSeverities =
            p.revertSeverities().isEmpty()
                ? null
                : p.revertSeverities().stream().map(Enum::name).toList();
        r.restoreConfigDrift = p.restoreConfigDrift();
      }
    }
  }

  private Governed governed(StartRollout request) {
    RolloutPolicies.Resolution resolution =
        policies.resolve(request.namespace(), request.deployment());
    return new Governed(
        resolution,
        PolicyFloor.apply(
            resolution.policy(), request.steps(), request.analysis(), request.httpRoute()));
  }

  /**
   * The gate's decision on the approvals, earlier rollouts and freezes this service knows, and on
   * the workload's policy.
   */
  private StartGate.Decision gate(StartRollout request, Governed governed) {
    Instant now = Instant.now();
    List<StartGate.ApprovedTarget> approvals =
        request.ticketId() == null
            ? List.of()
            : gateRecords.approvalsOf(request.ticketId(), request.revision()).stream()
                .map(a -> a.target())
                .toList();
    List<StartGate.PriorRollout> prior =
        Rollout.<Rollout>find(
                "ticketId = ?1 and revision = ?2 and image = ?3 and namespace = ?4"
                    + " and deployment = ?5 and phase not in ?6 and id <> ?7 order by createdAt",
                request.ticketId(),
                request.revision(),
                request.image(),
                request.namespace(),
                request.deployment(),
                List.of(RolloutPhase.REFUSED, RolloutPhase.FAILED),
                request.id())
            .list()
            .stream()
            .map(r -> new StartGate.PriorRollout(r.id, r.phase.name()))
            .toList();
    StartGate.Decision decision =
        StartGate.decide(request.gateRequest(), approvals, prior, gateRecords.freezes(now), now);
    // Before every other gate and on every path, the emergency one included: no approval or role
    // makes PatchOps' own namespace, kube-* or an unlisted namespace a target.
    Optional<StartGate.Refusal> where =
        TargetNamespaces.refusal(
            config.targetNamespaces().orElse(List.of()),
            config.leader().namespace().orElse(TargetNamespaces.PATCHOPS),
            request.namespace());
    String policyRefusal = governed.refusal();
    // Only where the service may look: a namespace refused above is not read at all. The plan
    // checked is the one that will run: the request as its policy shapes it.
    Optional<StartGate.Refusal> weights =
        where.isEmpty() ? honestWeights(request, governed.effective()) : Optional.empty();
    if (where.isEmpty() && policyRefusal == null && weights.isEmpty()) {
      return decision;
    }
    List<StartGate.Refusal> refusals = new ArrayList<>();
    where.ifPresent(refusals::add);
    refusals.addAll(decision.refusals());
    if (policyRefusal != null) {
      refusals.add(new StartGate.Refusal(StartGate.Gate.POLICY, policyRefusal));
    }
    weights.ifPresent(refusals::add);
    return new StartGate.Decision(List.copyOf(refusals), decision.origin(), decision.approval());
  }

  /**
   * A plan whose step no canary size can come close to on the workload as it stands is refused
   * before anything changes. A Deployment that is missing or cannot be read is left to the
   * checkpoint, which fails the start with the reason and checks the plan again.
   */
  private Optional<StartGate.Refusal> honestWeights(
      StartRollout request, PolicyFloor.Effective plan) {
    WorkloadOps.ScaleBasis basis;
    try {
      basis = ops.scaleBasis(request.namespace(), request.deployment());
    } catch (KubernetesClientException e) {
      LOG.infof(
          "start of %s: replicas of %s/%s not read (%d); checked at the checkpoint",
          request.id(), request.namespace(), request.deployment(), e.getCode());
      return Optional.empty();
    }
    if (basis == null) {
      return Optional.empty();
    }
    List<CanaryStep> steps =
        plan.steps() == null || plan.steps().isEmpty() ? defaultSteps() : plan.steps();
    return CanaryScale.refusal(
            steps,
            basis.replicas(),
            plan.httpRoute() != null,
            rollouts.maxExtraStable(basis.autoscaler()),
            config.canaryScale().weightTolerance())
        .map(reason -> new StartGate.Refusal(StartGate.Gate.CANARY_WEIGHT, reason));
  }

  /** The refusal in the trail: who tried, by which path, what, and which gate said no. */
  private void startRefused(StartRollout request, StartGate.Decision decision) {
    StartRefused refused = new StartRefused(request.id(), decision.refusals());
    LOG.infof(
        "start of %s refused (%s by %s): %s",
        request.id(), decision.origin(), request.startedBy(), refused.getMessage());
    outbox.publish(
        new RolloutStartRefused(
            request.ticketId(),
            request.id(),
            request.crName(),
            new WorkloadRef(
                request.namespace(), RolloutService.WORKLOAD_KIND, request.deployment()),
            request.image(),
            request.revision(),
            decision.origin(),
            request.startedBy(),
            refused.gate().id(),
            refused.getMessage(),
            Instant.now()),
        "rollouts/" + request.id(),
        request.startedBy());
  }

  /** A refusal that has no caller to answer (an event): kept, so it shows in the API and CRs. */
  @Transactional
  public Rollout refuse(StartRollout request, String reason) {
    Rollout existing = Rollout.findById(request.id());
    if (existing != null) {
      return existing;
    }
    Rollout r = rolloutOf(request, RolloutPhase.REFUSED, reason);
    r.finishedAt = r.createdAt;
    r.persist();
    rollouts.notStarted(r, reason);
    notifier.queue(r.id, Notifier.Kind.REFUSED, r.ticketId, "rollout refused: " + reason, Map.of());
    return r;
  }

  private Rollout rolloutOf(StartRollout request, RolloutPhase phase, String message) {
    Rollout r = new Rollout();
    r.id = request.id();
    r.ticketId = request.ticketId();
    r.revision = request.revision();
    r.image = request.image();
    r.namespace = request.namespace();
    r.deployment = request.deployment();
    r.containers = List.copyOf(request.containers());
    r.steps =
        request.steps() == null || request.steps().isEmpty()
            ? defaultSteps()
            : List.copyOf(request.steps());
    r.httpRoute = request.httpRoute();
    r.analysis = request.analysis() == null ? AnalysisSpec.DEFAULTS : request.analysis();
    r.origin = request.origin();
    r.emergencyReason = request.emergency() == null ? null : request.emergency().reason();
    r.startedBy = request.startedBy();
    r.crName = request.crName();
    r.crGeneration = request.crGeneration();
    r.moveTo(phase);
    r.message = message;
    r.createdAt = Instant.now();
    r.updatedAt = r.createdAt;
    return r;
  }

  List<CanaryStep> defaultSteps() {
    List<CanaryStep> steps = new ArrayList<>();
    for (String s : config.defaultSteps()) {
      String[] parts = s.split(":");
      steps.add(
          new CanaryStep(
              Integer.parseInt(parts[0].trim()),
              (int) Duration.parse("PT" + parts[1].trim().toUpperCase()).toSeconds()));
    }
    return steps;
  }
}
