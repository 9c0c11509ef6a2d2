package dev.patchops.rollout.canary.analysis;

import static org.assertj.core.api.Assertions.assertThat;

import dev.patchops.rollout.canary.AnalysisSpec;
import dev.patchops.testing.Latencies;
import dev.patchops.testing.prometheus.RealPrometheus;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Analysis cost per step on a real Prometheus: the statistical judge (a range query per side over
 * the step's window, then the U test) against a bare query of the same data (the canary side's
 * range query alone, and the instant query a bounded check makes), alternating in one run on the
 * series of {@link JudgeOnPrometheusTest}. Not a test: run with {@code -Pbench}.
 */
class JudgeBenchmark {
  private static final int RUNS = Integer.getInteger("bench.runs", 200);
  private static final int WARMUP = Integer.getInteger("bench.warmup", 20);

  @Test
  void judgeAgainstABareQuery() throws IOException {
    try (RealPrometheus prometheus = RealPrometheus.start(JudgeOnPrometheusTest.series())) {
      PrometheusQueries queries = new PrometheusQueries(List.of(prometheus.url()), 4 << 20);
      CanaryAnalysis analysis = new CanaryAnalysis(queries, Duration.ZERO, 3);
      AnalysisSpec spec = JudgeOnPrometheusTest.comparing(prometheus.url(), null);
      var step = JudgeOnPrometheusTest.step("fail", Duration.ofMinutes(30));
      String canaryQuery =
          CanaryAnalysis.fill(JudgeOnPrometheusTest.LATENCY, "fail", "checkout-canary");
      var bounded =
          new AnalysisSpec.MetricQuery(
              "latency",
              "max_over_time(request_latency_ms{namespace=\"fail\",pod=~\"checkout-canary-.*\"}[30m] @ "
                  + JudgeOnPrometheusTest.END.getEpochSecond()
                  + ")",
              null,
              100.0);

      long[] judge = new long[RUNS];
      long[] range = new long[RUNS];
      long[] instant = new long[RUNS];
      long[] uTest = new long[RUNS];
      Judge.Metric metric = null;
      for (int i = -WARMUP; i < RUNS; i++) {
        long t0 = System.nanoTime();
        var d = analysis.analyse(spec, step, JudgeOnPrometheusTest.END.plusMillis(i + WARMUP));
        long t1 = System.nanoTime();
        var samples =
            queries.range(
                prometheus.url(),
                canaryQuery,
                JudgeOnPrometheusTest.T0,
                JudgeOnPrometheusTest.END,
                JudgeOnPrometheusTest.EVERY);
        long t2 = System.nanoTime();
        var one = queries.evaluate(prometheus.url(), bounded, "fail", "checkout-canary");
        long t3 = System.nanoTime();
        assertThat(d.kind()).isEqualTo(CanaryAnalysis.Kind.FAIL);
        assertThat(samples.values()).hasSize(120);
        assertThat(one.error()).as(one.evidence().observed()).isFalse();
        if (metric == null) {
          var stable =
              queries.range(
                  prometheus.url(),
                  CanaryAnalysis.fill(JudgeOnPrometheusTest.LATENCY, "fail", "checkout"),
                  JudgeOnPrometheusTest.T0,
                  JudgeOnPrometheusTest.END,
                  JudgeOnPrometheusTest.EVERY);
          metric =
              new Judge.Metric(
                  "latency",
                  "c",
                  "s",
                  samples.values(),
                  stable.values(),
                  Judge.Thresholds.of(Judge.BadWhen.HIGHER));
        }
        long t4 = System.nanoTime();
        Judge.judge(List.of(metric), 95, 75);
        long t5 = System.nanoTime();
        if (i >= 0) {
          judge[i] = t1 - t0;
          range[i] = t2 - t1;
          instant[i] = t3 - t2;
          uTest[i] = t5 - t4;
        }
      }
      String table =
          "| what | runs | p50 ms | p95 ms | max ms | mean ms |\n|---|---:|---:|---:|---:|---:|\n"
              + row("judge: 2 range queries (canary, stable) + U test + score", judge)
              + row("bare range query of the canary side (same data)", range)
              + row("bare instant query (a bounded check's shape)", instant)
              + row("U test + score alone (120 vs 120 samples, no I/O)", uTest)
              + "\nMachine: "
              + Runtime.getRuntime().availableProcessors()
              + " cores, load average at the end "
              + Files.readString(Path.of("/proc/loadavg")).strip()
              + ", JDK "
              + System.getProperty("java.version")
              + "\n";
      System.out.println(table);
      Path out = Path.of("target/benchmarks/judge.md");
      Files.createDirectories(out.getParent());
      Files.writeString(out, table);
    }
  }

  private static String row(String name, long[] nanos) {
    Latencies l = Latencies.ofNanos(nanos);
    return String.format(
        java.util.Locale.ROOT,
        "| %s | %d | %.2f | %.2f | %.2f | %.3f |%n",
        name,
        l.count(),
        l.percentileMs(0.50),
        l.percentileMs(0.95),
        l.maxMs(),
        l.meanMs());
  }
}
