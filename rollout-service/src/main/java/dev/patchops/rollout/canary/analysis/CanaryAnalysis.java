package dev.patchops.rollout.canary.analysis;

import dev.patchops.contract.model.AnalysisEvidence;
import dev.patchops.rollout.canary.AnalysisSpec;
import dev.patchops.rollout.config.RolloutConfig;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A step's Prometheus analysis: the bounded instant queries and the statistical judge's
 * comparisons, run at most once per analysis interval (and always when the step is due), turned
 * into go, wait or fail with the evidence. Query errors are retried on later passes; {@code
 * errorLimit} in a row fail the step with the last errors as the reason.
 */
@ApplicationScoped
public class CanaryAnalysis {
  private PrometheusQueries prometheus;
  private Duration interval;
  private int errorLimit;
  private final Map<String, Instant> lastQuery = new ConcurrentHashMap<>();
  private final Map<String, Integer> queryErrors = new ConcurrentHashMap<>();

  @Inject
  CanaryAnalysis(PrometheusQueries prometheus, RolloutConfig config) {
    this(prometheus, config.analysisInterval(), config.prometheusErrorLimit());
  }

  public CanaryAnalysis(PrometheusQueries prometheus, Duration interval, int errorLimit) {
    this.prometheus = prometheus;
    this.interval = interval;
    this.errorLimit = errorLimit;
  }

  /** What the analysis means for the step now. */
  public enum Kind {
    /** Nothing against the step: it passes when it is due. */
    GO,
    /** Not now: the step neither passes nor fails in this pass. */
    WAIT,
    FAIL
  }

  public record Decision(Kind kind, String reason, List<AnalysisEvidence> evidence) {}

  /** The rollout's step under analysis: its canary and stable Deployments and the step's time. */
  public record Step(
      String rolloutId,
      String namespace,
      String stable,
      String canary,
      Instant startedAt,
      int pauseSeconds,
      boolean due,
      Duration progressDeadline) {}

  public Decision analyse(AnalysisSpec spec, Step step, Instant now) {
    if (!spec.asksPrometheus()) {
      return new Decision(Kind.GO, null, List.of());
    }
    Instant last = lastQuery.get(step.rolloutId());
    if (!step.due() && last != null && !last.plus(interval).isBefore(now)) {
      return new Decision(Kind.WAIT, null, List.of());
    }
    lastQuery.put(step.rolloutId(), now);
    List<AnalysisEvidence> evidence = new ArrayList<>();
    List<AnalysisEvidence> bounded = new ArrayList<>();
    boolean failed = false;
    boolean errored = false;
    boolean inconclusive = false;
    for (AnalysisSpec.MetricQuery q : spec.queriesOrEmpty()) {
      PrometheusQueries.Result result =
          prometheus.evaluate(spec.prometheusUrl(), q, step.namespace(), step.canary());
      bounded.add(result.evidence());
      errored |= result.error();
      inconclusive |= result.inconclusive();
      failed |= !result.error() && !result.inconclusive() && !result.evidence().passed();
    }
    evidence.addAll(bounded);
    Judge.Verdict verdict = null;
    List<AnalysisEvidence> judgeErrors = new ArrayList<>();
    List<Judge.Metric> metrics = new ArrayList<>();
    for (AnalysisSpec.Comparison c : spec.comparisonsOrEmpty()) {
      Instant start =
          c.lookbackSeconds() != null
              ? now.minusSeconds(c.lookbackSeconds())
              : Objects.requireNonNullElse(step.startedAt(), now);
      Duration window = Duration.between(start, now);
      Duration resolution =
          c.resolutionSeconds() != null
              ? Duration.ofSeconds(c.resolutionSeconds())
              : Duration.ofSeconds(Math.max(1, window.toSeconds() / 30));
      String canaryQuery = fill(c.query(), step.namespace(), step.canary());
      String stableQuery = fill(c.query(), step.namespace(), step.stable());
      PrometheusQueries.Samples canary =
          prometheus.range(spec.prometheusUrl(), canaryQuery, start, now, resolution);
      PrometheusQueries.Samples stable =
          prometheus.range(spec.prometheusUrl(), stableQuery, start, now, resolution);
      String error = canary.error() != null ? canary.error() : stable.error();
      if (error != null) {
        judgeErrors.add(
            new AnalysisEvidence(
                "judge:" + c.name(),
                canaryQuery + " vs " + stableQuery,
                "error: " + error,
                null,
                false));
        continue;
      }
      metrics.add(
          new Judge.Metric(
              c.name(), canaryQuery, stableQuery, canary.values(), stable.values(), thresholds(c)));
    }
    if (!judgeErrors.isEmpty()) {
      errored = true;
      evidence.addAll(judgeErrors);
    } else if (!metrics.isEmpty()) {
      verdict =
          Judge.judge(
              metrics,
              Objects.requireNonNullElse(spec.passScore(), Judge.DEFAULT_PASS_SCORE),
              Objects.requireNonNullElse(spec.marginalScore(), Judge.DEFAULT_MARGINAL_SCORE));
      evidence.addAll(verdict.evidence());
    }
    int errors = errored ? queryErrors.merge(step.rolloutId(), 1, Integer::sum) : 0;
    if (!errored) {
      queryErrors.remove(step.rolloutId());
    }
    if (failed) {
      return fail("metric outside its threshold: " + describe(bounded), evidence);
    }
    if (inconclusive) {
      // An instant query has nothing to wait for: no data now is no data.
      return fail("analysis inconclusive: " + describe(bounded), evidence);
    }
    if (verdict != null && verdict.outcome() == Judge.Outcome.FAIL) {
      return fail(verdict.describe(), evidence);
    }
    if (errors >= errorLimit) {
      List<AnalysisEvidence> failedOnes = new ArrayList<>(bounded);
      failedOnes.addAll(judgeErrors);
      return fail(errors + " Prometheus errors in a row: " + describe(failedOnes), evidence);
    }
    if (errored) {
      return new Decision(Kind.WAIT, null, evidence);
    }
    if (verdict != null && verdict.outcome() == Judge.Outcome.INCONCLUSIVE) {
      // The window is still filling before the pause ends; at its end, no data is no pass.
      return step.due()
          ? fail("analysis inconclusive: " + verdict.describe(), evidence)
          : new Decision(Kind.WAIT, null, evidence);
    }
    if (verdict != null && verdict.outcome() == Judge.Outcome.MARGINAL) {
      // Marginal holds the step and judges again over a longer window, for at most the progress
      // deadline after the pause; still marginal then, it fails.
      Instant holdUntil =
          Objects.requireNonNullElse(step.startedAt(), now)
              .plusSeconds(step.pauseSeconds())
              .plus(step.progressDeadline());
      return step.due() && now.isAfter(holdUntil)
          ? fail(
              "still marginal "
                  + step.progressDeadline().toSeconds()
                  + " s after the pause: "
                  + verdict.describe(),
              evidence)
          : new Decision(Kind.WAIT, null, evidence);
    }
    return new Decision(Kind.GO, null, evidence);
  }

  /**
   * The analysis of the watch window after promotion: the bounded queries only, with the same rules
   * as in a step (outside the bounds, no data or NaN fail; errors fail after the limit in a row),
   * run at most once per analysis interval. {@code {{canary}}} names the stable Deployment now,
   * which runs the patch. The judge's comparisons are left out: they weigh the canary against the
   * stable Pods, and after promotion there is no second side to weigh.
   */
  public Decision watch(
      AnalysisSpec spec,
      String rolloutId,
      String namespace,
      String deployment,
      Duration progressDeadline,
      Instant now) {
    AnalysisSpec bounded =
        new AnalysisSpec(
            spec.progressDeadlineSeconds(),
            spec.maxRestarts(),
            spec.prometheusUrl(),
            spec.queriesOrEmpty(),
            List.of(),
            null,
            null);
    return analyse(
        bounded,
        new Step(rolloutId, namespace, deployment, deployment, null, 0, false, progressDeadline),
        now);
  }

  /** The rollout ended: nothing of it is kept. */
  public void forget(String rolloutId) {
    lastQuery.remove(rolloutId);
    queryErrors.remove(rolloutId);
  }

  /**
   * @throws IllegalArgumentException naming what is wrong with the comparison's thresholds
   */
  public static Judge.Thresholds thresholdsOf(AnalysisSpec.Comparison c) {
    return thresholds(c);
  }

  static Judge.Thresholds thresholds(AnalysisSpec.Comparison c) {
    return new Judge.Thresholds(
        badWhen(c.badWhen()),
        Objects.requireNonNullElse(c.failPValue(), Judge.DEFAULT_FAIL_P),
        Objects.requireNonNullElse(c.marginalPValue(), Judge.DEFAULT_MARGINAL_P),
        Objects.requireNonNullElse(c.tolerance(), 0.0),
        Objects.requireNonNullElse(c.minSamples(), Judge.DEFAULT_MIN_SAMPLES));
  }

  /**
   * @throws IllegalArgumentException when it is neither {@code higher} nor {@code lower}
   */
  public static Judge.BadWhen badWhen(String s) {
    if ("higher".equalsIgnoreCase(s)) {
      return Judge.BadWhen.HIGHER;
    }
    if ("lower".equalsIgnoreCase(s)) {
      return Judge.BadWhen.LOWER;
    }
    throw new IllegalArgumentException("badWhen must be higher or lower");
  }

  /** The query for one side: its Deployment, and an anchored regular expression of its Pods. */
  public static String fill(String template, String namespace, String deployment) {
    return template
        .replace("{{namespace}}", namespace)
        .replace("{{deployment}}", deployment)
        // A Deployment's Pods are <deployment>-<pod-template-hash>-<suffix>; PromQL's =~ is
        // anchored, so the stable side's expression never matches <deployment>-canary-... Pods.
        .replace("{{pods}}", deployment + "-[a-z0-9]+-[a-z0-9]+");
  }

  private static Decision fail(String reason, List<AnalysisEvidence> evidence) {
    return new Decision(Kind.FAIL, reason, evidence);
  }

  static String describe(List<AnalysisEvidence> evidence) {
    return String.join(
        "; ",
        evidence.stream()
            .filter(e -> !e.passed())
            .map(
                e ->
                    e.check()
                        + " = "
                        + e.observed()
                        + (e.threshold() == null ? "" : " (want " + e.threshold() + ")"))
            .toList());
  }
}
