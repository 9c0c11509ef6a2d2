package dev.patchops.rollout.scaling;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.patchops.rollout.scaling.CanaryScale.Plan;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class CanaryScaleTest {
  static final int CAP = 3;
  static final double TOLERANCE = 5;

  static Plan replicas(int replicas, int weight) {
    return CanaryScale.plan(replicas, weight, false, CAP, TOLERANCE);
  }

  @Test
  void oneReplicaAtTenPercentWithoutARouteIsRefused() {
    Plan p = replicas(1, 10);
    assertThat(p.honoured()).isFalse();
    // The best within the cap: 1 canary beside 1 + 3 stable is 20 %, still 10 points away.
    assertThat(p.canaryReplicas()).isEqualTo(1);
    assertThat(p.stableReplicas()).isEqualTo(4);
    assertThat(p.actualWeight()).isCloseTo(20, within(1e-9));
    assertThat(p.refusal(1, TOLERANCE))
        .isEqualTo(
            "step 1 asks for 10 % on 1 replica without a traffic route; the closest achievable"
                + " canary share is 20 % (1 canary beside 4 stable), more than 5 percentage"
                + " points away");
  }

  @Test
  void oneReplicaWithoutExtraStableIsAlwaysHalf() {
    Plan p = CanaryScale.plan(1, 10, false, 0, TOLERANCE);
    assertThat(p.honoured()).isFalse();
    assertThat(p.actualWeight()).isCloseTo(50, within(1e-9));
    assertThat(p.extraStable()).isZero();
    assertThat(CanaryScale.plan(1, 50, false, 0, TOLERANCE).honoured()).isTrue();
  }

  @Test
  void fourReplicasAtTenPercentScaleTheStableUpAndTwentyFiveDoesNot() {
    Plan ten = replicas(4, 10);
    Plan quarter = replicas(4, 25);
    // 1 canary beside the 4 stable would be 20 % for both: 10 % needs the stable scaled up.
    assertThat(ten.honoured()).isTrue();
    assertThat(ten.canaryReplicas()).isEqualTo(1);
    assertThat(ten.stableReplicas()).isEqualTo(7);
    assertThat(ten.extraStable()).isEqualTo(3);
    assertThat(ten.actualWeight()).isCloseTo(12.5, within(1e-9));
    // 20 % is within the tolerance of 25 %: no Pod is added for it.
    assertThat(quarter.honoured()).isTrue();
    assertThat(quarter.canaryReplicas()).isEqualTo(1);
    assertThat(quarter.stableReplicas()).isEqualTo(4);
    assertThat(quarter.actualWeight()).isCloseTo(20, within(1e-9));
    assertThat(ten.actualWeight()).isNotEqualTo(quarter.actualWeight());
  }

  @Test
  void aTighterToleranceTakesTheExactSizeWithExtraStable() {
    Plan p = CanaryScale.plan(4, 25, false, CAP, 1);
    assertThat(p.honoured()).isTrue();
    assertThat(p.canaryReplicas()).isEqualTo(2);
    assertThat(p.stableReplicas()).isEqualTo(6);
    assertThat(p.actualWeight()).isCloseTo(25, within(1e-9));
  }

  @Test
  void aLargerCapReachesTheExactShareAndNoMoreStableThanNeeded() {
    Plan p = CanaryScale.plan(4, 10, false, 20, TOLERANCE);
    // 1 beside 9 is exactly 10 %; more extra replicas could not be closer.
    assertThat(p.canaryReplicas()).isEqualTo(1);
    assertThat(p.stableReplicas()).isEqualTo(9);
    assertThat(p.actualWeight()).isCloseTo(10, within(1e-9));
  }

  @Test
  void equallyCloseSharesKeepTheFewerExtraReplicas() {
    // 1 replica at 20 %: 1 beside 4 is exact; with a cap of 10 nothing beats it, so 4 it stays.
    Plan p = CanaryScale.plan(1, 20, false, 10, TOLERANCE);
    assertThat(p.stableReplicas()).isEqualTo(4);
    assertThat(p.canaryReplicas()).isEqualTo(1);
  }

  @ParameterizedTest(name = "{0} replicas at {1} %: {2} canary beside {3} stable")
  @CsvSource({
    // replicas, weight, canary, stable, actual
    "4, 30, 2, 4, 33.333",
    "4, 50, 4, 4, 50",
    "4, 60, 6, 4, 60",
    "4, 80, 16, 4, 80",
    "10, 10, 1, 10, 9.091",
    "10, 25, 3, 10, 23.077",
    "3, 50, 3, 3, 50",
    "2, 25, 1, 3, 25",
    "1, 25, 1, 3, 25",
    "1, 50, 1, 1, 50",
  })
  void theClosestShareIsChosen(int replicas, int weight, int canary, int stable, double actual) {
    Plan p = replicas(replicas, weight);
    assertThat(p.honoured()).isTrue();
    assertThat(p.canaryReplicas()).isEqualTo(canary);
    assertThat(p.stableReplicas()).isEqualTo(stable);
    assertThat(p.actualWeight()).isCloseTo(actual, within(0.001));
    assertThat(Math.abs(p.actualWeight() - weight)).isLessThanOrEqualTo(TOLERANCE);
  }

  @Test
  void noStableReplicaIsEverTakenAway() {
    for (int replicas = 1; replicas <= 12; replicas++) {
      for (int weight = 1; weight <= 100; weight++) {
        Plan p = replicas(replicas, weight);
        assertThat(p.stableReplicas()).isBetween(replicas, replicas + CAP);
        assertThat(p.canaryReplicas()).isPositive();
        if (p.honoured()) {
          assertThat(Math.abs(p.actualWeight() - weight)).isLessThanOrEqualTo(TOLERANCE);
        }
        if (p.extraStable() > 0) {
          // Extra replicas only where the stable's own were not enough to come close.
          assertThat(CanaryScale.plan(replicas, weight, false, 0, TOLERANCE).honoured())
              .as("%d replicas at %d %%", replicas, weight)
              .isFalse();
        }
      }
    }
  }

  @Test
  void fullPromotionRunsEveryReplicaOfTheStable() {
    for (boolean routed : new boolean[] {false, true}) {
      Plan p = CanaryScale.plan(4, 100, routed, CAP, TOLERANCE);
      assertThat(p.honoured()).isTrue();
      assertThat(p.actualWeight()).isEqualTo(100);
      assertThat(p.stableReplicas()).isEqualTo(4);
      assertThat(p.extraStable()).isZero();
    }
    assertThat(CanaryScale.plan(1, 100, false, 0, TOLERANCE).honoured()).isTrue();
  }

  @ParameterizedTest(name = "routed, {0} replicas at {1} %: {2} canary")
  @CsvSource({"1, 10, 1", "1, 90, 1", "4, 10, 1", "4, 25, 1", "4, 30, 2", "4, 60, 4", "10, 5, 1"})
  void withARouteTheShareIsExactAndTheStableKeepsItsReplicas(int replicas, int weight, int canary) {
    Plan p = CanaryScale.plan(replicas, weight, true, CAP, TOLERANCE);
    assertThat(p.honoured()).isTrue();
    assertThat(p.routed()).isTrue();
    assertThat(p.actualWeight()).isEqualTo(weight);
    assertThat(p.canaryReplicas()).isEqualTo(canary);
    assertThat(p.stableReplicas()).isEqualTo(replicas);
  }

  @Test
  void aRoutedRefusalCannotHappenButAnUnroutedOneNamesTheRoute() {
    Plan p = CanaryScale.plan(2, 5, false, 0, 1);
    assertThat(p.honoured()).isFalse();
    assertThat(p.refusal(3, 1)).contains("step 3", "on 2 replicas", "without a traffic route");
    assertThat(p.refusal(3, 1)).contains("33.3 %");
  }

  @Test
  void aPlanIsRefusedByItsFirstStepThatCannotBeHonoured() {
    var steps =
        java.util.List.of(
            new dev.patchops.contract.model.CanaryStep(50, 60),
            new dev.patchops.contract.model.CanaryStep(10, 60),
            new dev.patchops.contract.model.CanaryStep(5, 60),
            new dev.patchops.contract.model.CanaryStep(100, 0));
    assertThat(CanaryScale.refusal(steps, 1, false, CAP, TOLERANCE))
        .hasValueSatisfying(
            reason ->
                assertThat(reason)
                    .startsWith("step 2 asks for 10 % on 1 replica without a traffic route")
                    .contains("20 % (1 canary beside 4 stable)"));
    // The same plan on 20 replicas, or with a route, can be honoured.
    assertThat(CanaryScale.refusal(steps, 20, false, CAP, TOLERANCE)).isEmpty();
    assertThat(CanaryScale.refusal(steps, 1, true, 0, TOLERANCE)).isEmpty();
    assertThat(CanaryScale.refusal(java.util.List.of(), 1, false, 0, TOLERANCE)).isEmpty();
  }

  @Test
  void zeroReplicasCountAsOneAndWeightsOutsideTheRangeAreRejected() {
    assertThat(replicas(0, 50).baseReplicas()).isEqualTo(1);
    assertThatThrownBy(() -> replicas(4, 0)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> replicas(4, 101)).isInstanceOf(IllegalArgumentException.class);
  }
}
