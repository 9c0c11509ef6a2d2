package dev.patchops.rollout.policy;

import dev.patchops.contract.model.CanaryStep;
import dev.patchops.contract.model.RolloutPolicyRef;
import dev.patchops.contract.model.Severity;
import dev.patchops.rollout.canary.AnalysisSpec;
import dev.patchops.rollout.canary.k8s.PatchRolloutSpec;
import io.fabric8.kubernetes.api.model.LabelSelector;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * A PatchRolloutPolicy as the service reads it: what it selects and what it holds rollouts to. Null
 * or empty fields leave the choice to the request, then to the service's defaults.
 *
 * @param traffic null: the policy does not decide the traffic mode
 */
public record RolloutPolicy(
    String name,
    long generation,
    Instant createdAt,
    LabelSelector selector,
    List<String> deployments,
    List<CanaryStep> steps,
    AnalysisSpec analysis,
    Traffic traffic,
    Duration watchWindow,
    List<Severity> revertSeverities,
    boolean restoreConfigDrift) {

  /** A policy that keeps configuration changed by others during a rollout (the default). */
  public RolloutPolicy(
      String name,
      long generation,
      Instant createdAt,
      LabelSelector selector,
      List<String> deployments,
      List<CanaryStep> steps,
      AnalysisSpec analysis,
      Traffic traffic,
      Duration watchWindow,
      List<Severity> revertSeverities) {
    this(
        name,
        generation,
        createdAt,
        selector,
        deployments,
        steps,
        analysis,
        traffic,
        watchWindow,
        revertSeverities,
        false);
  }

  /** Replica ratio ({@code httpRoute} null) or Gateway API with the HTTPRoute named. */
  public record Traffic(boolean gateway, String httpRoute) {}

  public static RolloutPolicy of(PatchRolloutPolicy cr) {
    PatchRolloutPolicySpec spec =
        cr.getSpec() == null ? new PatchRolloutPolicySpec() : cr.getSpec();
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
    String created = cr.getMetadata().getCreationTimestamp();
    return new RolloutPolicy(
        cr.getMetadata().getName(),
        Objects.requireNonNullElse(cr.getMetadata().getGeneration(), 1L),
        created == null ? Instant.EPOCH : Instant.parse(created),
        spec.selector,
        spec.deployments == null ? List.of() : List.copyOf(spec.deployments),
        spec.steps == null
            ? List.of()
            : spec.steps.stream().map(s -> new CanaryStep(s.weight, s.pauseSeconds)).toList(),
        analysis,
        spec.traffic == null || spec.traffic.mode == null
            ? null
            : new Traffic(
                spec.traffic.mode == PatchRolloutPolicySpec.Mode.GATEWAY_API,
                spec.traffic.httpRoute),
        spec.watchWindowSeconds == null ? null : Duration.ofSeconds(spec.watchWindowSeconds),
        spec.revertSeverities == null ? List.of() : List.copyOf(spec.revertSeverities),
        spec.configDrift == PatchRolloutPolicySpec.ConfigDrift.RESTORE);
  }

  public RolloutPolicyRef ref(String reason) {
    return new RolloutPolicyRef(name, generation, reason);
  }
}
