package dev.patchops.rollout.canary.step;

import static org.assertj.core.api.Assertions.assertThat;

import dev.patchops.contract.model.CanaryStep;
import dev.patchops.rollout.canary.Rollout;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class PauseTest {
  static final Instant READY = Instant.parse("2026-12-05T10:00:00Z");

  static Rollout soaking(int pauseSeconds) {
    Rollout r = new Rollout();
    r.id = "r-1";
    r.namespace = "shop";
    r.deployment = "checkout";
    r.steps = List.of(new CanaryStep(25, pauseSeconds));
    r.stepIndex = 0;
    r.stepReadyAt = READY;
    return r;
  }

  @Test
  void theSoakCountsFromReadinessAndIsDueWhenThePauseHasElapsed() {
    Rollout r = soaking(60);
    Pause early = Pause.of(r, READY.plusSeconds(59));
    assertThat(early.soaked()).isEqualTo(Duration.ofSeconds(59));
    assertThat(early.due()).isFalse();
    assertThat(early.evidence().passed()).isFalse();
    Pause done = Pause.of(r, READY.plusSeconds(60));
    assertThat(done.due()).isTrue();
    assertThat(done.evidence().passed()).isTrue();
    assertThat(done.evidence().threshold()).isEqualTo(">= 60 s");
  }

  @Test
  void aPromotedStepIsDueBeforeItsPauseButItsEvidenceSaysTheSoakWasShort() {
    Rollout r = soaking(600);
    r.promoteStep = true;
    Pause pause = Pause.of(r, READY.plusSeconds(5));
    assertThat(pause.due()).isTrue();
    assertThat(pause.evidence().passed()).isFalse();
  }
}
