package dev.patchops.rollout.rollout;

import java.util.EnumSet;
import java.util.Set;

/**
 * Where a rollout is. The engine moves it forward; an alert, a failed analysis or an abort moves it
 * to {@link #REVERTING} from any active phase.
 */
public enum RolloutPhase {
  /** Accepted; nothing in the cluster is touched until the checkpoint is recorded. */
  PENDING,
  /** A canary step: canary scaled to the step's weight, then paused and analysed. */
  PROGRESSING,
  /** The patched spec is being written to the stable Deployment. */
  PROMOTING,
  /** Promoted; the checkpoint stays armed until the watch window ends. */
  WATCHING,
  /** Restoring the checkpoint, until the live spec verifies against it. */
  REVERTING,
  SUCCEEDED,
  REVERTED,
  /** Could not start (no checkpoint could be recorded): nothing was changed. */
  FAILED,
  /** Not started: another rollout of the same workload is active. */
  REFUSED;

  public static final Set<RolloutPhase> TERMINAL = EnumSet.of(SUCCEEDED, REVERTED, FAILED, REFUSED);

  public boolean active() {
    return !TERMINAL.contains(this);
  }

  /** Phases in which the patch is live somewhere, so a failure must revert. */
  public boolean revertible() {
    return this == PROGRESSING || this == PROMOTING || this == WATCHING;
  }
}
