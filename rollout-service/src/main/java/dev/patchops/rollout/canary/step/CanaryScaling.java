package dev.patchops.rollout.canary.step;

import dev.patchops.contract.model.AnalysisEvidence;
import dev.patchops.contract.model.CanaryStep;
import dev.patchops.rollout.canary.Rollout;
import dev.patchops.rollout.canary.RolloutService;
import dev.patchops.rollout.canary.analysis.PodRules;
import dev.patchops.rollout.canary.k8s.Labels;
import dev.patchops.rollout.canary.k8s.WorkloadOps;
import dev.patchops.rollout.checkpoint.Snapshot;
import dev.patchops.rollout.scaling.CanaryScale;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The first part of a step: the canary (and, where the plan needs them, extra stable replicas) at
 * the step's size, and whether their Pods are ready and runnable. It decides nothing about the
 * patch's quality; that is the analysis.
 */
@ApplicationScoped
public class CanaryScaling {
  @Inject WorkloadOps ops;
  @Inject RolloutService rollouts;

  /** Where a step's Pods stand; {@code failure} set when the step must fail, with its evidence. */
  public record Readiness(List<AnalysisEvidence> evidence, String failure, boolean ready) {}

  /**
   * A Deployment named like this rollout's canary that another rollout or a person made: the step
   * fails rather than take it over. Null when there is none.
   */
  public Readiness ownerConflict(Rollout r) {
    String foreign = ops.foreignCanary(r);
    if (foreign == null) {
      return null;
    }
    return new Readiness(
        List.of(
            new AnalysisEvidence(
                "canary-owner",
                r.namespace + "/" + foreign,
                "not made by this rollout",
                Labels.ROLLOUT + "=" + r.id,
                false)),
        "Deployment " + foreign + " exists and is not this rollout's canary; it is left alone",
        false);
  }

  /** Writes the step's sizes; the plan they came from. */
  public CanaryScale.Plan scale(Rollout r, Snapshot checkpoint) {
    CanaryScale.Plan plan = planOf(r, r.currentStep(), checkpoint);
    if (scalesStable(r)) {
      ops.ensureStableReplicas(r, plan.stableReplicas());
    }
    ops.ensureCanary(r, checkpoint, plan.canaryReplicas());
    return plan;
  }

  /**
   * Whether the step's Pods are ready: the canary's, and the stable replicas the plan added (the
   * share is honest only once they serve too). Restarts and containers that cannot run fail the
   * step at once; not being ready fails it only after {@code deadline}.
   */
  public Readiness readiness(
      Rollout r, CanaryScale.Plan plan, Duration deadline, int maxRestarts, Instant now) {
    List<AnalysisEvidence> evidence = new ArrayList<>();
    WorkloadOps.CanaryHealth health = ops.canaryHealth(r);
    Duration elapsed = Duration.between(r.stepStartedAt, now);
    evidence.add(
        new AnalysisEvidence(
            "canary-ready",
            r.namespace + "/" + r.canaryName(),
            health.ready() + "/" + health.desired() + " ready after " + elapsed.toMillis() + " ms",
            "all within " + deadline.toSeconds() + " s",
            health.ready() >= health.desired()));
    PodRules.Verdict pods =
        PodRules.runnable(
            "canary",
            r.namespace + "/" + r.canaryName(),
            r.canaryName(),
            health.restarts(),
            health.stuck(),
            maxRestarts);
    evidence.addAll(pods.evidence());
    if (pods.failed()) {
      return new Readiness(evidence, pods.failure(), false);
    }
    int stableReady = plan.extraStable() > 0 ? ops.stableReady(r) : plan.stableReplicas();
    if (health.ready() >= health.desired() && stableReady >= plan.stableReplicas()) {
      return new Readiness(evidence, null, true);
    }
    if (stableReady < plan.stableReplicas()) {
      evidence.add(
          new AnalysisEvidence(
              "stable-ready",
              r.namespace + "/" + r.deployment,
              stableReady + "/" + plan.stableReplicas() + " ready",
              "all within " + deadline.toSeconds() + " s",
              false));
    }
    String failure =
        elapsed.compareTo(deadline) > 0
            ? "canary not ready within "
                + deadline.toSeconds()
                + " s ("
                + health.ready()
                + "/"
                + health.desired()
                + ")"
            : null;
    return new Readiness(evidence, failure, false);
  }

  /**
   * Whether any step of the rollout adds stable replicas: only then does the rollout write the
   * stable Deployment's replica count (and put it back at promotion). Otherwise the count stays
   * whoever's it is.
   */
  public boolean scalesStable(Rollout r) {
    if (r.httpRoute != null || r.baseReplicas == null) {
      return false;
    }
    for (CanaryStep s : r.steps) {
      CanaryScale.Plan p = s.weight() >= 100 ? null : rollouts.plan(r, s);
      if (p != null && p.extraStable() > 0) {
        return true;
      }
    }
    return false;
  }

  /**
   * The step's sizes. A rollout checkpointed before honest weights has no recorded replicas: it is
   * sized from its checkpoint, without extra stable replicas, as it was planned then.
   */
  private CanaryScale.Plan planOf(Rollout r, CanaryStep step, Snapshot checkpoint) {
    CanaryScale.Plan plan = rollouts.plan(r, step);
    if (plan != null) {
      return plan;
    }
    int base = Objects.requireNonNullElse(checkpoint.deployment().getSpec().getReplicas(), 1);
    return CanaryScale.plan(base, step.weight(), r.httpRoute != null, 0, 100);
  }
}
