package dev.patchops.orchestrator.results;

import static org.assertj.core.api.Assertions.assertThat;

import dev.patchops.contract.model.TestCaseResult;
import dev.patchops.contract.model.TestCaseStatus;
import java.util.List;
import org.junit.jupiter.api.Test;

class AttemptComparisonTest {
  private static TestCaseResult c(String name, TestCaseStatus status) {
    return new TestCaseResult(
        "e2e", name, status, 10, status == TestCaseStatus.PASSED ? null : "boom");
  }

  @Test
  void attemptTwoReportsNewlyFailingFixedAndFlaky() {
    List<TestCaseResult> first =
        List.of(
            c("stable", TestCaseStatus.PASSED),
            c("regressed", TestCaseStatus.PASSED),
            c("repaired", TestCaseStatus.FAILED),
            c("flaps", TestCaseStatus.FAILED),
            c("skippedThenFails", TestCaseStatus.SKIPPED));
    List<TestCaseResult> second =
        List.of(
            c("stable", TestCaseStatus.PASSED),
            c("regressed", TestCaseStatus.ERROR),
            c("repaired", TestCaseStatus.PASSED),
            c("flaps", TestCaseStatus.PASSED),
            c("skippedThenFails", TestCaseStatus.FAILED),
            c("brandNewFailing", TestCaseStatus.FAILED));

    // Attempt 2 re-runs the same commit: a test that changes outcome there is flaky.
    AttemptComparison.Changes sameCommit = AttemptComparison.compare(second, first, List.of(first));
    assertThat(sameCommit.newlyFailing())
        .containsExactly("e2e / regressed", "e2e / brandNewFailing");
    assertThat(sameCommit.fixed()).containsExactly("e2e / repaired", "e2e / flaps");
    assertThat(sameCommit.flaky())
        .containsExactlyInAnyOrder("e2e / regressed", "e2e / repaired", "e2e / flaps");
    assertThat(sameCommit.summary())
        .isEqualTo("2 newly failing, 2 fixed, 3 flaky since the previous attempt");

    // A new revision is a new commit: changes are real, nothing is flaky.
    AttemptComparison.Changes newCommit = AttemptComparison.compare(second, first, List.of());
    assertThat(newCommit.flaky()).isEmpty();
    assertThat(newCommit.newlyFailing()).hasSize(2);

    AttemptComparison.Changes firstAttempt = AttemptComparison.compare(first, List.of(), List.of());
    assertThat(firstAttempt.newlyFailing()).containsExactly("e2e / repaired", "e2e / flaps");
    assertThat(firstAttempt.fixed()).isEmpty();
  }
}
