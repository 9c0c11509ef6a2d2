package dev.patchops.rollout.canary.analysis;

import static org.assertj.core.api.Assertions.assertThat;

import dev.patchops.contract.model.AnalysisEvidence;
import dev.patchops.rollout.canary.AnalysisSpec;
import dev.patchops.testing.prometheus.RealPrometheus;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The step analysis on a real Prometheus with real PromQL: known canary and stable series are
 * loaded as TSDB blocks, one {@code namespace} label per scenario, and the judge's verdict is
 * checked for pass, marginal, fail, no data, NaN, and Prometheus down.
 */
class JudgeOnPrometheusTest {
  static final Duration EVERY = Duration.ofSeconds(30);
  static final int N = 60;

  /** The window loaded: N samples, 30 s apart, ending well before now. */
  static final Instant T0 =
      Instant.now().minus(Duration.ofMinutes(70)).truncatedTo(ChronoUnit.MINUTES);

  static final Instant END = T0.plus(EVERY.multipliedBy(N - 1));
  static final String LATENCY = "request_latency_ms{namespace=\"{{namespace}}\",pod=~\"{{pods}}\"}";
  static final String CANARY_A = "checkout-canary-5d8f7c9b4-abcde";
  static final String CANARY_B = "checkout-canary-5d8f7c9b4-fghij";
  static final String STABLE_A = "checkout-7d9f8b6c5-xk2lp";
  static final String STABLE_B = "checkout-7d9f8b6c5-q9w8e";

  static RealPrometheus prometheus;

  /** 10.0, 10.1, ... 15.9 ms shifted by {@code shift}: evenly spread, so the ranks are known. */
  static double[] latency(double shift) {
    return IntStream.range(0, N).mapToDouble(i -> 10 + i * 0.1 + shift).toArray();
  }

  static RealPrometheus.OpenMetrics scenario(
      RealPrometheus.OpenMetrics m, String ns, double[]... canaryPods) {
    m.gauge("request_latency_ms", T0, EVERY, latency(0), "namespace", ns, "pod", STABLE_A);
    m.gauge("request_latency_ms", T0, EVERY, latency(0), "namespace", ns, "pod", STABLE_B);
    for (int i = 0; i < canaryPods.length; i++) {
      m.gauge(
          "request_latency_ms",
          T0,
          EVERY,
          canaryPods[i],
          "namespace",
          ns,
          "pod",
          i == 0 ? CANARY_A : CANARY_B);
    }
    return m;
  }

  static RealPrometheus.OpenMetrics series() {
    var m = new RealPrometheus.OpenMetrics();
    scenario(m, "pass", latency(0.05));
    scenario(m, "better", latency(-3));
    scenario(m, "marginal", latency(0.6));
    // One canary Pod healthy, the other slow: only reading every series catches it.
    scenario(m, "fail", latency(0.05), latency(3));
    scenario(m, "nodata");
    double[] nan = new double[N];
    java.util.Arrays.fill(nan, Double.NaN);
    scenario(m, "nan", nan);
    // Instant queries look at now: these run up to the present.
    Instant recent = Instant.now().minus(Duration.ofMinutes(20)).truncatedTo(ChronoUnit.SECONDS);
    double[] ones = new double[40];
    java.util.Arrays.fill(ones, 1);
    double[] fifties = new double[40];
    java.util.Arrays.fill(fifties, 50);
    m.gauge("queue_depth", recent, EVERY, ones, "namespace", "bounded", "pod", CANARY_A);
    m.gauge("queue_depth", recent, EVERY, fifties, "namespace", "bounded", "pod", CANARY_B);
    return m;
  }

  @BeforeAll
  static void start() {
    prometheus = RealPrometheus.start(series());
  }

  @AfterAll
  static void stop() {
    if (prometheus != null) {
      prometheus.close();
    }
  }

  static AnalysisSpec comparing(String url, Double marginalScore) {
    return new AnalysisSpec(
        null,
        null,
        url,
        List.of(),
        List.of(
            new AnalysisSpec.Comparison(
                "latency",
                LATENCY,
                "higher",
                null,
                null,
                null,
                null,
                (int) Duration.between(T0, END).toSeconds(),
                (int) EVERY.toSeconds())),
        null,
        marginalScore);
  }

  static CanaryAnalysis analysis(RealPrometheus p) {
    return new CanaryAnalysis(new PrometheusQueries(List.of(p.url()), 4 << 20), Duration.ZERO, 3);
  }

  /** A due step in {@code ns}, started {@code ago} before the window's end, paused 60 s. */
  static CanaryAnalysis.Step step(String ns, Duration ago) {
    return new CanaryAnalysis.Step(
        "ro-" + ns,
        ns,
        "checkout",
        "checkout-canary",
        END.minus(ago),
        60,
        true,
        Duration.ofSeconds(30));
  }

  static AnalysisEvidence judged(CanaryAnalysis.Decision d, String check) {
    return d.evidence().stream().filter(e -> e.check().equals(check)).findFirst().orElseThrow();
  }

  @Test
  void aCanaryLikeItsStablePodsPasses() {
    var d =
        analysis(prometheus)
            .analyse(comparing(prometheus.url(), null), step("pass", Duration.ofMinutes(30)), END);
    assertThat(d.kind()).isEqualTo(CanaryAnalysis.Kind.GO);
    AnalysisEvidence latency = judged(d, "judge:latency");
    // Both stable Pods' series count: 2 x 60 samples against the canary's 60.
    assertThat(latency.observed()).startsWith("PASS: canary n=60 median=").contains("stable n=120");
    assertThat(latency.subject())
        .isEqualTo(
            "request_latency_ms{namespace=\"pass\",pod=~\"checkout-canary-[a-z0-9]+-[a-z0-9]+\"}"
                + " vs request_latency_ms{namespace=\"pass\",pod=~\"checkout-[a-z0-9]+-[a-z0-9]+\"}");
    assertThat(judged(d, "judge:score").observed()).isEqualTo("PASS: score 100");
  }

  /** Lower latency than the stable Pods is no reason to revert: the direction counts. */
  @Test
  void aFasterCanaryPasses() {
    var d =
        analysis(prometheus)
            .analyse(
                comparing(prometheus.url(), null), step("better", Duration.ofMinutes(30)), END);
    assertThat(d.kind()).isEqualTo(CanaryAnalysis.Kind.GO);
    assertThat(judged(d, "judge:latency").observed()).startsWith("PASS:");
  }

  @Test
  void aSlowerCanaryPodFailsTheStep() {
    var d =
        analysis(prometheus)
            .analyse(comparing(prometheus.url(), null), step("fail", Duration.ofMinutes(30)), END);
    assertThat(d.kind()).isEqualTo(CanaryAnalysis.Kind.FAIL);
    assertThat(d.reason()).startsWith("judge FAIL, score 0: latency FAIL");
    assertThat(judged(d, "judge:latency").observed()).startsWith("FAIL: canary n=120");
    assertThat(judged(d, "judge:score").passed()).isFalse();
  }

  /** Marginal holds the step; still marginal a progress deadline after the pause, it fails. */
  @Test
  void aMarginalCanaryIsHeldThenFailed() {
    CanaryAnalysis a = analysis(prometheus);
    var held =
        a.analyse(comparing(prometheus.url(), 50.0), step("marginal", Duration.ofSeconds(60)), END);
    assertThat(held.kind()).isEqualTo(CanaryAnalysis.Kind.WAIT);
    AnalysisEvidence latency = judged(held, "judge:latency");
    assertThat(latency.observed()).startsWith("MARGINAL:");
    double p = Double.parseDouble(latency.observed().replaceAll(".*p=([^, ]+).*", "$1"));
    assertThat(p).isBetween(0.01, 0.05);
    assertThat(judged(held, "judge:score").observed()).isEqualTo("MARGINAL: score 50");

    var failed =
        a.analyse(comparing(prometheus.url(), 50.0), step("marginal", Duration.ofMinutes(30)), END);
    assertThat(failed.kind()).isEqualTo(CanaryAnalysis.Kind.FAIL);
    assertThat(failed.reason()).startsWith("still marginal 30 s after the pause: judge MARGINAL");
  }

  @Test
  void noCanaryDataIsInconclusiveAndFailsWhenTheStepIsDue() {
    CanaryAnalysis a = analysis(prometheus);
    var early =
        a.analyse(
            comparing(prometheus.url(), null),
            new CanaryAnalysis.Step(
                "ro-nd",
                "nodata",
                "checkout",
                "checkout-canary",
                END.minusSeconds(10),
                60,
                false,
                Duration.ofSeconds(30)),
            END);
    assertThat(early.kind()).isEqualTo(CanaryAnalysis.Kind.WAIT);
    var due =
        a.analyse(comparing(prometheus.url(), null), step("nodata", Duration.ofMinutes(30)), END);
    assertThat(due.kind()).isEqualTo(CanaryAnalysis.Kind.FAIL);
    assertThat(due.reason()).startsWith("analysis inconclusive: judge INCONCLUSIVE");
    assertThat(judged(due, "judge:latency").observed())
        .isEqualTo(
            "INCONCLUSIVE: canary n=0 median=NaN, stable n=120 median=12.95, p=NaN"
                + " (too few canary samples)");
    assertThat(judged(due, "judge:latency").passed()).isFalse();
  }

  @Test
  void nanSamplesAreInconclusiveNotAPass() {
    var d =
        analysis(prometheus)
            .analyse(comparing(prometheus.url(), null), step("nan", Duration.ofMinutes(30)), END);
    assertThat(d.kind()).isEqualTo(CanaryAnalysis.Kind.FAIL);
    assertThat(judged(d, "judge:latency").observed())
        .startsWith("INCONCLUSIVE: canary n=0")
        .contains("60 NaN dropped")
        .contains("NaN only");
  }

  /** Bounded instant queries read every series: one canary Pod over the limit fails the step. */
  @Test
  void everySeriesOfABoundedQueryMustBeWithinItsLimits() {
    var spec =
        new AnalysisSpec(
            null,
            null,
            prometheus.url(),
            List.of(
                new AnalysisSpec.MetricQuery(
                    "queue",
                    "queue_depth{namespace=\"{{namespace}}\",pod=~\"{{canary}}-.*\"}",
                    null,
                    10.0)));
    var d =
        analysis(prometheus)
            .analyse(
                spec,
                new CanaryAnalysis.Step(
                    "ro-b",
                    "bounded",
                    "checkout",
                    "checkout-canary",
                    Instant.now(),
                    60,
                    true,
                    Duration.ofSeconds(30)),
                Instant.now());
    assertThat(d.kind()).isEqualTo(CanaryAnalysis.Kind.FAIL);
    AnalysisEvidence queue = judged(d, "prometheus:queue");
    assertThat(queue.observed()).startsWith("2 series: ").contains("50").contains("1");
    assertThat(d.reason()).startsWith("metric outside its threshold: prometheus:queue = 2 series");

    var none =
        analysis(prometheus)
            .analyse(
                spec,
                new CanaryAnalysis.Step(
                    "ro-b2",
                    "nodata",
                    "checkout",
                    "checkout-canary",
                    Instant.now(),
                    60,
                    false,
                    Duration.ofSeconds(30)),
                Instant.now());
    assertThat(none.kind()).isEqualTo(CanaryAnalysis.Kind.FAIL);
    assertThat(none.reason())
        .isEqualTo("analysis inconclusive: prometheus:queue = no data (want <= 10.0)");
  }

  /** An answer over the cap is an error, not read into memory. */
  @Test
  void anAnswerLargerThanTheCapIsAnError() {
    var small = new PrometheusQueries(List.of(prometheus.url()), 200);
    var samples = small.range(prometheus.url(), "request_latency_ms", T0, END, EVERY);
    assertThat(samples.error()).isEqualTo("answer larger than 200 bytes");
  }

  /** The old prefix check let this reach the server behind the '@'; now nothing is sent. */
  @Test
  void userInfoTrickIsRefusedBeforeAnyCall() {
    var queries = new PrometheusQueries(List.of("http://prometheus:9090"), 4 << 20);
    var samples =
        queries.range(
            "http://prometheus:9090@127.0.0.1:" + prometheus.port(),
            "request_latency_ms",
            T0,
            END,
            EVERY);
    assertThat(samples.error()).startsWith("address refused: must not carry user info");
    assertThat(samples.values()).isEmpty();
  }

  /** Prometheus goes down: each pass retries; the third error in a row fails with the reason. */
  @Test
  void prometheusDownIsRetriedThenFailsTheStep() {
    try (RealPrometheus doomed =
        RealPrometheus.start(scenario(new RealPrometheus.OpenMetrics(), "pass", latency(0)))) {
      CanaryAnalysis a = analysis(doomed);
      var spec = comparing(doomed.url(), null);
      var up = a.analyse(spec, step("pass", Duration.ofMinutes(30)), END);
      assertThat(up.kind()).isEqualTo(CanaryAnalysis.Kind.GO);
      doomed.stop();
      var first = a.analyse(spec, step("pass", Duration.ofMinutes(30)), END.plusSeconds(1));
      var second = a.analyse(spec, step("pass", Duration.ofMinutes(30)), END.plusSeconds(2));
      assertThat(first.kind()).isEqualTo(CanaryAnalysis.Kind.WAIT);
      assertThat(second.kind()).isEqualTo(CanaryAnalysis.Kind.WAIT);
      assertThat(judged(first, "judge:latency").observed()).startsWith("error: ConnectException");
      var third = a.analyse(spec, step("pass", Duration.ofMinutes(30)), END.plusSeconds(3));
      assertThat(third.kind()).isEqualTo(CanaryAnalysis.Kind.FAIL);
      assertThat(third.reason())
          .startsWith("3 Prometheus errors in a row: judge:latency = error: ConnectException");
    }
  }
}
