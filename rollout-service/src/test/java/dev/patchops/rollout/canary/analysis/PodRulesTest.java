package dev.patchops.rollout.canary.analysis;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class PodRulesTest {
  static final Instant NOW = Instant.parse("2026-12-05T10:00:00Z");
  static final Duration DEADLINE = Duration.ofSeconds(30);

  @Test
  void restartsWithinTheLimitAndRunningContainersPass() {
    PodRules.Verdict v = PodRules.runnable("canary", "shop/checkout-canary", "c", 1, List.of(), 1);
    assertThat(v.failed()).isFalse();
    assertThat(v.evidence()).singleElement().satisfies(e -> assertThat(e.passed()).isTrue());
  }

  @Test
  void restartsAboveTheLimitFailWithTheCount() {
    PodRules.Verdict v =
        PodRules.runnable("promoted", "shop/checkout", "checkout", 2, List.of(), 1);
    assertThat(v.failure()).isEqualTo("promoted Pods restarted 2 times (limit 1)");
    assertThat(v.evidence())
        .singleElement()
        .satisfies(
            e -> {
              assertThat(e.check()).isEqualTo("restarts");
              assertThat(e.observed()).isEqualTo("2");
              assertThat(e.threshold()).isEqualTo("<= 1");
              assertThat(e.passed()).isFalse();
            });
  }

  @Test
  void aContainerThatCannotRunFailsEvenWithoutRestarts() {
    PodRules.Verdict v =
        PodRules.runnable(
            "canary", "shop/checkout-canary", "checkout-canary", 0, List.of("p/app: X"), 1);
    assertThat(v.failure()).isEqualTo("canary Pods cannot run: p/app: X");
    assertThat(v.evidence()).extracting(e -> e.check()).containsExactly("restarts", "pod-state");
  }

  @Test
  void aCrashLoopNamesBothTheWaitingReasonAndTheRestarts() {
    PodRules.Verdict v =
        PodRules.runnable(
            "promoted", "shop/checkout", "checkout", 5, List.of("p/app: CrashLoopBackOff"), 1);
    assertThat(v.failure())
        .isEqualTo(
            "promoted Pods cannot run: p/app: CrashLoopBackOff; promoted Pods restarted 5 times"
                + " (limit 1)");
  }

  @Test
  void allReadyPasses() {
    PodRules.Verdict v = PodRules.ready("shop/checkout", 4, 4, null, NOW, DEADLINE);
    assertThat(v.failed()).isFalse();
    assertThat(v.evidence().get(0).observed()).isEqualTo("4/4 ready");
    assertThat(v.evidence().get(0).passed()).isTrue();
  }

  @Test
  void unreadyWithinTheDeadlineIsEvidenceButNoFailure() {
    PodRules.Verdict v = PodRules.ready("shop/checkout", 3, 4, NOW.minus(DEADLINE), NOW, DEADLINE);
    assertThat(v.failed()).isFalse();
    assertThat(v.evidence().get(0).observed()).isEqualTo("3/4 ready for 30000 ms");
    assertThat(v.evidence().get(0).passed()).isFalse();
  }

  @Test
  void unreadyPastTheDeadlineFails() {
    PodRules.Verdict v =
        PodRules.ready("shop/checkout", 0, 4, NOW.minus(DEADLINE).minusMillis(1), NOW, DEADLINE);
    assertThat(v.failure()).isEqualTo("promoted Pods not ready for more than 30 s (0/4 ready)");
  }
}
