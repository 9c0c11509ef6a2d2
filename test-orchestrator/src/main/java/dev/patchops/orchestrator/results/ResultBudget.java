package dev.patchops.orchestrator.results;

import dev.patchops.contract.model.AttemptChanges;
import dev.patchops.contract.model.SuiteResult;
import dev.patchops.contract.model.TestCaseResult;
import dev.patchops.contract.model.TestCaseStatus;
import java.util.ArrayList;
import java.util.List;

/**
 * Fits what a run reports into one Kafka record. A suite prints what it likes: 200 log lines of any
 * length, a JUnit report of thousands of failures with messages of any size. The run's
 * test.run-completed event carries them, and an event over 1 MiB is refused by Kafka, so the parts
 * are capped in bytes of their JSON form (a control character takes six), each cut marked.
 *
 * <p>Budgets: all log tails together {@value #TOTAL_TAIL_BYTES} bytes; each failure message {@value
 * #MESSAGE_BYTES} bytes and at most {@value #MAX_FAILURE_MESSAGES} of them in the run's list; the
 * test cases of all suites {@value #CASES_BYTES} bytes (non-passing cases kept first, the suites'
 * counters stay as reported); each list of the comparison with the last attempt {@value
 * #CHANGES_BYTES} bytes. Together well under 1 MiB.
 */
public final class ResultBudget {
  public static final int TOTAL_TAIL_BYTES = 64 * 1024;
  public static final int MESSAGE_BYTES = 1024;
  public static final int MAX_FAILURE_MESSAGES = 200;
  public static final int CASES_BYTES = 384 * 1024;
  public static final int CHANGES_BYTES = 32 * 1024;

  /** The contract's bounds on a test case (TestCaseResult). */
  static final int CASE_NAME_CHARS = 512;

  static final int SUITE_NAME_CHARS = 63;

  /** What one case costs besides its text: field names, status, duration, punctuation. */
  private static final int CASE_OVERHEAD = 96;

  private ResultBudget() {}

  /** The suites with their tails and cases cut to the budgets. */
  public static List<SuiteResult> fitSuites(List<SuiteResult> suites) {
    int tailShare = suites.isEmpty() ? TOTAL_TAIL_BYTES : TOTAL_TAIL_BYTES / suites.size();
    // Non-passing cases first, in suite order, then passing ones, until the budget is spent.
    List<List<TestCaseResult>> capped = new ArrayList<>();
    for (SuiteResult suite : suites) {
      capped.add(suite.cases().stream().map(ResultBudget::capCase).toList());
    }
    List<boolean[]> keep = new ArrayList<>();
    for (List<TestCaseResult> cases : capped) {
      keep.add(new boolean[cases.size()]);
    }
    long spent = 0;
    for (boolean passing : new boolean[] {false, true}) {
      for (int s = 0; s < capped.size(); s++) {
        List<TestCaseResult> cases = capped.get(s);
        for (int c = 0; c < cases.size(); c++) {
          TestCaseResult tc = cases.get(c);
          if ((tc.status() == TestCaseStatus.PASSED) != passing) {
            continue;
          }
          long cost = cost(tc);
          if (spent + cost > CASES_BYTES) {
            continue;
          }
          spent += cost;
          keep.get(s)[c] = true;
        }
      }
    }
    List<SuiteResult> fitted = new ArrayList<>();
    for (int s = 0; s < suites.size(); s++) {
      SuiteResult suite = suites.get(s);
      List<TestCaseResult> kept = new ArrayList<>();
      for (int c = 0; c < capped.get(s).size(); c++) {
        if (keep.get(s)[c]) {
          kept.add(capped.get(s).get(c));
        }
      }
      fitted.add(
          new SuiteResult(
              suite.name(),
              suite.outcome(),
              suite.exitCode(),
              suite.durationMs(),
              suite.tests(),
              suite.failures(),
              suite.errors(),
              suite.skipped(),
              kept,
              suite.logTail() == null ? null : keepEnd(suite.logTail(), tailShare)));
    }
    return fitted;
  }

  /** At most {@value #MAX_FAILURE_MESSAGES} messages of {@value #MESSAGE_BYTES} bytes, marked. */
  public static List<String> fitFailures(List<String> failures) {
    List<String> fitted = new ArrayList<>();
    for (int i = 0; i < failures.size() && i < MAX_FAILURE_MESSAGES; i++) {
      fitted.add(keepStart(failures.get(i), MESSAGE_BYTES));
    }
    if (failures.size() > MAX_FAILURE_MESSAGES) {
      fitted.add(
          "[truncated: "
              + (failures.size() - MAX_FAILURE_MESSAGES)
              + " more failure messages not shown]");
    }
    return fitted;
  }

  /** Each list of names within {@value #CHANGES_BYTES} bytes; the summary keeps the counts. */
  public static AttemptChanges fitChanges(AttemptChanges changes) {
    if (changes == null) {
      return null;
    }
    return new AttemptChanges(
        changes.previousAttempt(),
        changes.previousRevision(),
        names(changes.newlyFailing()),
        names(changes.fixed()),
        names(changes.stillFailing()),
        names(changes.flaky()),
        keepStart(changes.summary(), MESSAGE_BYTES));
  }

  private static List<String> names(List<String> names) {
    List<String> fitted = new ArrayList<>();
    long spent = 0;
    for (String name : names) {
      String capped = keepStart(name, CASE_NAME_CHARS);
      long cost = jsonBytes(capped) + 1;
      if (spent + cost > CHANGES_BYTES) {
        break;
      }
      spent += cost;
      fitted.add(capped);
    }
    return fitted;
  }

  private static TestCaseResult capCase(TestCaseResult tc) {
    return new TestCaseResult(
        keepStart(tc.suite(), SUITE_NAME_CHARS),
        keepStart(tc.name(), CASE_NAME_CHARS),
        tc.status(),
        tc.durationMs(),
        tc.failureMessage() == null ? null : keepStart(tc.failureMessage(), MESSAGE_BYTES));
  }

  private static long cost(TestCaseResult tc) {
    return CASE_OVERHEAD
        + jsonBytes(tc.suite())
        + jsonBytes(tc.name())
        + (tc.failureMessage() == null ? 0 : jsonBytes(tc.failureMessage()));
  }

  /**
   * The end of {@code text} within {@code maxBytes} bytes of JSON, behind a marker saying how much
   * was cut; a log's last lines say most.
   */
  public static String keepEnd(String text, int maxBytes) {
    if (jsonBytes(text) <= maxBytes) {
      return text;
    }
    String marker = "[truncated: " + text.length() + " characters, the last ones kept]\n";
    int budget = maxBytes - jsonBytes(marker);
    int start = text.length();
    int spent = 0;
    while (start > 0) {
      int cp = text.codePointBefore(start);
      int cost = jsonBytes(cp);
      if (spent + cost > budget) {
        break;
      }
      spent += cost;
      start -= Character.charCount(cp);
    }
    return marker + text.substring(start);
  }

  /**
   * The start of {@code text} within {@code maxBytes} bytes of JSON (or characters, for a name,
   * whichever is less), followed by a marker saying how much was cut.
   */
  public static String keepStart(String text, int maxBytes) {
    if (text == null || (jsonBytes(text) <= maxBytes && text.length() <= maxBytes)) {
      return text;
    }
    String marker = "… [truncated: " + text.length() + " characters]";
    int budget = maxBytes - Math.max(jsonBytes(marker), marker.length());
    int end = 0;
    int spent = 0;
    while (end < text.length()) {
      int cp = text.codePointAt(end);
      int cost = Math.max(jsonBytes(cp), Character.charCount(cp));
      if (spent + cost > budget) {
        break;
      }
      spent += cost;
      end += Character.charCount(cp);
    }
    return text.substring(0, end) + marker;
  }

  /** The bytes {@code text} takes as a JSON string's content (UTF-8, escapes included). */
  public static int jsonBytes(String text) {
    if (text == null) {
      return 0;
    }
    int bytes = 0;
    for (int i = 0; i < text.length(); ) {
      int cp = text.codePointAt(i);
      bytes += jsonBytes(cp);
      i += Character.charCount(cp);
    }
    return bytes;
  }

  private static int jsonBytes(int cp) {
    if (cp == '"'
        || cp == '\\'
        || cp == '\b'
        || cp == '\f'
        || cp == '\n'
        || cp == '\r'
        || cp == '\t') {
      return 2;
    }
    if (cp < 0x20) {
      return 6; // a six-character escape, backslash u and four hex digits
    }
    if (cp < 0x80) {
      return 1;
    }
    if (cp < 0x800) {
      return 2;
    }
    return cp < 0x10000 ? 3 : 4;
  }
}
