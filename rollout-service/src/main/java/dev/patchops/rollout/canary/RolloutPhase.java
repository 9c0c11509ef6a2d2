package dev.patchops.rollout.canary;

import java.util.EnumSet;
import java.util.Map;
import java.util.Set;

/**
 * Where a rollout is. The engine moves it forward; an alert, a failed analysis or an abort moves it
 * to {@link #REVERTING} from any phase in which the patch is live. Every change of phase goes
 * through {@link #canMoveTo} (see {@link Rollout#moveTo}); the diagram is in docs/architecture.md.
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

  /**
   * Where a rollout may begin: accepted, or refused at the gate and kept as the refusal's record.
   */
  public static final Set<RolloutPhase> INITIAL = EnumSet.of(PENDING, REFUSED);

  private static final Map<RolloutPhase, Set<RolloutPhase>> NEXT =
      Map.ofEntries(
          // PENDING -> FAILED: nothing could be checkpointed, or it was stopped before any change.
          Map.entry(PENDING, EnumSet.of(PROGRESSING, FAILED)),
          Map.entry(PROGRESSING, EnumSet.of(PROMOTING, REVERTING)),
          Map.entry(PROMOTING, EnumSet.of(WATCHING, REVERTING)),
          Map.entry(WATCHING, EnumSet.of(SUCCEEDED, REVERTING)),
          Map.entry(REVERTING, EnumSet.of(REVERTED)),
          Map.entry(SUCCEEDED, EnumSet.noneOf(RolloutPhase.class)),
          Map.entry(REVERTED, EnumSet.noneOf(RolloutPhase.class)),
          Map.entry(FAILED, EnumSet.noneOf(RolloutPhase.class)),
          Map.entry(REFUSED, EnumSet.noneOf(RolloutPhase.class)));

  /** A step passing keeps a rollout PROGRESSING; that is not a change of phase. */
  public boolean canMoveTo(RolloutPhase next) {
    return NEXT.get(this).contains(next);
  }

  public Set<RolloutPhase> next() {
    return Set.copyOf(NEXT.get(this));
  }

  public boolean active() {
    return !TERMINAL.contains(this);
  }

  /** Phases in which the patch is live somewhere, so a failure must revert. */
  public boolean revertible() {
    return this == PROGRESSING || this == PROMOTING || this == WATCHING;
  }
}
