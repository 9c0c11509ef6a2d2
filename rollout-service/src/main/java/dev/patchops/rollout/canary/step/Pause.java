package dev.patchops.rollout.canary.step;

import dev.patchops.contract.model.AnalysisEvidence;
import dev.patchops.rollout.canary.Rollout;
import java.time.Duration;
import java.time.Instant;

/**
 * The last part of a step: its soak. The pause counts from the moment every Pod of the step was
 * ready, not from the step's start: the time a canary takes to start is not time it served.
 *
 * @param soaked how long the ready canary has served
 * @param due whether the step may pass: its pause has elapsed, or someone promoted it
 */
public record Pause(Duration soaked, boolean due, AnalysisEvidence evidence) {

  public static Pause of(Rollout r, Instant now) {
    Duration pause = Duration.ofSeconds(r.currentStep().pauseSeconds());
    Duration soaked = Duration.between(r.stepReadyAt, now);
    boolean elapsed = soaked.compareTo(pause) >= 0;
    return new Pause(
        soaked,
        r.promoteStep || elapsed,
        new AnalysisEvidence(
            "soak",
            r.namespace + "/" + r.canaryName(),
            soaked.toMillis() + " ms since ready at " + r.stepReadyAt,
            ">= " + pause.toSeconds() + " s",
            elapsed));
  }
}
