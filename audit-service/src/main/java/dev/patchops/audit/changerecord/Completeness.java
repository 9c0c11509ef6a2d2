package dev.patchops.audit.changerecord;

import dev.patchops.audit.changerecord.ChangeRecord.Approval;
import dev.patchops.audit.changerecord.ChangeRecord.Checkpoint;
import dev.patchops.audit.changerecord.ChangeRecord.EmergencyReview;
import dev.patchops.audit.changerecord.ChangeRecord.OutcomeEvent;
import dev.patchops.audit.changerecord.ChangeRecord.Revert;
import dev.patchops.audit.changerecord.ChangeRecord.Revision;
import dev.patchops.audit.changerecord.ChangeRecord.Rollout;
import dev.patchops.audit.changerecord.ChangeRecord.RootCause;
import dev.patchops.audit.changerecord.ChangeRecord.TestRun;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Stream;

/**
 * Whether a change record answers what auditors sample, field by field, with the trail records that
 * prove each present field.
 *
 * <p>Several rules judge "the change": the revision approved last, because that is the one that
 * went, or was meant to go, to production. Before any approval, the latest proposed revision stands
 * in for it so that an incomplete record still says which of its own fields are there.
 *
 * @param fields every auditor field in checklist order
 * @param frameworks per framework, the ids of the fields it asks for that are present and missing
 * @param present ids of all present fields
 * @param missing ids of all missing fields
 */
public record Completeness(
    List<FieldResult> fields,
    List<FrameworkResult> frameworks,
    List<String> present,
    List<String> missing) {

  public boolean complete() {
    return missing.isEmpty();
  }

  /**
   * @param evidence the sequence numbers of the trail records that show the field, empty when
   *     missing or not applicable
   * @param note why a field is missing, or what makes it present when that is not obvious
   */
  public record FieldResult(
      String id,
      String label,
      List<String> frameworks,
      boolean present,
      List<Long> evidence,
      String note) {}

  public record FrameworkResult(String framework, List<String> present, List<String> missing) {}

  public enum Framework {
    SOC2_CC8_1("SOC 2 CC8.1"),
    ISO27001_A8_32("ISO 27001 A.8.32"),
    PCI_DSS_6_5_1("PCI DSS 6.5.1");

    private final String label;

    Framework(String label) {
      this.label = label;
    }

    public String label() {
      return label;
    }
  }

  /**
   * The auditor fields. The framework mapping follows the text of each control:
   *
   * <ul>
   *   <li>SOC 2 CC8.1 (2017 Trust Services Criteria, revised points of focus 2022): "authorizes,
   *       designs, develops or acquires, configures, documents, tests, approves, and implements
   *       changes", with points of focus on tracking changes (version control, baselines),
   *       identifying and evaluating changes (impact), changes required to remediate incidents, and
   *       changes in emergency situations. It says nothing explicit about backout.
   *   <li>ISO/IEC 27001:2022 A.8.32, read with the ISO/IEC 27002:2022 8.32 guidance: planning and
   *       assessing impact considering dependencies, authorization, tests and their acceptance,
   *       implementation with deployment plans, emergency and contingency considerations including
   *       fall-back procedures, and records of all of this. It does not ask for version control
   *       (that is 8.4/8.28) nor for a link to incidents (5.26).
   *   <li>PCI DSS v4.0 6.5.1 lists exactly: reason and description, documented security impact,
   *       documented approval by authorized parties, testing that the change does not harm
   *       security, and procedures to address failures and return to a secure state. Separation of
   *       duties, post-implementation confirmation and environments are 6.5.2 to 6.5.4, so they are
   *       not mapped here.
   * </ul>
   *
   * Neither SOC 2 nor ISO names a "post-implementation review"; both are mapped because both ask
   * for the change to be tracked to its accepted result (CC8.1 "implements", 27002 8.32 records and
   * acceptance), which is what auditors sample the review for.
   */
  public enum Field {
    JUSTIFICATION(
        "justification",
        "Reason and description of the change",
        EnumSet.allOf(Framework.class),
        Completeness::justification),
    VCS_REFERENCE(
        "vcs-reference",
        "Version-control reference",
        EnumSet.of(Framework.SOC2_CC8_1),
        Completeness::vcsReference),
    RISK_IMPACT(
        "risk-impact",
        "Security and risk impact (severity, affected components)",
        EnumSet.allOf(Framework.class),
        Completeness::riskImpact),
    AFFECTED_ITEMS(
        "affected-items",
        "Affected items",
        EnumSet.of(Framework.SOC2_CC8_1, Framework.ISO27001_A8_32),
        Completeness::affectedItems),
    APPROVAL(
        "approval",
        "Approver with time, separate from the implementer",
        EnumSet.allOf(Framework.class),
        Completeness::approval),
    TEST_EVIDENCE(
        "test-evidence",
        "Passed test run of the approved revision",
        EnumSet.allOf(Framework.class),
        Completeness::testEvidence),
    BACKOUT_PLAN(
        "backout-plan",
        "Backout plan (rollout checkpoint)",
        EnumSet.of(Framework.ISO27001_A8_32, Framework.PCI_DSS_6_5_1),
        Completeness::backoutPlan),
    CHANGE_WINDOW(
        "change-window",
        "Planned and actual window (approval, rollout start and end)",
        EnumSet.of(Framework.SOC2_CC8_1, Framework.ISO27001_A8_32),
        Completeness::changeWindow),
    OUTCOME(
        "outcome",
        "Outcome",
        EnumSet.of(Framework.SOC2_CC8_1, Framework.ISO27001_A8_32),
        Completeness::outcome),
    POST_IMPLEMENTATION_REVIEW(
        "post-implementation-review",
        "Post-implementation review (ticket closed with a note)",
        EnumSet.of(Framework.SOC2_CC8_1, Framework.ISO27001_A8_32),
        Completeness::postImplementationReview),
    EMERGENCY_APPROVAL(
        "emergency-approval",
        "Emergency flag with approval after the fact",
        EnumSet.of(Framework.SOC2_CC8_1, Framework.ISO27001_A8_32),
        Completeness::emergencyApproval),
    INCIDENT_LINK(
        "incident-link",
        "Link to the originating incident",
        EnumSet.of(Framework.SOC2_CC8_1),
        Completeness::incidentLink);

    private final String id;
    private final String label;
    private final Set<Framework> frameworks;
    private final Function<ChangeRecord, Finding> rule;

    Field(
        String id, String label, Set<Framework> frameworks, Function<ChangeRecord, Finding> rule) {
      this.id = id;
      this.label = label;
      this.frameworks = frameworks;
      this.rule = rule;
    }

    public String id() {
      return id;
    }

    public String label() {
      return label;
    }

    public Set<Framework> frameworks() {
      return frameworks;
    }
  }

  private record Finding(boolean present, List<Long> evidence, String note) {
    static Finding present(String note, Long... seqs) {
      return new Finding(
          true, Arrays.stream(seqs).filter(Objects::nonNull).distinct().toList(), note);
    }

    static Finding present(List<Long> seqs, String note) {
      return new Finding(true, seqs.stream().filter(Objects::nonNull).distinct().toList(), note);
    }

    static Finding missing(String note) {
      return new Finding(false, List.of(), note);
    }
  }

  public static Completeness assess(ChangeRecord record) {
    List<FieldResult> fields = new ArrayList<>();
    for (Field field : Field.values()) {
      Finding finding = field.rule.apply(record);
      fields.add(
          new FieldResult(
              field.id,
              field.label,
              field.frameworks.stream().map(Framework::label).toList(),
              finding.present(),
              finding.evidence(),
              finding.note()));
    }
    List<FrameworkResult> frameworks =
        Arrays.stream(Framework.values())
            .map(
                framework ->
                    new FrameworkResult(
                        framework.label(),
                        ids(fields, framework, true),
                        ids(fields, framework, false)))
            .toList();
    return new Completeness(
        List.copyOf(fields),
        frameworks,
        fields.stream().filter(FieldResult::present).map(FieldResult::id).toList(),
        fields.stream().filter(f -> !f.present()).map(FieldResult::id).toList());
  }

  private static List<String> ids(List<FieldResult> fields, Framework framework, boolean present) {
    return fields.stream()
        .filter(f -> f.present() == present && f.frameworks().contains(framework.label()))
        .map(FieldResult::id)
        .toList();
  }

  private static Finding justification(ChangeRecord record) {
    return changeRevision(record)
        .filter(r -> r.proposedSeq() != null)
        .map(
            r ->
                blank(r.why()) || blank(r.what())
                    ? Finding.missing("revision " + r.number() + " does not say what and why")
                    : Finding.present("revision " + r.number(), r.proposedSeq()))
        .orElseGet(() -> Finding.missing("no patch proposed"));
  }

  private static Finding vcsReference(ChangeRecord record) {
    return changeRevision(record)
        .filter(r -> r.proposedSeq() != null)
        .map(
            r ->
                blank(r.repositoryUrl()) || blank(r.commitSha())
                    ? Finding.missing("revision " + r.number() + " names no repository and commit")
                    : Finding.present(r.repositoryUrl() + " @ " + r.commitSha(), r.proposedSeq()))
        .orElseGet(() -> Finding.missing("no patch proposed"));
  }

  private static Finding riskImpact(ChangeRecord record) {
    Optional<RootCause> withComponents =
        latest(
            record.rootCauses().stream().filter(rc -> !rc.affectedComponents().isEmpty()),
            RootCause::seq);
    if (record.ticket() == null || blank(record.ticket().severity())) {
      return Finding.missing("no ticket severity");
    }
    return withComponents
        .map(rc -> Finding.present(record.ticket().severity(), record.ticket().seq(), rc.seq()))
        .orElseGet(() -> Finding.missing("no root cause names the affected components"));
  }

  private static Finding affectedItems(ChangeRecord record) {
    Optional<Revision> revision =
        changeRevision(record).filter(r -> r.proposedSeq() != null && !r.targets().isEmpty());
    if (revision.isPresent()) {
      return Finding.present(
          String.join(", ", revision.get().targets()), revision.get().proposedSeq());
    }
    // A hardware change may have no patch at all; the equipment is what it changes.
    if (record.ticket() != null && !blank(record.ticket().equipment())) {
      return Finding.present(record.ticket().equipment(), record.ticket().seq());
    }
    return Finding.missing("no patch targets or equipment");
  }

  private static Finding approval(ChangeRecord record) {
    Optional<Approval> approval = lastApproval(record);
    if (approval.isEmpty()) {
      return Finding.missing("no approval");
    }
    Approval a = approval.get();
    if (!a.segregated()) {
      return Finding.missing("approved by its own author " + a.approver());
    }
    if (a.approvedAt() == null) {
      return Finding.missing("approval carries no time");
    }
    return Finding.present(a.approver() + " at " + a.approvedAt(), a.seq());
  }

  private static Finding testEvidence(ChangeRecord record) {
    Optional<Revision> approved = approvedRevision(record);
    if (approved.isEmpty()) {
      return Finding.missing("no approved revision");
    }
    return approved.get().testRuns().stream()
        .filter(Completeness::passed)
        .reduce((first, second) -> second)
        .map(run -> Finding.present(run.seqs(), "run " + run.runId() + " passed"))
        .orElseGet(
            () -> Finding.missing("no passed test run of revision " + approved.get().number()));
  }

  private static Finding backoutPlan(ChangeRecord record) {
    Optional<Revision> approved = approvedRevision(record);
    if (approved.isEmpty()) {
      return Finding.missing("no approved revision");
    }
    List<Long> checkpoints =
        rolloutsOf(record, approved.get())
            .flatMap(r -> r.checkpoints().stream())
            .map(Checkpoint::seq)
            .toList();
    return checkpoints.isEmpty()
        ? Finding.missing("no checkpoint for revision " + approved.get().number())
        : Finding.present(checkpoints, "checkpoint recorded before rollout");
  }

  private static Finding changeWindow(ChangeRecord record) {
    Optional<Approval> approval = lastApproval(record);
    Optional<Revision> approved = approvedRevision(record);
    if (approval.isEmpty() || approved.isEmpty()) {
      return Finding.missing("no approval, so no planned window");
    }
    Optional<Rollout> rollout =
        rolloutsOf(record, approved.get())
            .filter(r -> r.startedAt() != null && r.endedAt() != null)
            .reduce((first, second) -> second);
    if (rollout.isEmpty()) {
      return Finding.missing(
          "no rollout of revision " + approved.get().number() + " with a start and an end");
    }
    Rollout r = rollout.get();
    return Finding.present(
        "approved "
            + approval.get().approvedAt()
            + ", rolled out "
            + r.startedAt()
            + " to "
            + r.endedAt(),
        approval.get().seq(),
        r.steps().isEmpty() ? null : r.steps().get(0).startedSeq(),
        endSeq(r));
  }

  private static Long endSeq(Rollout rollout) {
    return Stream.of(
            rollout.promotion() == null ? null : rollout.promotion().seq(),
            rollout.watchWindow() == null ? null : rollout.watchWindow().seq(),
            rollout.reverts().stream()
                .map(Revert::completedSeq)
                .filter(Objects::nonNull)
                .reduce((first, second) -> second)
                .orElse(null))
        .filter(Objects::nonNull)
        .max(Comparator.naturalOrder())
        .orElse(null);
  }

  private static Finding outcome(ChangeRecord record) {
    String state = record.outcome().state();
    if (!"RESOLVED".equals(state) && !"CLOSED".equals(state)) {
      return Finding.missing("ticket is " + state);
    }
    return Finding.present(
        sinceLastReopen(record).stream().map(OutcomeEvent::seq).toList(),
        state.toLowerCase(Locale.ROOT));
  }

  /**
   * The review is the closing note: the one human statement made after the change has settled. A
   * passed watch window is an automated health check and a resolution can be written before it
   * ends, so neither counts as a review on its own.
   */
  private static Finding postImplementationReview(ChangeRecord record) {
    if (!"CLOSED".equals(record.outcome().state())) {
      return Finding.missing("ticket not closed");
    }
    OutcomeEvent closed = sinceLastReopen(record).get(sinceLastReopen(record).size() - 1);
    return blank(closed.note())
        ? Finding.missing("ticket closed without a note")
        : Finding.present("closed by " + closed.by(), closed.seq());
  }

  private static Finding emergencyApproval(ChangeRecord record) {
    List<Long> evidence = new ArrayList<>();
    List<String> gaps = new ArrayList<>();
    for (Revision revision : record.revisions()) {
      for (Approval approval : revision.approvals()) {
        if (!approval.emergency()) {
          continue;
        }
        Optional<EmergencyReview> accepted =
            revision.emergencyReviews().stream()
                .filter(EmergencyReview::independent)
                .filter(EmergencyReview::accepted)
                .findFirst();
        if (blank(approval.emergencyReason())) {
          gaps.add("revision " + revision.number() + " emergency without a reason");
        } else if (accepted.isEmpty()) {
          gaps.add("revision " + revision.number() + " not accepted by an independent review");
        } else {
          evidence.add(approval.seq());
          evidence.add(accepted.get().seq());
        }
      }
    }
    if (!gaps.isEmpty()) {
      return Finding.missing(String.join("; ", gaps));
    }
    return evidence.isEmpty()
        ? Finding.present(List.of(), "not applicable: no emergency approval")
        : Finding.present(evidence, "emergency reviewed after the fact");
  }

  private static Finding incidentLink(ChangeRecord record) {
    if (record.ticket() == null) {
      return Finding.missing("no ticket-opened record");
    }
    String fingerprint = record.ticket().alertFingerprint();
    List<Long> seqs = new ArrayList<>();
    seqs.add(record.ticket().seq());
    if (fingerprint != null) {
      record.alerts().stream()
          .filter(a -> fingerprint.equals(a.fingerprint()))
          .forEach(a -> seqs.add(a.seq()));
    }
    return Finding.present(
        seqs, fingerprint == null ? "ticket opened" : "ticket opened from alert " + fingerprint);
  }

  private static Optional<Approval> lastApproval(ChangeRecord record) {
    return latest(record.revisions().stream().flatMap(r -> r.approvals().stream()), Approval::seq);
  }

  private static Optional<Revision> approvedRevision(ChangeRecord record) {
    return lastApproval(record)
        .flatMap(
            a -> record.revisions().stream().filter(r -> r.approvals().contains(a)).findFirst());
  }

  private static Optional<Revision> changeRevision(ChangeRecord record) {
    return approvedRevision(record)
        .or(() -> record.revisions().stream().max(Comparator.comparingInt(Revision::number)));
  }

  private static Stream<Rollout> rolloutsOf(ChangeRecord record, Revision revision) {
    return record.rollouts().stream()
        .filter(r -> r.revision() != null && r.revision() == revision.number());
  }

  private static List<OutcomeEvent> sinceLastReopen(ChangeRecord record) {
    List<OutcomeEvent> events = record.outcome().events();
    int start = 0;
    for (int i = 0; i < events.size(); i++) {
      if ("REOPENED".equals(events.get(i).action())) {
        start = i + 1;
      }
    }
    return events.subList(start, events.size());
  }

  private static <T> Optional<T> latest(Stream<T> items, Function<T, Long> seq) {
    return items.max(Comparator.comparing(seq));
  }

  private static boolean blank(String s) {
    return s == null || s.isBlank();
  }

  private static boolean passed(TestRun run) {
    return "PASSED".equals(run.outcome());
  }
}
