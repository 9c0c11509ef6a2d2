package dev.patchops.orchestrator.results;

import static org.assertj.core.api.Assertions.assertThat;

import dev.patchops.contract.model.AttemptChanges;
import dev.patchops.contract.model.TestCaseResult;
import dev.patchops.contract.model.TestCaseStatus;
import java.util.List;
import org.junit.jupiter.api.Test;

class AttemptComparisonTest {
  private static TestCaseResult c(String name, TestCaseStatus status) {
    return new TestCaseResult(
        "e2e", name, status, 10, status == TestCaseStatus.PASSED ? null : "boom");
  }

  private static final List<TestCaseResult> REVISION_1 =
      List.of(
          c("stable", TestCaseStatus.PASSED),
          c("regressed", TestCaseStatus.PASSED),
          c("repaired", TestCaseStatus.FAILED),
          c("broken", TestCaseStatus.ERROR),
          c("skippedThenFails", TestCaseStatus.SKIPPED));

  private static final List<TestCaseResult> REVISION_2 =
      List.of(
          c("stable", TestCaseStatus.PASSED),
          c("regressed", TestCaseStatus.ERROR),
          c("repaired", TestCaseStatus.PASSED),
          c("broken", TestCaseStatus.FAILED),
          c("skippedThenFails", TestCaseStatus.FAILED),
          c("brandNewFailing", TestCaseStatus.FAILED));

  @Test
  void aNewRevisionListsNewlyFailingFixedAndStillFailing() {
    // Revision 2 is a new image: nothing ran on it before, so nothing is flaky.
    AttemptComparison.Changes changes =
        AttemptComparison.compare(REVISION_2, REVISION_1, List.of());
    assertThat(changes.newlyFailing())
        .containsExactly("e2e / regressed", "e2e / skippedThenFails", "e2e / brandNewFailing");
    assertThat(changes.fixed()).containsExactly("e2e / repaired");
    assertThat(changes.stillFailing()).containsExactly("e2e / broken");
    assertThat(changes.flaky()).isEmpty();
    assertThat(changes.summary()).isEqualTo("3 newly failing, 1 fixed, 1 still failing, 0 flaky");
  }

  @Test
  void aRerunOfTheSameImageCallsAChangeOfOutcomeFlakyNotFixedOrNewlyFailing() {
    List<TestCaseResult> rerun =
        List.of(
            c("stable", TestCaseStatus.PASSED),
            c("regressed", TestCaseStatus.PASSED),
            c("repaired", TestCaseStatus.FAILED),
            c("broken", TestCaseStatus.ERROR),
            c("skippedThenFails", TestCaseStatus.SKIPPED));
    // Attempt 3 re-runs revision 2's image: regressed and repaired flipped back.
    AttemptComparison.Changes changes =
        AttemptComparison.compare(rerun, REVISION_2, List.of(REVISION_2));
    assertThat(changes.flaky()).containsExactlyInAnyOrder("e2e / regressed", "e2e / repaired");
    assertThat(changes.fixed()).isEmpty();
    assertThat(changes.newlyFailing()).isEmpty();
    assertThat(changes.stillFailing()).containsExactly("e2e / broken");
  }

  @Test
  void aTestThatFlappedOnThisImageBeforeStaysFlakyAcrossAttempts() {
    List<TestCaseResult> passing = List.of(c("flaps", TestCaseStatus.PASSED));
    List<TestCaseResult> failing = List.of(c("flaps", TestCaseStatus.FAILED));
    // Previous attempt was another image where it passed; on this image it failed once and
    // passed once before: failing now is not news about the change.
    AttemptComparison.Changes changes =
        AttemptComparison.compare(failing, passing, List.of(failing, passing));
    assertThat(changes.flaky()).containsExactly("e2e / flaps");
    assertThat(changes.newlyFailing()).isEmpty();
  }

  @Test
  void theContractFormNamesThePreviousAttemptAndEveryList() {
    AttemptChanges since = AttemptComparison.compare(REVISION_2, REVISION_1, List.of()).since(4, 1);
    assertThat(since.previousAttempt()).isEqualTo(4);
    assertThat(since.previousRevision()).isEqualTo(1);
    assertThat(since.fixed()).containsExactly("e2e / repaired");
    assertThat(since.summary())
        .isEqualTo(
            "3 newly failing, 1 fixed, 1 still failing, 0 flaky since attempt 4 (revision 1);"
                + " newly failing: e2e / regressed, e2e / skippedThenFails, e2e / brandNewFailing;"
                + " fixed: e2e / repaired; still failing: e2e / broken");
  }
}
