package dev.patchops.rollout.canary.k8s;

import dev.patchops.contract.model.CanaryStep;
import dev.patchops.contract.model.RolloutOrigin;
import dev.patchops.platform.rest.ApiException;
import dev.patchops.rollout.canary.AnalysisSpec;
import dev.patchops.rollout.canary.Rollout;
import dev.patchops.rollout.canary.RolloutMetrics;
import dev.patchops.rollout.canary.RolloutPhase;
import dev.patchops.rollout.canary.RolloutRequests;
import dev.patchops.rollout.canary.RolloutService;
import dev.patchops.rollout.canary.RolloutStarts;
import dev.patchops.rollout.config.RolloutConfig;
import dev.patchops.rollout.gate.StartRefused;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.List;
import java.util.Objects;
import org.jboss.logging.Logger;

/**
 * What a PatchRollout applied, changed or deleted with kubectl asks for: a new resource is a start
 * (through the same gate as every other), a changed one a command (pause, resume, promote, abort)
 * for the rollout it started, a deleted one an abort.
 */
@ApplicationScoped
public class PatchRolloutCommands {
  private static final Logger LOG = Logger.getLogger(PatchRolloutCommands.class);

  @Inject RolloutService rollouts;
  @Inject RolloutStarts starts;
  @Inject RolloutResources resources;
  @Inject RolloutConfig config;
  @Inject RolloutMetrics metrics;

  /** A PatchRollout applied, changed or deleted with kubectl. */
  public void handle(RolloutResources.Seen seen, Runnable wake) {
    PatchRollout cr = seen.resource();
    String ns = cr.getMetadata().getNamespace();
    Rollout r = rollouts.byResource(ns, cr.getMetadata().getName());
    if (seen.deleted()) {
      if (r != null && r.phase.revertible()) {
        // A delete carries no annotation of its deleter: the trail says so, and names who last
        // changed the resource.
        rollouts.command(
            r.id,
            RolloutService.Command.ABORT,
            "kubectl (PatchRollout deleted; last changed by "
                + RolloutResources.requestedBy(cr)
                + ")");
      }
      return;
    }
    long generation = Objects.requireNonNullElse(cr.getMetadata().getGeneration(), 1L);
    if (r == null) {
      if (cr.getStatus() != null && cr.getStatus().rolloutId != null) {
        return;
      }
      if (cr.getStatus() != null
          && RolloutPhase.REFUSED.name().equals(cr.getStatus().phase)
          && Objects.equals(cr.getStatus().observedGeneration, cr.getMetadata().getGeneration())) {
        // Refused as it stands (and recorded then): only a changed spec is asked again.
        return;
      }
      startFrom(cr, wake);
      return;
    }
    if (generation <= r.crGeneration) {
      return;
    }
    PatchRolloutSpec spec = cr.getSpec();
    String actor = RolloutResources.requestedBy(cr);
    boolean paused = Boolean.TRUE.equals(spec.paused);
    // Only what changed in the resource is a command; a REST pause stays until the spec says so.
    boolean pausedChanged = r.crPausedSeen == null ? paused != r.paused : paused != r.crPausedSeen;
    tryCommand(
        r,
        pausedChanged,
        paused ? RolloutService.Command.PAUSE : RolloutService.Command.RESUME,
        actor);
    if (spec.promote != null && !spec.promote.isBlank() && !spec.promote.equals(r.crPromoteSeen)) {
      tryCommand(
          r,
          true,
          "full".equalsIgnoreCase(spec.promote)
              ? RolloutService.Command.PROMOTE_FULL
              : RolloutService.Command.PROMOTE,
          actor);
    }
    if (Boolean.TRUE.equals(spec.abort)) {
      tryCommand(r, true, RolloutService.Command.ABORT, actor);
    }
    rollouts.resourceSeen(r.id, generation, spec.promote, paused);
  }

  private void tryCommand(Rollout r, boolean needed, RolloutService.Command command, String actor) {
    if (!needed) {
      return;
    }
    try {
      rollouts.command(r.id, command, actor);
    } catch (ApiException e) {
      LOG.infof("PatchRollout of %s: %s ignored: %s", r.id, command, e.getMessage());
    }
  }

  private void startFrom(PatchRollout cr, Runnable wake) {
    PatchRolloutSpec spec = cr.getSpec();
    String emergencyReason = RolloutResources.emergencyReason(cr);
    List<CanaryStep> steps =
        spec.steps == null
            ? List.of()
            : spec.steps.stream().map(s -> new CanaryStep(s.weight, s.pauseSeconds)).toList();
    AnalysisSpec analysis =
        spec.analysis == null
            ? AnalysisSpec.DEFAULTS
            : new AnalysisSpec(
                spec.analysis.progressDeadlineSeconds,
                spec.analysis.maxRestarts,
                spec.analysis.prometheusUrl,
                spec.analysis.queries == null
                    ? List.of()
                    : spec.analysis.queries.stream()
                        .map(q -> new AnalysisSpec.MetricQuery(q.name, q.query, q.min, q.max))
                        .toList(),
                PatchRolloutSpec.Comparison.toSpec(spec.analysis.comparisons),
                spec.analysis.passScore,
                spec.analysis.marginalScore);
    var request =
        new RolloutStarts.StartRollout(
            // The whole uid: the API server's uids are unique, their prefixes need not be.
            "ro-" + cr.getMetadata().getUid().replace("-", ""),
            spec.ticketId,
            spec.revision == null ? 1 : spec.revision,
            spec.image,
            cr.getMetadata().getNamespace(),
            spec.deployment,
            spec.containers,
            steps,
            spec.httpRoute,
            analysis,
            RolloutOrigin.KUBECTL,
            RolloutResources.requestedBy(cr),
            cr.getMetadata().getName(),
            Objects.requireNonNullElse(cr.getMetadata().getGeneration(), 1L),
            emergencyReason == null
                ? null
                // Admission let only a holder of the emergency verb set the reason.
                : new RolloutStarts.Emergency(true, emergencyReason));
    try {
      RolloutRequests.validate(request, config.prometheusUrls());
      starts.start(request);
      wake.run();
    } catch (StartRefused e) {
      // Already in the trail (rollout.start-refused); the cluster is left as it is.
      resources.writeRefusal(cr, e.gate().id(), e.getMessage());
      metrics.outcome("refused");
    } catch (ApiException e) {
      resources.writeRefusal(cr, e.problemType(), e.getMessage());
      metrics.outcome("refused");
    }
  }
}
