package dev.patchops.rollout.canary.analysis;

import dev.patchops.contract.model.AnalysisEvidence;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import org.apache.commons.math3.stat.descriptive.rank.Median;
import org.apache.commons.math3.stat.inference.MannWhitneyUTest;
import org.apache.commons.math3.stat.ranking.NaNStrategy;
import org.apache.commons.math3.stat.ranking.NaturalRanking;
import org.apache.commons.math3.stat.ranking.TiesStrategy;

/**
 * The statistical judge of a canary step, after Kayenta: each comparison metric's canary samples
 * are tested against the stable (baseline) samples of the same window with a Mann-Whitney U test,
 * classified pass, marginal or fail, and the share of passing metrics decides the step. Pure: no
 * Prometheus, no Kubernetes, no clock.
 *
 * <p>Rules (docs/architecture.md, "Canary analysis: the statistical judge"):
 *
 * <ul>
 *   <li>Samples that are NaN or infinite are dropped. Fewer than {@code minSamples} left on either
 *       side is INCONCLUSIVE: a canary that reports nothing is never a pass.
 *   <li>A metric is worse only in its bad direction (an error rate higher in the canary; a success
 *       rate lower), decided by the mean ranks. Better than the baseline always passes.
 *   <li>Worse with the one-sided p-value below {@code failPValue} is FAIL, below {@code
 *       marginalPValue} MARGINAL, else PASS. With a {@code tolerance}, a worse median within that
 *       fraction of the baseline's median passes however small the p-value: a significant but
 *       negligible shift must not revert a patch.
 *   <li>Score = 100 × (passes + ½ × marginals) / metrics. Any INCONCLUSIVE metric makes the step
 *       INCONCLUSIVE; else score ≥ pass threshold is PASS, ≥ marginal threshold MARGINAL, else
 *       FAIL.
 * </ul>
 */
public final class Judge {
  private Judge() {}

  public static final double DEFAULT_FAIL_P = 0.01;
  public static final double DEFAULT_MARGINAL_P = 0.05;
  public static final int DEFAULT_MIN_SAMPLES = 5;
  public static final double DEFAULT_PASS_SCORE = 95;
  public static final double DEFAULT_MARGINAL_SCORE = 75;

  /** Which way a canary's metric must not move. */
  public enum BadWhen {
    HIGHER,
    LOWER
  }

  public enum Outcome {
    PASS,
    MARGINAL,
    FAIL,
    INCONCLUSIVE
  }

  /** One metric's thresholds. */
  public record Thresholds(
      BadWhen badWhen, double failPValue, double marginalPValue, double tolerance, int minSamples) {
    public Thresholds {
      if (!(failPValue > 0 && failPValue <= marginalPValue && marginalPValue < 1)) {
        throw new IllegalArgumentException("need 0 < failPValue <= marginalPValue < 1");
      }
      if (tolerance < 0 || minSamples < 1) {
        throw new IllegalArgumentException("need tolerance >= 0 and minSamples >= 1");
      }
    }

    public static Thresholds of(BadWhen badWhen) {
      return new Thresholds(badWhen, DEFAULT_FAIL_P, DEFAULT_MARGINAL_P, 0, DEFAULT_MIN_SAMPLES);
    }

    String describe() {
      return String.format(
          Locale.ROOT,
          "%s is bad; fail p < %s, marginal p < %s%s; >= %d samples a side",
          badWhen == BadWhen.HIGHER ? "higher" : "lower",
          fmt(failPValue),
          fmt(marginalPValue),
          tolerance > 0 ? ", shifts within " + fmt(tolerance * 100) + " % pass" : "",
          minSamples);
    }
  }

  /** The samples of one comparison metric over the step's window: every series, flattened. */
  public record Metric(
      String name,
      String canaryQuery,
      String stableQuery,
      double[] canary,
      double[] stable,
      Thresholds thresholds) {}

  /** One metric's classification with what it rests on. */
  public record MetricVerdict(
      String name,
      String canaryQuery,
      String stableQuery,
      int canarySamples,
      int stableSamples,
      int droppedNaN,
      double canaryMedian,
      double stableMedian,
      double pValue,
      Outcome outcome,
      String why,
      Thresholds thresholds) {

    public AnalysisEvidence evidence() {
      String observed =
          String.format(
              Locale.ROOT,
              "%s: canary n=%d median=%s, stable n=%d median=%s, p=%s%s%s",
              outcome,
              canarySamples,
              fmt(canaryMedian),
              stableSamples,
              fmt(stableMedian),
              fmt(pValue),
              droppedNaN > 0 ? ", " + droppedNaN + " NaN dropped" : "",
              why == null ? "" : " (" + why + ")");
      return new AnalysisEvidence(
          "judge:" + name,
          canaryQuery + " vs " + stableQuery,
          observed,
          thresholds.describe(),
          outcome == Outcome.PASS);
    }
  }

  /** The step's verdict: the aggregate outcome, its score and each metric's. */
  public record Verdict(
      Outcome outcome,
      double score,
      double passScore,
      double marginalScore,
      List<MetricVerdict> metrics) {

    /** One evidence entry per metric, then the score. */
    public List<AnalysisEvidence> evidence() {
      List<AnalysisEvidence> out = new ArrayList<>();
      metrics.forEach(m -> out.add(m.evidence()));
      out.add(
          new AnalysisEvidence(
              "judge:score",
              metrics.size() + " comparison" + (metrics.size() == 1 ? "" : "s"),
              outcome + ": score " + fmt(score),
              "pass >= " + fmt(passScore) + ", marginal >= " + fmt(marginalScore),
              outcome == Outcome.PASS));
      return out;
    }

    /** The metrics that did not pass, for a reason a person reads. */
    public String describe() {
      List<String> parts = new ArrayList<>();
      for (MetricVerdict m : metrics) {
        if (m.outcome() != Outcome.PASS) {
          parts.add(m.name() + " " + m.outcome() + " " + m.evidence().observed());
        }
      }
      return "judge " + outcome + ", score " + fmt(score) + ": " + String.join("; ", parts);
    }
  }

  /** A metric's samples as judged: finite values only, how many were dropped, the medians. */
  private record Sides(
      double[] canary, double[] stable, int dropped, double canaryMedian, double stableMedian) {
    static Sides of(Metric m) {
      double[] canary = finite(m.canary());
      double[] stable = finite(m.stable());
      int dropped = length(m.canary()) - canary.length + length(m.stable()) - stable.length;
      return new Sides(canary, stable, dropped, median(canary), median(stable));
    }

    MetricVerdict verdict(Metric m, double p, Outcome outcome, String why) {
      return new MetricVerdict(
          m.name(),
          m.canaryQuery(),
          m.stableQuery(),
          canary.length,
          stable.length,
          dropped,
          canaryMedian,
          stableMedian,
          p,
          outcome,
          why,
          m.thresholds());
    }
  }

  /** Classifies one metric. */
  public static MetricVerdict classify(Metric m) {
    Thresholds t = m.thresholds();
    Sides s = Sides.of(m);
    double[] canary = s.canary();
    double[] stable = s.stable();
    if (canary.length < t.minSamples() || stable.length < t.minSamples()) {
      String why =
          (canary.length == 0 && stable.length == 0
                  ? "no data"
                  : canary.length < t.minSamples()
                      ? "too few canary samples"
                      : "too few stable samples")
              + (s.dropped() > 0 ? ", NaN only" : "");
      return s.verdict(m, Double.NaN, Outcome.INCONCLUSIVE, why);
    }
    double pTwoSided = new MannWhitneyUTest().mannWhitneyUTest(canary, stable);
    double rank = meanRank(canary, stable);
    double middle = (canary.length + stable.length + 1) / 2.0;
    boolean worse = t.badWhen() == BadWhen.HIGHER ? rank > middle : rank < middle;
    // The U test is two-sided; the half in the bad direction is the one-sided p-value.
    double p = worse ? pTwoSided / 2 : 1 - pTwoSided / 2;
    if (Double.isNaN(p)) {
      return s.verdict(m, p, Outcome.INCONCLUSIVE, "no p-value");
    }
    if (!worse || p >= t.marginalPValue()) {
      return s.verdict(m, p, Outcome.PASS, null);
    }
    if (t.tolerance() > 0 && withinTolerance(s.canaryMedian(), s.stableMedian(), t)) {
      return s.verdict(m, p, Outcome.PASS, "shift within tolerance");
    }
    return s.verdict(m, p, p < t.failPValue() ? Outcome.FAIL : Outcome.MARGINAL, null);
  }

  /** Classifies every metric and scores the step. */
  public static Verdict judge(List<Metric> metrics, double passScore, double marginalScore) {
    if (metrics.isEmpty()) {
      throw new IllegalArgumentException("nothing to judge");
    }
    if (!(marginalScore >= 0 && marginalScore <= passScore && passScore <= 100)) {
      throw new IllegalArgumentException("need 0 <= marginalScore <= passScore <= 100");
    }
    List<MetricVerdict> verdicts = metrics.stream().map(Judge::classify).toList();
    double points = 0;
    boolean inconclusive = false;
    for (MetricVerdict v : verdicts) {
      switch (v.outcome()) {
        case PASS -> points += 1;
        case MARGINAL -> points += 0.5;
        case INCONCLUSIVE -> inconclusive = true;
        case FAIL -> {}
      }
    }
    double score = 100 * points / verdicts.size();
    Outcome outcome =
        inconclusive
            ? Outcome.INCONCLUSIVE
            : score >= passScore
                ? Outcome.PASS
                : score >= marginalScore ? Outcome.MARGINAL : Outcome.FAIL;
    return new Verdict(outcome, score, passScore, marginalScore, verdicts);
  }

  private static boolean withinTolerance(double canary, double stable, Thresholds t) {
    double shift = t.badWhen() == BadWhen.HIGHER ? canary - stable : stable - canary;
    return shift <= t.tolerance() * Math.abs(stable);
  }

  /** The canary's mean rank among both samples, ties averaged. */
  private static double meanRank(double[] canary, double[] stable) {
    double[] both = new double[canary.length + stable.length];
    System.arraycopy(canary, 0, both, 0, canary.length);
    System.arraycopy(stable, 0, both, canary.length, stable.length);
    double[] ranks = new NaturalRanking(NaNStrategy.FAILED, TiesStrategy.AVERAGE).rank(both);
    double sum = 0;
    for (int i = 0; i < canary.length; i++) {
      sum += ranks[i];
    }
    return sum / canary.length;
  }

  private static double[] finite(double[] values) {
    return values == null
        ? new double[0]
        : Arrays.stream(values).filter(Double::isFinite).toArray();
  }

  private static int length(double[] values) {
    return values == null ? 0 : values.length;
  }

  private static double median(double[] values) {
    return values.length == 0 ? Double.NaN : new Median().evaluate(values);
  }

  static String fmt(double v) {
    if (Double.isNaN(v)) {
      return "NaN";
    }
    return String.format(Locale.ROOT, "%.4g", v)
        .replaceAll("(\\.\\d*?)0+(e|$)", "$1$2")
        .replaceAll("\\.(e|$)", "$1");
  }
}
