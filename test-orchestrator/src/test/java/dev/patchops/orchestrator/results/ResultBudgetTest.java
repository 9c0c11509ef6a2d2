package dev.patchops.orchestrator.results;

import static org.assertj.core.api.Assertions.assertThat;

import dev.patchops.contract.ContractJson;
import dev.patchops.contract.EventType;
import dev.patchops.contract.events.TestRunCompleted;
import dev.patchops.contract.model.AttemptChanges;
import dev.patchops.contract.model.SuiteResult;
import dev.patchops.contract.model.TestAnalytics;
import dev.patchops.contract.model.TestCaseResult;
import dev.patchops.contract.model.TestOutcome;
import dev.patchops.platform.messaging.EventSchemas;
import java.io.ByteArrayInputStream;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The largest results a run can gather, through the same scan and parse a run uses, fit in one
 * Kafka record and in the contract's schema.
 */
class ResultBudgetTest {
  private static final int KAFKA_RECORD_LIMIT = 1024 * 1024;
  private static final int HEADROOM = 16 * 1024;

  /** 200 log lines of 100,000 control characters (six bytes each in JSON). */
  private static String hugeLog() {
    String line = "\u0001".repeat(100_000);
    StringBuilder log = new StringBuilder();
    for (int i = 0; i < 200; i++) {
      log.append(line).append('\n');
    }
    return log.toString();
  }

  /** A JUnit report of 2,000 failures, long names and long messages (3-byte characters). */
  private static String hugeReport(String suite) {
    StringBuilder xml = new StringBuilder("<testsuites><testsuite name=\"" + suite + "\">");
    String text = "€".repeat(3000);
    for (int i = 0; i < 2000; i++) {
      xml.append("<testcase classname=\"c")
          .append(text, 0, 1000)
          .append("\" name=\"t")
          .append(i)
          .append("\"><failure message=\"")
          .append(text)
          .append("\"/></testcase>");
    }
    return xml.append("</testsuite></testsuites>").toString();
  }

  private static SuiteResult worstSuite(String name, SuiteLog.Scanned log) {
    JunitReport.Parsed junit =
        JunitReport.parse(
            new ByteArrayInputStream(hugeReport(name).getBytes(StandardCharsets.UTF_8)),
            name,
            JunitReport.Limits.DEFAULT);
    return new SuiteResult(
        name,
        TestOutcome.FAILED,
        1,
        1000,
        junit.tests(),
        junit.failures(),
        junit.errors(),
        junit.skipped(),
        junit.cases(),
        log.tail());
  }

  @Test
  void aSuiteLogTailIsCappedInBytesWithAMarker() {
    SuiteLog.Scanned log = SuiteLog.scan(new StringReader(hugeLog()), 200, 1024);
    assertThat(log.lines()).isEqualTo(200);
    assertThat(ResultBudget.jsonBytes(log.tail()))
        .isLessThanOrEqualTo(ResultBudget.TOTAL_TAIL_BYTES);
    assertThat(log.tail()).startsWith("[truncated: ").endsWith("\u0001");
    // ASCII counts one byte a character, a control character six
    assertThat(ResultBudget.jsonBytes("a\u0001\"é€😀")).isEqualTo(1 + 6 + 2 + 2 + 3 + 4);
  }

  @Test
  void theLargestResultsOfTwentySuitesFitOneKafkaRecordAndTheSchema() throws Exception {
    SuiteLog.Scanned log = SuiteLog.scan(new StringReader(hugeLog()), 200, 1024);
    List<SuiteResult> reported = new ArrayList<>();
    for (int s = 0; s < 20; s++) {
      reported.add(worstSuite("suite-" + s, log));
    }
    List<SuiteResult> suites = ResultBudget.fitSuites(reported);
    // as RunExecutor lists them
    List<String> failures = new ArrayList<>();
    List<String> names = new ArrayList<>();
    for (SuiteResult r : suites) {
      for (TestCaseResult c : r.cases()) {
        failures.add(r.name() + " / " + c.name() + ": " + c.failureMessage());
      }
    }
    for (SuiteResult r : reported) {
      for (TestCaseResult c : r.cases()) {
        names.add(r.name() + " / " + c.name());
      }
    }
    AttemptChanges changes =
        ResultBudget.fitChanges(new AttemptChanges(1, 1, names, names, names, names, "summary"));
    TestAnalytics analytics =
        new TestAnalytics(
            1000,
            null,
            0,
            suites,
            ResultBudget.fitFailures(failures),
            List.of(),
            List.of(),
            changes);
    TestRunCompleted event =
        new TestRunCompleted(
            "TCK-1", 1, "run-1", 1, null, TestOutcome.FAILED, analytics, Instant.now(), "dana");

    byte[] json = ContractJson.mapper().writeValueAsBytes(event);
    assertThat(json.length).isLessThan(KAFKA_RECORD_LIMIT - HEADROOM);
    assertThat(
            new EventSchemas()
                .violations(EventType.TEST_RUN_COMPLETED, ContractJson.mapper().readTree(json)))
        .isEmpty();

    // What was cut is said: the counters stay as the suites reported them, the lists are marked.
    assertThat(suites.get(0).failures()).isEqualTo(2000);
    assertThat(suites.stream().mapToInt(s -> s.cases().size()).sum())
        .isLessThan(40_000)
        .isPositive();
    assertThat(analytics.failureMessages()).hasSize(ResultBudget.MAX_FAILURE_MESSAGES + 1);
    assertThat(analytics.failureMessages().get(ResultBudget.MAX_FAILURE_MESSAGES))
        .startsWith("[truncated: ");
    assertThat(analytics.failureMessages().get(0)).contains("… [truncated: ");
    int tails = suites.stream().mapToInt(s -> ResultBudget.jsonBytes(s.logTail())).sum();
    assertThat(tails).isLessThanOrEqualTo(ResultBudget.TOTAL_TAIL_BYTES);
  }
}
