package dev.patchops.orchestrator.results;

import static org.assertj.core.api.Assertions.assertThat;

import dev.patchops.contract.JunitLog;
import dev.patchops.contract.model.TestCaseResult;
import dev.patchops.contract.model.TestCaseStatus;
import java.io.ByteArrayInputStream;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class JunitReportTest {
  private static final String REPORT =
      """
      <?xml version="1.0" encoding="UTF-8"?>
      <testsuites>
        <testsuite name="checkout-it" tests="4" failures="1" errors="1" skipped="1" time="3.5">
          <testcase classname="shop.CheckoutIT" name="paysWithCard" time="1.25"/>
          <testcase classname="shop.CheckoutIT" name="refunds" time="0.5">
            <failure message="expected 200 but was 502" type="AssertionError">stack...</failure>
          </testcase>
          <testcase classname="shop.CheckoutIT" name="talksToPayments" time="2">
            <error message="Connection refused" type="java.net.ConnectException"/>
          </testcase>
          <testcase classname="shop.CheckoutIT" name="giftCards"><skipped/></testcase>
        </testsuite>
      </testsuites>
      """;

  private static JunitReport.Parsed parse(String xml, JunitReport.Limits limits) {
    return JunitReport.parse(
        new ByteArrayInputStream(xml.getBytes(StandardCharsets.UTF_8)), "e2e", limits);
  }

  @Test
  void readsCasesStatusesDurationsAndMessages() {
    JunitReport.Parsed parsed = parse(REPORT, JunitReport.Limits.DEFAULT);
    assertThat(parsed.tests()).isEqualTo(4);
    assertThat(parsed.failures()).isEqualTo(1);
    assertThat(parsed.errors()).isEqualTo(1);
    assertThat(parsed.skipped()).isEqualTo(1);
    assertThat(parsed.cases())
        .extracting(TestCaseResult::name, TestCaseResult::status, TestCaseResult::durationMs)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple(
                "shop.CheckoutIT.paysWithCard", TestCaseStatus.PASSED, 1250L),
            org.assertj.core.groups.Tuple.tuple(
                "shop.CheckoutIT.refunds", TestCaseStatus.FAILED, 500L),
            org.assertj.core.groups.Tuple.tuple(
                "shop.CheckoutIT.talksToPayments", TestCaseStatus.ERROR, 2000L),
            org.assertj.core.groups.Tuple.tuple(
                "shop.CheckoutIT.giftCards", TestCaseStatus.SKIPPED, 0L));
    assertThat(parsed.cases().get(1).failureMessage())
        .isEqualTo("AssertionError: expected 200 but was 502");
    assertThat(parsed.cases()).allMatch(c -> c.suite().equals("e2e"));
  }

  @Test
  void capsKeptCasesAndMessagesButCountsEverything() {
    StringBuilder big = new StringBuilder("<testsuite name='big' tests='5000'>");
    for (int i = 0; i < 5000; i++) {
      big.append("<testcase name='t").append(i).append("'>");
      if (i % 2 == 0) {
        big.append("<failure message='").append("x".repeat(5000)).append("'/>");
      }
      big.append("</testcase>");
    }
    big.append("</testsuite>");
    JunitReport.Parsed parsed = parse(big.toString(), new JunitReport.Limits(100, 50));
    assertThat(parsed.tests()).isEqualTo(5000);
    assertThat(parsed.failures()).isEqualTo(2500);
    assertThat(parsed.cases()).hasSize(100);
    assertThat(parsed.omittedCases()).isEqualTo(4900);
    assertThat(parsed.cases().get(0).failureMessage()).hasSizeLessThan(80).endsWith("(5000 chars)");
  }

  @Test
  void aReportCutShortTrustsTheDeclaredCounters() {
    String cut =
        REPORT.substring(
            0, REPORT.indexOf("<testcase classname=\"shop.CheckoutIT\" name=\"talksToPayments\""));
    JunitReport.Parsed parsed = parse(cut, JunitReport.Limits.DEFAULT);
    assertThat(parsed.cases()).hasSize(2);
    assertThat(parsed.tests()).isEqualTo(4);
    assertThat(parsed.errors()).isEqualTo(1);
  }

  @Test
  void externalEntitiesAreNeverResolved() {
    String xxe =
        "<?xml version='1.0'?><!DOCTYPE t [<!ENTITY e SYSTEM 'file:///etc/passwd'>]>"
            + "<testsuite tests='1'><testcase name='t'><failure message='&e;'/></testcase></testsuite>";
    JunitReport.Parsed parsed = parse(xxe, JunitReport.Limits.DEFAULT);
    assertThat(parsed.cases())
        .noneMatch(c -> c.failureMessage() != null && c.failureMessage().contains("root:"));
  }

  @Test
  void theLogScanKeepsABoundedTailAndLiftsTheReportOut() {
    StringBuilder log = new StringBuilder();
    for (int i = 0; i < 1000; i++) {
      log.append("line ").append(i).append('\n');
    }
    log.append(JunitLog.BEGIN).append('\n').append(REPORT).append(JunitLog.END).append('\n');
    log.append("done\n");
    SuiteLog.Scanned scanned = SuiteLog.scan(new StringReader(log.toString()), 3, 1 << 20);
    assertThat(scanned.tail()).isEqualTo("line 998\nline 999\ndone");
    assertThat(scanned.junitTruncated()).isFalse();
    JunitReport.Parsed parsed =
        JunitReport.parse(
            new ByteArrayInputStream(scanned.junit()), "e2e", JunitReport.Limits.DEFAULT);
    assertThat(parsed.cases()).hasSize(4);

    SuiteLog.Scanned small = SuiteLog.scan(new StringReader(log.toString()), 3, 200);
    assertThat(small.junitTruncated()).isTrue();
    assertThat(small.junit().length).isLessThanOrEqualTo(200);
    assertThat(SuiteLog.scan(new StringReader("no report\n"), 10, 100).junit()).isNull();
  }
}
