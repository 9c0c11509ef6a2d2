package dev.patchops.orchestrator.results;

import dev.patchops.contract.model.AttemptChanges;
import dev.patchops.contract.model.TestCaseResult;
import dev.patchops.contract.model.TestCaseStatus;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A run compared with the previous attempt of its ticket, whichever revision that was. A test is
 * keyed by suite and name. Flaky is judged on one image only: a test that both passed and failed on
 * the same image changed without any change to the code, so its change of outcome is listed as
 * flaky and not as newly failing or fixed. Across images, a change of outcome is the change's.
 */
public final class AttemptComparison {
  public record Changes(
      List<String> newlyFailing,
      List<String> fixed,
      List<String> stillFailing,
      List<String> flaky) {
    public String summary() {
      return String.format(
          "%d newly failing, %d fixed, %d still failing, %d flaky",
          newlyFailing.size(), fixed.size(), stillFailing.size(), flaky.size());
    }

    /** The contract's form, naming the attempt compared with. */
    public AttemptChanges since(int previousAttempt, int previousRevision) {
      StringBuilder text =
          new StringBuilder(summary())
              .append(" since attempt ")
              .append(previousAttempt)
              .append(" (revision ")
              .append(previousRevision)
              .append(")");
      append(text, "newly failing", newlyFailing);
      append(text, "fixed", fixed);
      append(text, "still failing", stillFailing);
      append(text, "flaky", flaky);
      return new AttemptChanges(
          previousAttempt,
          previousRevision,
          newlyFailing,
          fixed,
          stillFailing,
          flaky,
          text.toString());
    }

    private static void append(StringBuilder text, String label, List<String> tests) {
      if (!tests.isEmpty()) {
        text.append("; ").append(label).append(": ").append(String.join(", ", tests));
      }
    }
  }

  private AttemptComparison() {}

  /**
   * @param current the cases of this run
   * @param previous the cases of the ticket's previous attempt
   * @param sameImage the cases of every earlier attempt of the ticket on this run's image
   */
  public static Changes compare(
      List<TestCaseResult> current,
      List<TestCaseResult> previous,
      List<List<TestCaseResult>> sameImage) {
    Map<String, TestCaseStatus> now = byKey(current);
    Map<String, TestCaseStatus> before = byKey(previous);
    Set<String> flaky = flaky(current, sameImage);
    List<String> newlyFailing = new ArrayList<>();
    List<String> fixed = new ArrayList<>();
    List<String> stillFailing = new ArrayList<>();
    now.forEach(
        (key, status) -> {
          TestCaseStatus was = before.get(key);
          if (failed(status) && failed(was)) {
            stillFailing.add(key);
          } else if (flaky.contains(key)) {
            return;
          } else if (failed(status)) {
            newlyFailing.add(key);
          } else if (status == TestCaseStatus.PASSED && failed(was)) {
            fixed.add(key);
          }
        });
    return new Changes(
        List.copyOf(newlyFailing),
        List.copyOf(fixed),
        List.copyOf(stillFailing),
        List.copyOf(flaky));
  }

  private static Set<String> flaky(
      List<TestCaseResult> current, List<List<TestCaseResult>> sameImage) {
    Map<String, Set<Boolean>> outcomes = new LinkedHashMap<>();
    List<List<TestCaseResult>> all = new ArrayList<>(sameImage);
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
    Set<String> flaky = new LinkedHashSet<>();
    outcomes.forEach(
        (key, seen) -> {
          if (seen.size() > 1) {
            flaky.add(key);
          }
        });
    return flaky;
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
