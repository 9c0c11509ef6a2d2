package dev.patchops.orchestrator.results;

import dev.patchops.contract.model.TestCaseResult;
import dev.patchops.contract.model.TestCaseStatus;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What changed since the previous attempt, and which tests are flaky: tests that both passed and
 * failed on the same commit. A test is keyed by suite and name.
 */
public final class AttemptComparison {
  public record Changes(List<String> newlyFailing, List<String> fixed, List<String> flaky) {
    public String summary() {
      return String.format(
          "%d newly failing, %d fixed, %d flaky since the previous attempt",
          newlyFailing.size(), fixed.size(), flaky.size());
    }
  }

  private AttemptComparison() {}

  /**
   * @param previous the cases of the previous attempt of this revision, empty for the first
   * @param sameCommit the cases of every earlier attempt on the same commit, the previous included
   */
  public static Changes compare(
      List<TestCaseResult> current,
      List<TestCaseResult> previous,
      List<List<TestCaseResult>> sameCommit) {
    Map<String, TestCaseStatus> now = byKey(current);
    Map<String, TestCaseStatus> before = byKey(previous);
    List<String> newlyFailing = new ArrayList<>();
    List<String> fixed = new ArrayList<>();
    now.forEach(
        (key, status) -> {
          TestCaseStatus was = before.get(key);
          if (failed(status) && (was == null || was == TestCaseStatus.PASSED)) {
            newlyFailing.add(key);
          } else if (status == TestCaseStatus.PASSED && failed(was)) {
            fixed.add(key);
          }
        });
    Set<String> flaky = new LinkedHashSet<>();
    Map<String, Set<Boolean>> outcomes = new LinkedHashMap<>();
    List<List<TestCaseResult>> all = new ArrayList<>(sameCommit);
    all.add(current);
    for (List<TestCaseResult> attempt : all) {
      byKey(attempt)
          .forEach(
              (key, status) -> {
                if (status != TestCaseStatus.SKIPPED) {
                  outcomes.computeIfAbsent(key, k -> new LinkedHashSet<>()).add(!failed(status));
                }
              });
    }
    outcomes.forEach(
        (key, seen) -> {
          if (seen.size() > 1) {
            flaky.add(key);
          }
        });
    return new Changes(newlyFailing, fixed, List.copyOf(flaky));
  }

  private static boolean failed(TestCaseStatus status) {
    return status == TestCaseStatus.FAILED || status == TestCaseStatus.ERROR;
  }

  private static Map<String, TestCaseStatus> byKey(List<TestCaseResult> cases) {
    Map<String, TestCaseStatus> map = new LinkedHashMap<>();
    for (TestCaseResult c : cases) {
      map.put(c.suite() + " / " + c.name(), c.status());
    }
    return map;
  }
}
