package dev.patchops.audit.changerecord;

import static dev.patchops.audit.changerecord.ChangeRecordFixtures.hex;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class ChangeRecordRenderTest {
  private static final String SCRIPT_TITLE = "<script>alert(1)</script>";
  private static final ChangeRecord RECORD =
      ChangeRecordBuilder.build(
          "T-1001", ChangeRecordFixtures.completeHistory("T-1001", SCRIPT_TITLE));

  private static final List<String> SECTION_HEADINGS =
      List.of(
          "Ticket",
          "Timeline",
          "Alerts",
          "Diagnostics",
          "Root cause",
          "Revisions",
          "Gate refusals",
          "Rollouts",
          "Hardware",
          "Outcome",
          "Flagged records",
          "Completeness",
          "Hash chain");

  private static final List<String> SUB_HEADINGS =
      List.of(
          "Revision 1",
          "Revision 3",
          "Test runs",
          "Analytics of run run-1 attempt 1",
          "Approvals",
          "Rejections",
          "Emergency reviews",
          "Rollout ro-2",
          "Checkpoints (backout plan)",
          "Canary steps",
          "Reverts");

  /** Values an auditor looks for first; none of them contains a character that gets escaped. */
  private static final List<String> KEY_VALUES =
      List.of(
          "SEV2",
          "fp-checkout-5xx",
          "CheckoutHighErrorRate",
          "Connection leak in CheckoutDao exhausts the pool",
          "root-cause-first",
          hex('1', 40),
          "erin",
          "checkout timed out after 30s",
          "cp-ro-2",
          "error rate 7% above 2%",
          "ANALYSIS",
          "4200 ms",
          "WATCH",
          "Reviewed: error rate at baseline for 24 h after rollout",
          "payload is not JSON",
          "post-implementation-review",
          "SOC 2 CC8.1",
          "ISO 27001 A.8.32",
          "PCI DSS 6.5.1",
          String.format("%064x", 145 * 7919),
          hex('0', 64));

  @Test
  void markdownHasEverySectionAndKeyValue() {
    String md = ChangeRecordMarkdown.render(RECORD);

    assertThat(md).startsWith("# Change record T-1001\n");
    SECTION_HEADINGS.forEach(h -> assertThat(md).contains("\n## " + h + "\n"));
    SUB_HEADINGS.forEach(
        h ->
            assertThat(md)
                .containsPattern("\n#{3,5} " + h.replace("(", "\\(").replace(")", "\\)") + "\n"));
    KEY_VALUES.forEach(v -> assertThat(md).contains(v));
    assertThat(md).contains("**Complete:** yes");
  }

  @Test
  void markdownEscapesEventData() {
    String md = ChangeRecordMarkdown.render(RECORD);

    assertThat(md).doesNotContain("<script>").contains("&lt;script&gt;alert(1)&lt;/script&gt;");
    assertThat(md).contains("| Description | Checkout fails \\| customers cannot pay |");
    assertThat(md).contains("checkout\\_5xx");
    // Every table row keeps its column count despite the pipe in the description.
    md.lines()
        .filter(l -> l.startsWith("| Description |"))
        .forEach(l -> assertThat(l.replace("\\|", "").chars().filter(c -> c == '|')).hasSize(3));
  }

  @Test
  void markdownEscapesMarkupAndLineBreaks() {
    assertThat(ChangeRecordMarkdown.text("a|b\n*c* [d](e) `f` <g> & h_i"))
        .isEqualTo("a\\|b ↵ \\*c\\* \\[d\\](e) \\`f\\` &lt;g&gt; &amp; h\\_i");
    assertThat(ChangeRecordMarkdown.text(null)).isEqualTo("—");
  }

  @Test
  void htmlHasEverySectionAndKeyValue() {
    String html = ChangeRecordHtml.render(RECORD);

    assertThat(html).startsWith("<!DOCTYPE html>").contains("<h1>Change record T-1001</h1>");
    SECTION_HEADINGS.forEach(
        h -> assertThat(html).containsPattern("<h2 id=\"[a-z-]+\">" + h + "</h2>"));
    SUB_HEADINGS.forEach(
        h ->
            assertThat(html)
                .containsPattern(
                    "<h[345]>" + h.replace("(", "\\(").replace(")", "\\)") + "</h[345]>"));
    KEY_VALUES.forEach(v -> assertThat(html).contains(v));
    assertThat(html).contains("Checkout fails | customers cannot pay");
    assertThat(html).contains("<span class=\"present\">yes</span>");
    assertThat(html).doesNotContain("<script", "src=", "href=\"http");
  }

  @Test
  void htmlEscapesEventData() {
    String html = ChangeRecordHtml.render(RECORD);

    assertThat(html).doesNotContain(SCRIPT_TITLE).contains("&lt;script&gt;alert(1)&lt;/script&gt;");
  }

  @Test
  void incompleteRecordShowsMissingFields() {
    ChangeRecord incomplete =
        ChangeRecordBuilder.build("T-4001", ChangeRecordFixtures.incompleteHistory("T-4001"));

    String md = ChangeRecordMarkdown.render(incomplete);
    assertThat(md).contains("**Complete:** no").contains("MISSING").contains("_None._");
    assertThat(md).contains("| Reason and description of the change | justification |");

    String html = ChangeRecordHtml.render(incomplete);
    assertThat(html).contains("<span class=\"missing\">MISSING</span>").contains(">None.</p>");
  }
}
