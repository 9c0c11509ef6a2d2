package dev.patchops.rollout.canary;

import java.util.List;

/**
 * How a rollout's steps are judged. Null fields take the service defaults; see {@code
 * RolloutConfig} and {@code Judge}.
 */
public record AnalysisSpec(
    Integer progressDeadlineSeconds,
    Integer maxRestarts,
    String prometheusUrl,
    List<MetricQuery> queries,
    List<Comparison> comparisons,
    Double passScore,
    Double marginalScore) {

  public static final AnalysisSpec DEFAULTS = new AnalysisSpec(null, null, null, List.of());

  /** Bounded queries only, as before comparisons existed. */
  public AnalysisSpec(
      Integer progressDeadlineSeconds,
      Integer maxRestarts,
      String prometheusUrl,
      List<MetricQuery> queries) {
    this(progressDeadlineSeconds, maxRestarts, prometheusUrl, queries, List.of(), null, null);
  }

  /**
   * An instant query whose value must stay within {@code min}/{@code max} in every series; {@code
   * {{namespace}}} and {@code {{canary}}} are filled in. The queries run on in the watch window
   * after promotion, where {@code {{canary}}} is the stable Deployment, which runs the patch then.
   */
  public record MetricQuery(String name, String query, Double min, Double max) {}

  /**
   * A canary-versus-stable comparison for the statistical judge. The query is a range query run
   * twice over the step's window, once per side, with {@code {{namespace}}}, {@code {{deployment}}}
   * (the side's Deployment: the canary's, or the stable one) and {@code {{pods}}} (a regular
   * expression matching exactly that Deployment's Pod names, for {@code pod=~"{{pods}}"}) filled
   * in.
   *
   * @param badWhen {@code higher} (errors, latency) or {@code lower} (success rate, throughput)
   * @param failPValue one-sided p-value below which a worse canary fails (default 0.01)
   * @param marginalPValue below which it is marginal (default 0.05)
   * @param tolerance relative shift of the median that passes whatever the p-value (default 0)
   * @param minSamples samples each side needs, else inconclusive (default 5)
   * @param lookbackSeconds the window ends now and starts this long ago; unset, it starts when the
   *     step started
   * @param resolutionSeconds the range query's step (default 1/30 of the window, at least 1 s)
   */
  public record Comparison(
      String name,
      String query,
      String badWhen,
      Double failPValue,
      Double marginalPValue,
      Double tolerance,
      Integer minSamples,
      Integer lookbackSeconds,
      Integer resolutionSeconds) {}

  public List<MetricQuery> queriesOrEmpty() {
    return queries == null ? List.of() : queries;
  }

  public List<Comparison> comparisonsOrEmpty() {
    return comparisons == null ? List.of() : comparisons;
  }

  /** Whether anything asks Prometheus. */
  public boolean asksPrometheus() {
    return prometheusUrl != null
        && (!queriesOrEmpty().isEmpty() || !comparisonsOrEmpty().isEmpty());
  }
}
