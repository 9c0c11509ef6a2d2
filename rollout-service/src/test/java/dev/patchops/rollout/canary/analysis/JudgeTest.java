package dev.patchops.rollout.canary.analysis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.patchops.contract.model.AnalysisEvidence;
import dev.patchops.rollout.canary.analysis.Judge.BadWhen;
import dev.patchops.rollout.canary.analysis.Judge.Metric;
import dev.patchops.rollout.canary.analysis.Judge.Outcome;
import dev.patchops.rollout.canary.analysis.Judge.Thresholds;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** The judge's rules on known samples, without Prometheus. */
class JudgeTest {

  /** {@code n} values spread evenly around {@code centre}, so medians and ranks are predictable. */
  static double[] around(double centre, double spread, int n) {
    return IntStream.range(0, n)
        .mapToDouble(i -> centre + spread * (i - (n - 1) / 2.0) / n)
        .toArray();
  }

  static Metric metric(String name, double[] canary, double[] stable, BadWhen badWhen) {
    return new Metric(name, "q{canary}", "q{stable}", canary, stable, Thresholds.of(badWhen));
  }

  @Test
  void aCanaryLikeItsBaselinePasses() {
    var v =
        Judge.classify(
            metric("errors", around(0.01, 0.004, 30), around(0.01, 0.004, 30), BadWhen.HIGHER));
    assertThat(v.outcome()).isEqualTo(Outcome.PASS);
    assertThat(v.pValue()).isGreaterThan(0.4);
    assertThat(v.canarySamples()).isEqualTo(30);
    assertThat(v.stableSamples()).isEqualTo(30);
  }

  @Test
  void aClearlyWorseCanaryFails() {
    var v =
        Judge.classify(
            metric("errors", around(0.05, 0.004, 30), around(0.01, 0.004, 30), BadWhen.HIGHER));
    assertThat(v.outcome()).isEqualTo(Outcome.FAIL);
    assertThat(v.pValue()).isLessThan(0.01);
    assertThat(v.canaryMedian()).isCloseTo(0.05, org.assertj.core.data.Offset.offset(1e-9));
    assertThat(v.stableMedian()).isCloseTo(0.01, org.assertj.core.data.Offset.offset(1e-9));
  }

  /** The same shift in the harmless direction: a canary with fewer errors is not punished. */
  @Test
  void directionMatters() {
    double[] low = around(0.01, 0.004, 30);
    double[] high = around(0.05, 0.004, 30);
    assertThat(Judge.classify(metric("errors", low, high, BadWhen.HIGHER)).outcome())
        .isEqualTo(Outcome.PASS);
    assertThat(Judge.classify(metric("success", low, high, BadWhen.LOWER)).outcome())
        .isEqualTo(Outcome.FAIL);
    assertThat(Judge.classify(metric("success", high, low, BadWhen.LOWER)).outcome())
        .isEqualTo(Outcome.PASS);
  }

  /** A slight shift: significant at 5 % but not at 1 %, one-sided. */
  @Test
  void aSlightlyWorseCanaryIsMarginal() {
    // Interleaved samples; the canary's sit a little above: U test p (one-sided) within 0.01..0.05.
    double[] stable = IntStream.range(0, 20).mapToDouble(i -> i).toArray();
    double[] canary = IntStream.range(0, 20).mapToDouble(i -> i + 4.5).toArray();
    var v = Judge.classify(metric("latency", canary, stable, BadWhen.HIGHER));
    assertThat(v.pValue()).isBetween(0.01, 0.05);
    assertThat(v.outcome()).isEqualTo(Outcome.MARGINAL);
  }

  @Test
  void noDataIsInconclusiveNeverAPass() {
    var none = Judge.classify(metric("errors", new double[0], new double[0], BadWhen.HIGHER));
    assertThat(none.outcome()).isEqualTo(Outcome.INCONCLUSIVE);
    assertThat(none.why()).isEqualTo("no data");
    var noCanary =
        Judge.classify(metric("errors", new double[0], around(0.01, 0.004, 30), BadWhen.HIGHER));
    assertThat(noCanary.outcome()).isEqualTo(Outcome.INCONCLUSIVE);
    assertThat(noCanary.why()).isEqualTo("too few canary samples");
    var few =
        Judge.classify(
            metric("errors", around(0.01, 0.004, 4), around(0.01, 0.004, 30), BadWhen.HIGHER));
    assertThat(few.outcome()).isEqualTo(Outcome.INCONCLUSIVE);
  }

  /** 0/0 error ratios of a canary that serves nothing are NaN: inconclusive, not a pass. */
  @Test
  void nanSamplesAreDroppedAndOnlyNaNIsInconclusive() {
    double[] nan = new double[30];
    java.util.Arrays.fill(nan, Double.NaN);
    var v = Judge.classify(metric("errors", nan, around(0.01, 0.004, 30), BadWhen.HIGHER));
    assertThat(v.outcome()).isEqualTo(Outcome.INCONCLUSIVE);
    assertThat(v.droppedNaN()).isEqualTo(30);
    assertThat(v.why()).contains("NaN only");
    assertThat(v.evidence().passed()).isFalse();
    var verdict =
        Judge.judge(
            List.of(metric("errors", nan, around(0.01, 0.004, 30), BadWhen.HIGHER)), 95, 75);
    assertThat(verdict.outcome()).isEqualTo(Outcome.INCONCLUSIVE);
  }

  @Test
  void aToleranceLetsANegligibleShiftPass() {
    double[] stable = around(100, 4, 30);
    double[] canary = around(102, 4, 30); // 2 % slower, significant with 30 samples
    var strict = Judge.classify(metric("latency", canary, stable, BadWhen.HIGHER));
    assertThat(strict.outcome()).isEqualTo(Outcome.FAIL);
    var tolerant =
        Judge.classify(
            new Metric(
                "latency",
                "c",
                "s",
                canary,
                stable,
                new Thresholds(BadWhen.HIGHER, 0.01, 0.05, 0.05, 5)));
    assertThat(tolerant.outcome()).isEqualTo(Outcome.PASS);
    assertThat(tolerant.why()).isEqualTo("shift within tolerance");
  }

  @Test
  void theScoreDecidesTheStep() {
    Metric pass = metric("a", around(1, 0.4, 30), around(1, 0.4, 30), BadWhen.HIGHER);
    Metric fail = metric("b", around(5, 0.4, 30), around(1, 0.4, 30), BadWhen.HIGHER);
    Metric marginal =
        metric(
            "c",
            IntStream.range(0, 20).mapToDouble(i -> i + 4.5).toArray(),
            IntStream.range(0, 20).mapToDouble(i -> i).toArray(),
            BadWhen.HIGHER);

    var allPass = Judge.judge(List.of(pass, pass), 95, 75);
    assertThat(allPass.outcome()).isEqualTo(Outcome.PASS);
    assertThat(allPass.score()).isEqualTo(100);

    // 3 of 4 pass, one fails: 75, marginal by the default thresholds.
    var threeOfFour = Judge.judge(List.of(pass, pass, pass, fail), 95, 75);
    assertThat(threeOfFour.score()).isEqualTo(75);
    assertThat(threeOfFour.outcome()).isEqualTo(Outcome.MARGINAL);

    // A marginal metric counts half: (1 + 0.5) / 2 = 75.
    var halfMarginal = Judge.judge(List.of(pass, marginal), 95, 75);
    assertThat(halfMarginal.score()).isEqualTo(75);
    assertThat(halfMarginal.outcome()).isEqualTo(Outcome.MARGINAL);

    var oneOfTwo = Judge.judge(List.of(pass, fail), 95, 75);
    assertThat(oneOfTwo.score()).isEqualTo(50);
    assertThat(oneOfTwo.outcome()).isEqualTo(Outcome.FAIL);

    // An inconclusive metric makes the step inconclusive, whatever the others score.
    Metric empty = metric("d", new double[0], around(1, 0.4, 30), BadWhen.HIGHER);
    var inconclusive = Judge.judge(List.of(pass, pass, pass, empty), 50, 25);
    assertThat(inconclusive.outcome()).isEqualTo(Outcome.INCONCLUSIVE);
    assertThat(inconclusive.score()).isEqualTo(75);
  }

  @Test
  void evidenceNamesQuerySamplesMediansPValueAndScore() {
    Metric fail =
        metric("errors", around(0.05, 0.004, 30), around(0.01, 0.004, 30), BadWhen.HIGHER);
    List<AnalysisEvidence> evidence = Judge.judge(List.of(fail), 95, 75).evidence();
    assertThat(evidence).hasSize(2);
    AnalysisEvidence m = evidence.get(0);
    assertThat(m.check()).isEqualTo("judge:errors");
    assertThat(m.subject()).isEqualTo("q{canary} vs q{stable}");
    assertThat(m.observed())
        .startsWith("FAIL: canary n=30 median=0.05, stable n=30 median=0.01, p=")
        .doesNotContain("p=NaN");
    assertThat(m.threshold())
        .isEqualTo("higher is bad; fail p < 0.01, marginal p < 0.05; >= 5 samples a side");
    assertThat(m.passed()).isFalse();
    AnalysisEvidence score = evidence.get(1);
    assertThat(score.check()).isEqualTo("judge:score");
    assertThat(score.observed()).isEqualTo("FAIL: score 0");
    assertThat(score.threshold()).isEqualTo("pass >= 95, marginal >= 75");
    assertThat(score.passed()).isFalse();
  }

  @Test
  void thresholdsThatContradictEachOtherAreRefused() {
    assertThatThrownBy(() -> new Thresholds(BadWhen.HIGHER, 0.05, 0.01, 0, 5))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> Judge.judge(List.of(), 95, 75))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(
            () ->
                Judge.judge(
                    List.of(metric("a", around(1, 1, 9), around(1, 1, 9), BadWhen.HIGHER)), 50, 75))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
