package dev.patchops.rollout;

import dev.patchops.testing.prometheus.RealPrometheus;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Map;
import java.util.stream.IntStream;

/**
 * A real Prometheus for the rollouts the engine judges (JudgeRolloutTest): the last two hours of a
 * latency gauge for the Pods of every shop's {@code checkout} Deployment and its canary, one {@code
 * scenario} label per outcome, since the tests' namespaces are made per test.
 */
public class JudgePrometheus implements QuarkusTestResourceLifecycleManager {
  public static final String CANARY_POD = "checkout-canary-5d8f7c9b4-abcde";
  public static final String STABLE_POD = "checkout-7d9f8b6c5-xk2lp";

  /** How much slower the promoted Pods are than the canary's in the "watch" scenario. */
  public static final double WATCH_SLOW = 500;

  private static RealPrometheus prometheus;

  public static String url() {
    return prometheus.url();
  }

  static double[] latency(int n, double shift) {
    return IntStream.range(0, n).mapToDouble(i -> 10 + (i % 60) * 0.1 + shift).toArray();
  }

  @Override
  public Map<String, String> start() {
    Duration every = Duration.ofSeconds(30);
    // Two hours, ending a minute before the start: a test's 3 h look-back sees all of it for the
    // first hour of the suite, whenever in it the test runs.
    int n = 238;
    Instant t0 = Instant.now().minus(Duration.ofMinutes(120)).truncatedTo(ChronoUnit.SECONDS);
    var m = new RealPrometheus.OpenMetrics();
    for (var s : Map.of("pass", 0.05, "fail", 3.0).entrySet()) {
      m.gauge(
          "request_latency_ms",
          t0,
          every,
          latency(n, 0),
          "scenario",
          s.getKey(),
          "pod",
          STABLE_POD);
      m.gauge(
          "request_latency_ms",
          t0,
          every,
          latency(n, s.getValue()),
          "scenario",
          s.getKey(),
          "pod",
          CANARY_POD);
    }
    // The watch window's bounded query (WatchWindowTest): the canary's Pods were fast, the
    // promoted stable Pods are slow, so the step passes and the window fails.
    m.gauge(
        "request_latency_ms",
        t0,
        every,
        latency(n, WATCH_SLOW),
        "scenario",
        "watch",
        "pod",
        STABLE_POD);
    m.gauge("request_latency_ms", t0, every, latency(n, 0), "scenario", "watch", "pod", CANARY_POD);
    prometheus = RealPrometheus.start(m);
    // LocalHttp's stand-in is address [0]; both are allowed, each exactly.
    return Map.of("rollout.prometheus-urls[1]", prometheus.url());
  }

  @Override
  public void stop() {
    if (prometheus != null) {
      prometheus.close();
    }
  }
}
