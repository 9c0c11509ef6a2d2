package dev.patchops.audit.changerecord;

import dev.patchops.audit.changerecord.ChangeRecord.Alert;
import dev.patchops.audit.changerecord.ChangeRecord.Approval;
import dev.patchops.audit.changerecord.ChangeRecord.CanaryStepRecord;
import dev.patchops.audit.changerecord.ChangeRecord.ChainLink;
import dev.patchops.audit.changerecord.ChangeRecord.Checkpoint;
import dev.patchops.audit.changerecord.ChangeRecord.Diagnostic;
import dev.patchops.audit.changerecord.ChangeRecord.EmergencyReview;
import dev.patchops.audit.changerecord.ChangeRecord.FlaggedRecord;
import dev.patchops.audit.changerecord.ChangeRecord.GateRefusal;
import dev.patchops.audit.changerecord.ChangeRecord.HardwareAction;
import dev.patchops.audit.changerecord.ChangeRecord.OutcomeEvent;
import dev.patchops.audit.changerecord.ChangeRecord.Rejection;
import dev.patchops.audit.changerecord.ChangeRecord.Revert;
import dev.patchops.audit.changerecord.ChangeRecord.Revision;
import dev.patchops.audit.changerecord.ChangeRecord.Rollout;
import dev.patchops.audit.changerecord.ChangeRecord.RootCause;
import dev.patchops.audit.changerecord.ChangeRecord.TestRun;
import dev.patchops.audit.changerecord.ChangeRecord.TicketSummary;
import dev.patchops.audit.changerecord.Completeness.FieldResult;
import dev.patchops.audit.changerecord.Completeness.FrameworkResult;
import dev.patchops.contract.model.AnalysisEvidence;
import dev.patchops.contract.model.SuiteResult;
import dev.patchops.contract.model.TestAnalytics;
import dev.patchops.contract.model.TestCaseResult;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

/**
 * Renders a change record as GitHub-flavoured Markdown.
 *
 * <p>Every value from event data goes through {@link #text(Object)}: the Markdown is meant to be
 * rendered to HTML by whoever reads it, so event data must neither inject markup nor break tables.
 */
public final class ChangeRecordMarkdown {
  private static final String NONE = "_None._";

  private ChangeRecordMarkdown() {}

  public static String render(ChangeRecord record) {
    StringBuilder out = new StringBuilder();
    out.append("# Change record ").append(text(record.ticketId())).append("\n\n");
    ChangeRecord.Page page = record.page();
    if (page != null && !page.complete()) {
      out.append("_Part of the record: at most ")
          .append(page.limit())
          .append(" trail records")
          .append(page.after() == null ? "" : " after seq " + page.after())
          .append(page.next() == null ? "; the last page" : "; next page: after=" + page.next())
          .append("._\n\n");
    }
    ticket(out, record.ticket());
    heading(out, 2, "Timeline");
    table(
        out,
        record.timeline(),
        List.of("Seq", "Time", "Type", "Actor", "Summary"),
        t -> row(t.seq(), t.time(), t.type(), t.actor(), t.summary()));
    heading(out, 2, "Alerts");
    table(
        out,
        record.alerts(),
        List.of("Seq", "Status", "Alert", "Fingerprint", "Severity", "Workload", "Source", "At"),
        (Alert a) ->
            row(
                a.seq(),
                a.status(),
                a.alertName(),
                a.fingerprint(),
                a.severity(),
                a.workload(),
                a.source(),
                a.at()));
    heading(out, 2, "Diagnostics");
    table(
        out,
        record.diagnostics(),
        List.of("Seq", "Id", "Kind", "URI", "Captured", "SHA-256", "Note", "Added by"),
        (Diagnostic d) ->
            row(
                d.seq(),
                d.diagnosticId(),
                d.kind(),
                d.uri(),
                d.capturedAt(),
                d.sha256(),
                d.note(),
                d.addedBy()));
    heading(out, 2, "Root cause");
    if (record.rootCauses().isEmpty()) {
      out.append(NONE).append("\n\n");
    }
    record.rootCauses().forEach(rc -> rootCause(out, rc));
    heading(out, 2, "Revisions");
    if (record.revisions().isEmpty()) {
      out.append(NONE).append("\n\n");
    }
    record.revisions().forEach(r -> revision(out, r));
    heading(out, 2, "Gate refusals");
    table(
        out,
        record.gateRefusals(),
        List.of("Seq", "Action", "Gate", "Actor", "Reason", "Refused at"),
        (GateRefusal g) ->
            row(g.seq(), g.action(), g.gate(), g.actor(), g.reason(), g.refusedAt()));
    heading(out, 2, "Rollouts");
    if (record.rollouts().isEmpty()) {
      out.append(NONE).append("\n\n");
    }
    record.rollouts().forEach(r -> rollout(out, r));
    heading(out, 2, "Hardware");
    table(
        out,
        record.hardware(),
        List.of("Seq", "Action", "Equipment", "By", "Burn-in passed", "At", "Detail"),
        (HardwareAction h) ->
            row(h.seq(), h.action(), h.equipment(), h.by(), h.burnInPassed(), h.at(), h.detail()));
    heading(out, 2, "Outcome");
    out.append("**State:** ")
        .append(text(record.outcome().state()))
        .append("  \n")
        .append(text(record.outcome().summary()))
        .append("\n\n");
    table(
        out,
        record.outcome().events(),
        List.of("Seq", "Action", "By", "Note", "At"),
        (OutcomeEvent o) -> row(o.seq(), o.action(), o.by(), o.note(), o.at()));
    heading(out, 2, "Flagged records");
    table(
        out,
        record.flagged(),
        List.of("Seq", "Stream", "Type", "Reason"),
        (FlaggedRecord f) -> row(f.seq(), f.stream(), f.type(), f.reason()));
    completeness(out, record.completeness());
    chain(out, record);
    return out.toString();
  }

  private static void ticket(StringBuilder out, TicketSummary t) {
    heading(out, 2, "Ticket");
    if (t == null) {
      out.append("_No ticket-opened record in the trail._\n\n");
      return;
    }
    fields(
        out,
        new Object[][] {
          {"Ticket", t.ticketId()},
          {"Title", t.title()},
          {"Kind", t.kind()},
          {"Severity", t.severity()},
          {"Description", t.description()},
          {"Reporter", t.reporter()},
          {"Source", t.source()},
          {"Workload", t.workload()},
          {"Equipment", t.equipment()},
          {"Opened at", t.openedAt()},
          {"Detected at", t.detectedAt()},
          {"Alert fingerprint", t.alertFingerprint()},
          {"Opened record", "seq " + t.seq()}
        });
  }

  private static void rootCause(StringBuilder out, RootCause rc) {
    heading(out, 3, "Root cause recorded at seq " + rc.seq());
    fields(
        out,
        new Object[][] {
          {"Method", rc.method()},
          {"Root cause", rc.rootCause()},
          {"Whys", numbered(rc.whys())},
          {"Contributing factors", rc.contributingFactors()},
          {"Affected components", rc.affectedComponents()},
          {"Evidence", rc.evidenceRefs()},
          {"Recorded by", rc.recordedBy()},
          {"Recorded at", rc.recordedAt()}
        });
  }

  private static void revision(StringBuilder out, Revision r) {
    heading(out, 3, "Revision " + r.number());
    fields(
        out,
        new Object[][] {
          {"Proposed", r.proposedSeq() == null ? null : "seq " + r.proposedSeq()},
          {"Author", r.author()},
          {"Proposed at", r.proposedAt()},
          {"Repository", r.repositoryUrl()},
          {"Commit", r.commitSha()},
          {"Pull request", r.pullRequestUrl()},
          {"Image", r.image()},
          {"Targets", r.targets()},
          {"What", r.what()},
          {"Why", r.why()},
          {"Test suites", r.testSuites()},
          {"Canary plan", r.canarySteps()}
        });
    heading(out, 4, "Test runs");
    table(
        out,
        r.testRuns(),
        List.of(
            "Run",
            "Attempt",
            "Outcome",
            "Requested",
            "Environment",
            "Ready",
            "Completed",
            "Deleted",
            "Seqs"),
        (TestRun t) ->
            row(
                t.runId(),
                t.attempt(),
                t.outcome(),
                join(t.requestedBy(), t.requestedAt()),
                join(
                    t.namespace(),
                    t.sourceNamespace() == null ? null : "mirror of " + t.sourceNamespace()),
                t.environmentReadyAt(),
                t.completedAt(),
                join(t.environmentDeletedAt(), t.deletionReason()),
                t.seqs()));
    r.testRuns().stream().filter(t -> t.analytics() != null).forEach(t -> analytics(out, t));
    heading(out, 4, "Approvals");
    table(
        out,
        r.approvals(),
        List.of(
            "Seq",
            "Approver",
            "Author",
            "Approver is not author",
            "Emergency",
            "Emergency reason",
            "Approved at"),
        (Approval a) ->
            row(
                a.seq(),
                a.approver(),
                a.author(),
                yesNo(a.segregated()),
                yesNo(a.emergency()),
                a.emergencyReason(),
                a.approvedAt()));
    heading(out, 4, "Rejections");
    table(
        out,
        r.rejections(),
        List.of("Seq", "Rejected by", "Reason", "Rejected at"),
        (Rejection j) -> row(j.seq(), j.rejectedBy(), j.reason(), j.rejectedAt()));
    heading(out, 4, "Emergency reviews");
    table(
        out,
        r.emergencyReviews(),
        List.of("Seq", "Reviewer", "Independent", "Accepted", "Findings", "Reviewed at"),
        (EmergencyReview e) ->
            row(
                e.seq(),
                e.reviewer(),
                yesNo(e.independent()),
                yesNo(e.accepted()),
                e.findings(),
                e.reviewedAt()));
  }

  private static void analytics(StringBuilder out, TestRun run) {
    TestAnalytics a = run.analytics();
    heading(out, 5, "Analytics of run " + run.runId() + " attempt " + run.attempt());
    fields(
        out,
        new Object[][] {
          {"Duration", a.durationMs() + " ms"},
          {
            "Changes since last attempt",
            a.changesSinceLastAttempt() == null ? null : a.changesSinceLastAttempt().summary()
          },
          {"Failure messages", a.failureMessages()},
          {"Environment issues", a.environmentIssues()},
          {
            "Secret decisions",
            nullSafe(a.secretDecisions()).stream()
                .map(s -> s.secret() + " " + s.decision() + ": " + s.reason())
                .toList()
          }
        });
    table(
        out,
        nullSafe(a.suites()),
        List.of(
            "Suite",
            "Outcome",
            "Exit",
            "Tests",
            "Failures",
            "Errors",
            "Skipped",
            "Duration",
            "Log tail"),
        (SuiteResult s) ->
            row(
                s.name(),
                s.outcome(),
                s.exitCode(),
                s.tests(),
                s.failures(),
                s.errors(),
                s.skipped(),
                s.durationMs() + " ms",
                s.logTail()));
    List<TestCaseResult> cases =
        nullSafe(a.suites()).stream().flatMap(s -> nullSafe(s.cases()).stream()).toList();
    if (!cases.isEmpty()) {
      table(
          out,
          cases,
          List.of("Suite", "Case", "Status", "Duration", "Failure"),
          (TestCaseResult c) ->
              row(c.suite(), c.name(), c.status(), c.durationMs() + " ms", c.failureMessage()));
    }
  }

  private static void rollout(StringBuilder out, Rollout r) {
    heading(out, 3, "Rollout " + r.rolloutId());
    fields(
        out,
        new Object[][] {
          {"Revision", r.revision()},
          {"Workload", r.workload()},
          {"Image", r.image()},
          {"Origin", r.origin()},
          {"Started by", r.startedBy()},
          {"Policy", r.policy()},
          {"Status", r.status()},
          {"Started", r.startedAt()},
          {"Ended", r.endedAt()},
          {
            "Promoted",
            r.promotion() == null
                ? null
                : r.promotion().promotedAt()
                    + ", watch until "
                    + r.promotion().watchUntil()
                    + " (seq "
                    + r.promotion().seq()
                    + ")"
          },
          {
            "Watch window passed",
            r.watchWindow() == null
                ? null
                : r.watchWindow().passedAt() + " (seq " + r.watchWindow().seq() + ")"
          }
        });
    heading(out, 4, "Checkpoints (backout plan)");
    table(
        out,
        r.checkpoints(),
        List.of(
            "Seq",
            "Checkpoint",
            "Revision",
            "Workload",
            "Spec hash",
            "Config hashes",
            "Recorded at"),
        (Checkpoint c) ->
            row(
                c.seq(),
                c.checkpointId(),
                c.revision(),
                c.workload(),
                c.specHash(),
                c.configHashes(),
                c.recordedAt()));
    heading(out, 4, "Canary steps");
    table(
        out,
        r.steps(),
        List.of(
            "Step", "Weight", "Actual", "Started", "Result", "At", "Reason", "Evidence", "Seqs"),
        (CanaryStepRecord s) ->
            row(
                s.step(),
                s.weight() + "%",
                s.actual(),
                s.startedAt(),
                s.result(),
                s.resultAt(),
                s.failureReason(),
                evidence(s.evidence()),
                join(s.startedSeq(), s.resultSeq())));
    heading(out, 4, "Reverts");
    table(
        out,
        r.reverts(),
        List.of(
            "Seq",
            "Revision",
            "Trigger",
            "Reason",
            "Evidence",
            "Revert started",
            "Completed",
            "Duration",
            "Verified",
            "Restored"),
        (Revert v) ->
            row(
                v.seq(),
                v.revision(),
                v.trigger(),
                v.reason(),
                evidence(v.evidence()),
                v.revertStartedAt(),
                join(v.completedAt(), v.completedSeq() == null ? null : "seq " + v.completedSeq()),
                v.durationMs() == null ? null : v.durationMs() + " ms",
                v.verified() == null ? null : yesNo(v.verified()),
                v.restored()));
  }

  private static void completeness(StringBuilder out, Completeness c) {
    heading(out, 2, "Completeness");
    if (c == null) {
      out.append("_Not assessed._\n\n");
      return;
    }
    out.append("**Complete:** ")
        .append(yesNo(c.complete()))
        .append("  \n**Missing:** ")
        .append(c.missing().isEmpty() ? "none" : text(c.missing()))
        .append("\n\n");
    table(
        out,
        c.fields(),
        List.of("Field", "Id", "Frameworks", "Status", "Evidence (seq)", "Note"),
        (FieldResult f) ->
            row(
                f.label(),
                f.id(),
                f.frameworks(),
                f.present() ? "present" : "MISSING",
                f.evidence(),
                f.note()));
    table(
        out,
        c.frameworks(),
        List.of("Framework", "Present", "Missing"),
        (FrameworkResult f) -> row(f.framework(), f.present(), f.missing()));
  }

  private static void chain(StringBuilder out, ChangeRecord record) {
    heading(out, 2, "Hash chain");
    out.append("Records ")
        .append(record.chain().records())
        .append(", first seq ")
        .append(text(record.chain().firstSeq()))
        .append(", last seq ")
        .append(text(record.chain().lastSeq()))
        .append(
            ". Each hash is SHA-256 over the previous hash and the canonical record; these records"
                + " are part of the global chain, so verify each link against the full trail.\n\n");
    table(
        out,
        record.chain().links(),
        List.of("Seq", "Prev hash", "Hash"),
        (ChainLink l) -> row(l.seq(), l.prevHash(), l.hash()));
  }

  private static void heading(StringBuilder out, int level, String title) {
    out.append("#".repeat(level)).append(' ').append(text(title)).append("\n\n");
  }

  private static void fields(StringBuilder out, Object[][] rows) {
    out.append("| Field | Value |\n|---|---|\n");
    for (Object[] row : rows) {
      out.append("| ").append(text(row[0])).append(" | ").append(text(row[1])).append(" |\n");
    }
    out.append('\n');
  }

  private static <T> void table(
      StringBuilder out, List<T> rows, List<String> headers, Function<T, List<?>> cells) {
    if (rows.isEmpty()) {
      out.append(NONE).append("\n\n");
      return;
    }
    out.append("| ").append(String.join(" | ", headers)).append(" |\n");
    out.append("|").append("---|".repeat(headers.size())).append('\n');
    for (T row : rows) {
      out.append("| ")
          .append(
              cells.apply(row).stream()
                  .map(ChangeRecordMarkdown::text)
                  .collect(Collectors.joining(" | ")))
          .append(" |\n");
    }
    out.append('\n');
  }

  /**
   * Escapes a value for one table cell or line. Markup characters are backslash-escaped; {@code <},
   * {@code >} and {@code &} become entities because Markdown passes raw HTML through; line breaks
   * become a visible mark because a cell cannot span lines.
   */
  static String text(Object value) {
    if (value == null) {
      return "—";
    }
    String s = flatten(value);
    if (s.isEmpty()) {
      return "—";
    }
    StringBuilder out = new StringBuilder(s.length() + 16);
    for (int i = 0; i < s.length(); i++) {
      char ch = s.charAt(i);
      switch (ch) {
        case '&' -> out.append("&amp;");
        case '<' -> out.append("&lt;");
        case '>' -> out.append("&gt;");
        case '\r' -> {}
        case '\n' -> out.append(" ↵ ");
        case '\\', '`', '*', '_', '[', ']', '#', '!', '|', '~', '{', '}' ->
            out.append('\\').append(ch);
        default -> out.append(ch);
      }
    }
    return out.toString();
  }

  private static String flatten(Object value) {
    if (value instanceof Collection<?> items) {
      return items.stream().map(String::valueOf).collect(Collectors.joining("; "));
    }
    if (value instanceof Map<?, ?> entries) {
      return entries.entrySet().stream()
          .map(e -> e.getKey() + "=" + e.getValue())
          .collect(Collectors.joining("; "));
    }
    return value.toString();
  }

  private static List<Object> row(Object... cells) {
    return Arrays.asList(cells);
  }

  private static String evidence(List<AnalysisEvidence> evidence) {
    return evidence.stream()
        .map(
            e ->
                (e.passed() ? "ok " : "FAIL ")
                    + e.check()
                    + " "
                    + e.subject()
                    + " = "
                    + e.observed()
                    + (e.threshold() == null ? "" : " (limit " + e.threshold() + ")"))
        .collect(Collectors.joining("; "));
  }

  private static List<String> numbered(List<String> items) {
    return IntStream.range(0, items.size()).mapToObj(i -> (i + 1) + ". " + items.get(i)).toList();
  }

  private static String join(Object first, Object second) {
    if (first == null) {
      return second == null ? null : second.toString();
    }
    return second == null ? first.toString() : first + ", " + second;
  }

  private static String yesNo(boolean value) {
    return value ? "yes" : "no";
  }

  /** Analytics are passed through from the contract as produced, so they may hold nulls. */
  private static <T> List<T> nullSafe(List<T> list) {
    return list == null ? List.of() : list.stream().filter(Objects::nonNull).toList();
  }
}
