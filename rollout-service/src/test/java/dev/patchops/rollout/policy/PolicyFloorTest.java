package dev.patchops.rollout.policy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.patchops.contract.model.CanaryStep;
import dev.patchops.rollout.canary.AnalysisSpec;
import dev.patchops.rollout.canary.AnalysisSpec.MetricQuery;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class PolicyFloorTest {
  static final String PROM = "http://prometheus:9090";
  static final MetricQuery ERRORS = new MetricQuery("errors", "sum(rate(e[1m]))", null, 0.01);
  static final List<CanaryStep> STEPS =
      List.of(new CanaryStep(10, 60), new CanaryStep(50, 60), new CanaryStep(100, 0));

  static RolloutPolicy policy(RolloutPolicy.Traffic traffic) {
    return new RolloutPolicy(
        "strict",
        3,
        Instant.EPOCH,
        null,
        List.of("checkout"),
        STEPS,
        new AnalysisSpec(60, 1, PROM, List.of(ERRORS)),
        traffic,
        null,
        List.of());
  }

  @Test
  void withoutAPolicyTheRequestStandsAsItIs() {
    var steps = List.of(new CanaryStep(50, 0));
    var e = PolicyFloor.apply(null, steps, null, "route");
    assertThat(e.refused()).isFalse();
    assertThat(e.steps()).isEqualTo(steps);
    assertThat(e.analysis()).isEqualTo(AnalysisSpec.DEFAULTS);
    assertThat(e.httpRoute()).isEqualTo("route");
    assertThat(PolicyFloor.apply(null, List.of(), null, null).steps()).isNull();
  }

  @Test
  void aRequestWithoutItsOwnGetsThePolicy() {
    var e = PolicyFloor.apply(policy(null), List.of(), AnalysisSpec.DEFAULTS, null);
    assertThat(e.refused()).isFalse();
    assertThat(e.steps()).isEqualTo(STEPS);
    assertThat(e.analysis()).isEqualTo(new AnalysisSpec(60, 1, PROM, List.of(ERRORS)));
  }

  @Test
  void stepsMayBeMoreCarefulNeverLess() {
    var careful =
        List.of(
            new CanaryStep(5, 60),
            new CanaryStep(25, 60),
            new CanaryStep(50, 60),
            new CanaryStep(100, 0));
    var ok = PolicyFloor.apply(policy(null), careful, null, null);
    assertThat(ok.refused()).isFalse();
    assertThat(ok.steps()).isEqualTo(careful);

    assertThat(
            PolicyFloor.apply(
                    policy(null),
                    List.of(new CanaryStep(20, 60), new CanaryStep(50, 60), new CanaryStep(100, 0)),
                    null,
                    null)
                .refusals())
        .singleElement()
        .asString()
        .contains("first weight 20%")
        .contains("strict");
    assertThat(
            PolicyFloor.apply(
                    policy(null),
                    List.of(new CanaryStep(10, 600), new CanaryStep(100, 0)),
                    null,
                    null)
                .refusals())
        .singleElement()
        .asString()
        .contains("2 step(s), fewer than");
    assertThat(
            PolicyFloor.apply(
                    policy(null),
                    List.of(new CanaryStep(10, 1), new CanaryStep(50, 1), new CanaryStep(100, 0)),
                    null,
                    null)
                .refusals())
        .singleElement()
        .asString()
        .contains("2 s of pauses");
  }

  @Test
  void queriesMayBeAddedNotReplacedAndLimitsOnlyTightened() {
    MetricQuery latency = new MetricQuery("latency", "p99", null, 0.5);
    var added =
        PolicyFloor.apply(
            policy(null), null, new AnalysisSpec(30, 0, null, List.of(latency)), null);
    assertThat(added.refused()).isFalse();
    assertThat(added.analysis()).isEqualTo(new AnalysisSpec(30, 0, PROM, List.of(ERRORS, latency)));

    var replaced =
        PolicyFloor.apply(
            policy(null),
            null,
            new AnalysisSpec(null, null, null, List.of(new MetricQuery("errors", "0", null, 1.0))),
            null);
    assertThat(replaced.refusals()).singleElement().asString().contains("queries[errors]");
    // The policy's query given again as it is: nothing is weakened.
    assertThat(
            PolicyFloor.apply(
                    policy(null), null, new AnalysisSpec(null, null, null, List.of(ERRORS)), null)
                .refused())
        .isFalse();

    var looser =
        PolicyFloor.apply(policy(null), null, new AnalysisSpec(600, 5, null, List.of()), null);
    assertThat(looser.refusals())
        .hasSize(2)
        .anySatisfy(r -> assertThat(r).startsWith("analysis.progressDeadlineSeconds: 600"))
        .anySatisfy(r -> assertThat(r).startsWith("analysis.maxRestarts: 5"));

    var moved =
        PolicyFloor.apply(
            policy(null), null, new AnalysisSpec(null, null, "http://elsewhere:9090", null), null);
    assertThat(moved.refusals()).singleElement().asString().contains("prometheusUrl");
  }

  @Test
  void aPolicyThatSetsTheTrafficModeDecidesIt() {
    var replicas = policy(new RolloutPolicy.Traffic(false, null));
    assertThat(PolicyFloor.apply(replicas, null, null, null).httpRoute()).isNull();
    assertThat(PolicyFloor.apply(replicas, null, null, "shop-route").refusals())
        .singleElement()
        .asString()
        .contains("replica ratio");

    var gateway = policy(new RolloutPolicy.Traffic(true, "shop-route"));
    assertThat(PolicyFloor.apply(gateway, null, null, null).httpRoute()).isEqualTo("shop-route");
    assertThat(PolicyFloor.apply(gateway, null, null, "shop-route").refused()).isFalse();
    assertThat(PolicyFloor.apply(gateway, null, null, "other").refusals())
        .singleElement()
        .asString()
        .contains("routes through HTTPRoute shop-route");

    // No mode in the policy: the request decides.
    assertThat(PolicyFloor.apply(policy(null), null, null, "mine").httpRoute()).isEqualTo("mine");
  }

  @Test
  void comparisonsMayBeAddedNotReplacedAndScoresOnlyRaised() {
    AnalysisSpec.Comparison latency =
        new AnalysisSpec.Comparison("latency", "p99", "higher", null, null, null, null, null, null);
    AnalysisSpec.Comparison errors =
        new AnalysisSpec.Comparison("errors", "rate", "higher", null, null, null, null, null, null);
    RolloutPolicy judged =
        new RolloutPolicy(
            "judged",
            4,
            Instant.EPOCH,
            null,
            List.of("checkout"),
            STEPS,
            new AnalysisSpec(60, 1, PROM, List.of(), List.of(latency), 90.0, 70.0),
            null,
            null,
            List.of());
    var added =
        PolicyFloor.apply(
            judged,
            null,
            new AnalysisSpec(null, null, null, List.of(), List.of(errors), 95.0, null),
            null);
    assertThat(added.refused()).isFalse();
    assertThat(added.analysis().comparisons()).containsExactly(latency, errors);
    assertThat(added.analysis().passScore()).isEqualTo(95.0);
    assertThat(added.analysis().marginalScore()).isEqualTo(70.0);

    var weaker =
        PolicyFloor.apply(
            judged,
            null,
            new AnalysisSpec(
                null,
                null,
                null,
                List.of(),
                List.of(
                    new AnalysisSpec.Comparison(
                        "latency", "p50", "higher", null, null, null, null, null, null)),
                50.0,
                null),
            null);
    assertThat(weaker.refusals())
        .hasSize(2)
        .anySatisfy(r -> assertThat(r).startsWith("analysis.comparisons[latency]"))
        .anySatisfy(r -> assertThat(r).startsWith("analysis.passScore: 50.0"));
  }
}
