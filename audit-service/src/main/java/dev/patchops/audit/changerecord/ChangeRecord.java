package dev.patchops.audit.changerecord;

import dev.patchops.contract.model.AnalysisEvidence;
import dev.patchops.contract.model.SecretDecision;
import dev.patchops.contract.model.TestAnalytics;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * The complete change record of one ticket, as auditors read it: everything the trail holds about
 * the ticket, grouped by what an auditor traces (ticket, approval, passing tests, deploy log), with
 * the sequence numbers of the records each statement comes from so any line can be traced back to
 * the hash chain.
 *
 * <p>Values are flattened to strings where the contract nests references (workloads, targets,
 * equipment), so the same record reads well as JSON, Markdown and HTML without per-format logic.
 *
 * @param ticket null when the trail holds no readable ticket-opened record for this ticket
 * @param completeness the auditor checklist evaluated over the other sections; null only while the
 *     builder assembles the record
 */
public record ChangeRecord(
    String ticketId,
    TicketSummary ticket,
    List<TimelineEntry> timeline,
    List<Alert> alerts,
    List<Diagnostic> diagnostics,
    List<RootCause> rootCauses,
    List<Revision> revisions,
    List<GateRefusal> gateRefusals,
    List<Rollout> rollouts,
    List<HardwareAction> hardware,
    Outcome outcome,
    List<FlaggedRecord> flagged,
    Chain chain,
    Completeness completeness,
    Page page) {

  /** The completeness rules read the other sections, so it is attached once they exist. */
  public ChangeRecord withCompleteness(Completeness assessed) {
    return new ChangeRecord(
        ticketId,
        ticket,
        timeline,
        alerts,
        diagnostics,
        rootCauses,
        revisions,
        gateRefusals,
        rollouts,
        hardware,
        outcome,
        flagged,
        chain,
        assessed,
        page);
  }

  /**
   * Which part of the ticket's trail this record was built from: the records with a sequence number
   * after {@code after}, at most {@code limit} of them. {@code next} is the cursor of the following
   * page, null on the last; the timelines and chain links of the pages, read in turn, are the whole
   * record's, in order.
   *
   * @param complete the page holds every record of the ticket: only then is completeness assessed
   */
  public record Page(int limit, Long after, Long next, boolean complete) {}

  public record TicketSummary(
      long seq,
      String ticketId,
      String kind,
      String title,
      String description,
      String severity,
      String reporter,
      String source,
      String workload,
      String equipment,
      Instant openedAt,
      Instant detectedAt,
      String alertFingerprint) {}

  /** One line per trail record, flagged ones included, so nothing stored is hidden. */
  public record TimelineEntry(long seq, Instant time, String type, String actor, String summary) {}

  public record Alert(
      long seq,
      String status,
      String fingerprint,
      String alertName,
      String source,
      String severity,
      String workload,
      Map<String, String> labels,
      Map<String, String> annotations,
      Instant at) {}

  public record Diagnostic(
      long seq,
      String diagnosticId,
      String kind,
      String uri,
      Instant capturedAt,
      String sha256,
      String note,
      String addedBy) {}

  public record RootCause(
      long seq,
      String method,
      List<String> whys,
      String rootCause,
      List<String> contributingFactors,
      List<String> affectedComponents,
      List<String> evidenceRefs,
      String recordedBy,
      Instant recordedAt) {}

  /** One patch revision with everything that happened to it, from proposal to review. */
  public record Revision(
      int number,
      Long proposedSeq,
      String repositoryUrl,
      String commitSha,
      String pullRequestUrl,
      String image,
      List<String> targets,
      String what,
      String why,
      String author,
      Instant proposedAt,
      List<String> testSuites,
      List<String> canarySteps,
      List<TestRun> testRuns,
      List<Approval> approvals,
      List<Rejection> rejections,
      List<EmergencyReview> emergencyReviews) {}

  /**
   * One attempt of a test run in a mirror namespace, joined from its request, environment, result
   * and cleanup records.
   */
  public record TestRun(
      String runId,
      int attempt,
      List<Long> seqs,
      String requestedBy,
      Instant requestedAt,
      String namespace,
      String sourceNamespace,
      Instant environmentReadyAt,
      Map<String, Integer> copiedObjects,
      List<SecretDecision> secretDecisions,
      String outcome,
      Instant completedAt,
      TestAnalytics analytics,
      Instant environmentDeletedAt,
      String deletionReason) {}

  /**
   * @param segregated whether the approver is someone other than the author, the separation of
   *     duties every framework asks for
   */
  public record Approval(
      long seq,
      String approver,
      String author,
      boolean segregated,
      boolean emergency,
      String emergencyReason,
      String image,
      Instant approvedAt) {}

  public record Rejection(long seq, String rejectedBy, String reason, Instant rejectedAt) {}

  /**
   * @param independent whether the reviewer neither wrote nor approved the revision
   */
  public record EmergencyReview(
      long seq,
      String reviewer,
      boolean accepted,
      boolean independent,
      String findings,
      Instant reviewedAt) {}

  public record GateRefusal(
      long seq, String action, String gate, String actor, String reason, Instant refusedAt) {}

  /**
   * One rollout of one revision. The checkpoints are its backout plan.
   *
   * @param status {@code IN_PROGRESS}, {@code REVERTED}, {@code PROMOTED} or {@code WATCH_PASSED}
   * @param startedAt when the first change to production began (first canary step), else null
   * @param endedAt when production reached a final state (promotion or completed revert), else null
   * @param image the image rolled out, by digest
   * @param origin the path it came by: {@code APPROVAL}, {@code REST}, {@code KUBECTL} or {@code
   *     EMERGENCY} (around the approval and freeze gates)
   * @param startedBy the person who started it, as the path authenticated them
   * @param policy the PatchRolloutPolicy it ran with and that policy's generation, with why it was
   *     chosen; {@code none (service defaults)} when no policy matched; null before a checkpoint
   */
  public record Rollout(
      String rolloutId,
      Integer revision,
      String workload,
      String status,
      Instant startedAt,
      Instant endedAt,
      List<Checkpoint> checkpoints,
      List<CanaryStepRecord> steps,
      Promotion promotion,
      WatchWindow watchWindow,
      List<Revert> reverts,
      String image,
      String origin,
      String startedBy,
      String policy) {}

  public record Checkpoint(
      long seq,
      String checkpointId,
      int revision,
      String workload,
      String specHash,
      Map<String, String> configHashes,
      Instant recordedAt) {}

  /**
   * @param weight the canary share the step asked for, in percent
   * @param result {@code RUNNING}, {@code PASSED} or {@code FAILED}
   * @param actualWeight the share the canary really had, in percent; null when its events did not
   *     carry it (written before honest weights)
   * @param canaryReplicas with {@code stableReplicas}: the replicas that gave that share
   */
  public record CanaryStepRecord(
      int step,
      int weight,
      Long startedSeq,
      Instant startedAt,
      String result,
      Long resultSeq,
      Instant resultAt,
      String failureReason,
      List<AnalysisEvidence> evidence,
      Double actualWeight,
      Integer canaryReplicas,
      Integer stableReplicas) {

    /** The actual share as a reader wants it: {@code 12.5% (1 canary, 7 stable)}. */
    public String actual() {
      if (actualWeight == null) {
        return "not recorded";
      }
      String share =
          actualWeight == Math.rint(actualWeight)
              ? String.valueOf(actualWeight.longValue())
              : String.valueOf(actualWeight);
      return share
          + "%"
          + (canaryReplicas == null || stableReplicas == null
              ? ""
              : " (" + canaryReplicas + " canary, " + stableReplicas + " stable)");
    }
  }

  public record Promotion(long seq, int revision, Instant promotedAt, Instant watchUntil) {}

  public record WatchWindow(long seq, Instant passedAt) {}

  /**
   * A revert and, once it finished, its completion.
   *
   * @param completedSeq null while the revert has not completed
   */
  public record Revert(
      long seq,
      int revision,
      String trigger,
      String reason,
      List<AnalysisEvidence> evidence,
      Instant revertStartedAt,
      Long completedSeq,
      Instant completedAt,
      Long durationMs,
      Boolean verified,
      List<String> restored) {}

  /**
   * @param action {@code QUARANTINE_REQUESTED} or {@code QUARANTINE_RELEASED}
   * @param burnInPassed null for a request
   */
  /**
   * @param detail what else the action says: the approver's fix revision, the reason of a manual
   *     release, the assignees a lock moved between
   */
  public record HardwareAction(
      long seq,
      String action,
      String equipment,
      String by,
      Boolean burnInPassed,
      Instant at,
      String detail) {

    public HardwareAction(
        long seq, String action, String equipment, String by, Boolean burnInPassed, Instant at) {
      this(seq, action, equipment, by, burnInPassed, at, null);
    }
  }

  /**
   * @param state {@code OPEN}, {@code RESOLVED}, {@code REOPENED} or {@code CLOSED}: the state the
   *     last outcome event left the ticket in
   */
  public record Outcome(String state, String summary, List<OutcomeEvent> events) {}

  /**
   * @param action {@code RESOLVED}, {@code REOPENED} or {@code CLOSED}
   * @param note the resolution, the reason to reopen, or the closing note
   */
  public record OutcomeEvent(long seq, String action, String by, String note, Instant at) {}

  /** A record that could not be taken at face value and was left out of the sections. */
  public record FlaggedRecord(long seq, String stream, String type, String reason) {}

  /**
   * The chain links of this ticket's records. They are a subsequence of the one global chain, so a
   * reader verifies each link against the full trail rather than against its neighbour here.
   */
  public record Chain(Long firstSeq, Long lastSeq, int records, List<ChainLink> links) {}

  public record ChainLink(long seq, String prevHash, String hash) {}
}
