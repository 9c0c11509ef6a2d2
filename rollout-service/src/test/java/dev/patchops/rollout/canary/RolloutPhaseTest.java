package dev.patchops.rollout.canary;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.EnumSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class RolloutPhaseTest {

  @Test
  void aTerminalPhaseIsFinal() {
    for (RolloutPhase phase : RolloutPhase.TERMINAL) {
      assertThat(phase.next()).as("%s", phase).isEmpty();
    }
  }

  @Test
  void everyActivePhaseCanStillEnd() {
    for (RolloutPhase phase : RolloutPhase.values()) {
      if (phase.active()) {
        assertThat(reachable(phase)).as("%s", phase).containsAnyElementsOf(RolloutPhase.TERMINAL);
      }
    }
  }

  /** A live patch must always have a way back: the promise the whole service is built on. */
  @Test
  void everyPhaseWithThePatchLiveCanRevert() {
    for (RolloutPhase phase : RolloutPhase.values()) {
      assertThat(phase.canMoveTo(RolloutPhase.REVERTING))
          .as("%s", phase)
          .isEqualTo(phase.revertible());
    }
  }

  @Test
  void nothingSkipsTheCheckpointOrTheVerifiedRevert() {
    assertThat(RolloutPhase.PENDING.next())
        .containsExactlyInAnyOrder(RolloutPhase.PROGRESSING, RolloutPhase.FAILED);
    assertThat(RolloutPhase.REVERTING.next()).containsExactly(RolloutPhase.REVERTED);
    assertThat(RolloutPhase.PROGRESSING.canMoveTo(RolloutPhase.WATCHING)).isFalse();
    assertThat(RolloutPhase.PROGRESSING.canMoveTo(RolloutPhase.SUCCEEDED)).isFalse();
    assertThat(RolloutPhase.PROMOTING.canMoveTo(RolloutPhase.SUCCEEDED)).isFalse();
  }

  @Test
  void aRolloutMovesOnlyAlongTheTable() {
    Rollout r = new Rollout();
    r.id = "r-1";
    assertThatThrownBy(() -> r.moveTo(RolloutPhase.PROGRESSING))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("null to PROGRESSING");
    r.moveTo(RolloutPhase.PENDING);
    r.moveTo(RolloutPhase.PROGRESSING);
    r.moveTo(RolloutPhase.REVERTING);
    assertThatThrownBy(() -> r.moveTo(RolloutPhase.SUCCEEDED))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("rollout r-1 cannot move from REVERTING to SUCCEEDED");
    assertThat(r.phase).isEqualTo(RolloutPhase.REVERTING);
    r.moveTo(RolloutPhase.REVERTED);
    assertThatThrownBy(() -> r.moveTo(RolloutPhase.REVERTING))
        .isInstanceOf(IllegalStateException.class);
  }

  private static Set<RolloutPhase> reachable(RolloutPhase from) {
    Set<RolloutPhase> seen = EnumSet.noneOf(RolloutPhase.class);
    Deque<RolloutPhase> todo = new ArrayDeque<>(from.next());
    while (!todo.isEmpty()) {
      RolloutPhase p = todo.pop();
      if (seen.add(p)) {
        todo.addAll(p.next());
      }
    }
    return seen;
  }
}
