package dev.patchops.rollout.rollout;

import java.util.List;

/**
 * How a rollout's steps are judged. Null fields take the service defaults; see {@code
 * RolloutConfig}.
 */
public record AnalysisSpec(
    Integer progressDeadlineSeconds,
    Integer maxRestarts,
    String prometheusUrl,
    List<MetricQuery> queries) {

  public static final AnalysisSpec DEFAULTS = new AnalysisSpec(null, null, null, List.of());

  /**
   * An instant query whose value must stay within {@code min}/{@code max}; {@code {{namespace}}}
   * and {@code {{canary}}} are filled in.
   */
  public record MetricQuery(String name, String query, Double min, Double max) {}

  public List<MetricQuery> queriesOrEmpty() {
    return queries == null ? List.of() : queries;
  }
}
