package dev.patchops.audit.changerecord;

import com.fasterxml.jackson.databind.JsonMappingException;
import dev.patchops.audit.changerecord.ChangeRecord.Alert;
import dev.patchops.audit.changerecord.ChangeRecord.Approval;
import dev.patchops.audit.changerecord.ChangeRecord.CanaryStepRecord;
import dev.patchops.audit.changerecord.ChangeRecord.Chain;
import dev.patchops.audit.changerecord.ChangeRecord.ChainLink;
import dev.patchops.audit.changerecord.ChangeRecord.Checkpoint;
import dev.patchops.audit.changerecord.ChangeRecord.Diagnostic;
import dev.patchops.audit.changerecord.ChangeRecord.EmergencyReview;
import dev.patchops.audit.changerecord.ChangeRecord.FlaggedRecord;
import dev.patchops.audit.changerecord.ChangeRecord.GateRefusal;
import dev.patchops.audit.changerecord.ChangeRecord.HardwareAction;
import dev.patchops.audit.changerecord.ChangeRecord.Outcome;
import dev.patchops.audit.changerecord.ChangeRecord.OutcomeEvent;
import dev.patchops.audit.changerecord.ChangeRecord.Promotion;
import dev.patchops.audit.changerecord.ChangeRecord.Rejection;
import dev.patchops.audit.changerecord.ChangeRecord.Revert;
import dev.patchops.audit.changerecord.ChangeRecord.Revision;
import dev.patchops.audit.changerecord.ChangeRecord.Rollout;
import dev.patchops.audit.changerecord.ChangeRecord.RootCause;
import dev.patchops.audit.changerecord.ChangeRecord.TestRun;
import dev.patchops.audit.changerecord.ChangeRecord.TicketSummary;
import dev.patchops.audit.changerecord.ChangeRecord.TimelineEntry;
import dev.patchops.audit.changerecord.ChangeRecord.WatchWindow;
import dev.patchops.audit.trail.TrailRecord;
import dev.patchops.contract.ContractJson;
import dev.patchops.contract.EventType;
import dev.patchops.contract.PatchOpsEvent;
import dev.patchops.contract.Topics;
import dev.patchops.contract.events.AlertReceived;
import dev.patchops.contract.events.AlertResolved;
import dev.patchops.contract.events.AuditCheckpointSigned;
import dev.patchops.contract.events.BurnInRequested;
import dev.patchops.contract.events.CanaryStepFailed;
import dev.patchops.contract.events.CanaryStepPassed;
import dev.patchops.contract.events.CanaryStepStarted;
import dev.patchops.contract.events.CheckpointRecorded;
import dev.patchops.contract.events.DiagnosticAdded;
import dev.patchops.contract.events.EmergencyChangeReviewed;
import dev.patchops.contract.events.EquipmentReassigned;
import dev.patchops.contract.events.EquipmentRegistered;
import dev.patchops.contract.events.FreezeWindowCreated;
import dev.patchops.contract.events.FreezeWindowDeleted;
import dev.patchops.contract.events.GateRefused;
import dev.patchops.contract.events.HardwareFixApproved;
import dev.patchops.contract.events.HardwareLockTransferred;
import dev.patchops.contract.events.HardwareManualReleaseRequested;
import dev.patchops.contract.events.HardwareQuarantineReleased;
import dev.patchops.contract.events.HardwareQuarantineRequested;
import dev.patchops.contract.events.HardwareQuarantined;
import dev.patchops.contract.events.NodeDrainBlocked;
import dev.patchops.contract.events.NodeDrained;
import dev.patchops.contract.events.PatchApproved;
import dev.patchops.contract.events.PatchProposed;
import dev.patchops.contract.events.PatchRejected;
import dev.patchops.contract.events.QuarantineBreached;
import dev.patchops.contract.events.RevertCompleted;
import dev.patchops.contract.events.RolloutAlertIgnored;
import dev.patchops.contract.events.RolloutControlled;
import dev.patchops.contract.events.RolloutNotStarted;
import dev.patchops.contract.events.RolloutPromoted;
import dev.patchops.contract.events.RolloutReverted;
import dev.patchops.contract.events.RolloutStartRefused;
import dev.patchops.contract.events.RootCauseRecorded;
import dev.patchops.contract.events.TestEnvironmentDeleted;
import dev.patchops.contract.events.TestEnvironmentReady;
import dev.patchops.contract.events.TestRerunRequested;
import dev.patchops.contract.events.TestRunCompleted;
import dev.patchops.contract.events.TestRunRefused;
import dev.patchops.contract.events.TestRunRequested;
import dev.patchops.contract.events.TicketClosed;
import dev.patchops.contract.events.TicketOpened;
import dev.patchops.contract.events.TicketReopened;
import dev.patchops.contract.events.TicketResolved;
import dev.patchops.contract.events.WatchWindowPassed;
import dev.patchops.contract.model.AnalysisEvidence;
import dev.patchops.contract.model.CanaryStep;
import dev.patchops.contract.model.ContainerTarget;
import dev.patchops.contract.model.EquipmentRef;
import dev.patchops.contract.model.RolloutOrigin;
import dev.patchops.contract.model.SecretDecision;
import dev.patchops.contract.model.TestAnalytics;
import dev.patchops.contract.model.TestSuiteSpec;
import dev.patchops.contract.model.WorkloadRef;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * Assembles the change record of one ticket from its trail records.
 *
 * <p>It never throws on what the trail holds: the trail is evidence, and a change record that fails
 * on one odd record would hide all the others. A record that cannot be taken at face value stays in
 * the timeline and the chain, and is listed as flagged instead of feeding a section.
 */
public final class ChangeRecordBuilder {
  static final String DEAD_LETTER_PREFIX = "dead-letter/";

  private ChangeRecordBuilder() {}

  public static ChangeRecord build(String ticketId, List<TrailRecord> recordsInSeqOrder) {
    return build(ticketId, recordsInSeqOrder, null);
  }

  /**
   * The record of one page of the ticket's trail. The completeness checklist reads the whole
   * history, so a page that holds only part of it is not assessed.
   */
  public static ChangeRecord build(
      String ticketId, List<TrailRecord> recordsInSeqOrder, ChangeRecord.Page page) {
    Assembly assembly = new Assembly();
    if (recordsInSeqOrder != null) {
      recordsInSeqOrder.stream().filter(Objects::nonNull).forEach(assembly::add);
    }
    ChangeRecord draft = assembly.toRecord(ticketId, page);
    return page == null || page.complete()
        ? draft.withCompleteness(Completeness.assess(draft))
        : draft;
  }

  /** What one event contributes to the timeline beyond the record's own attributes. */
  private record Line(String actor, String summary) {}

  /** The mutable state of one build; the API records are only created at the end. */
  private static final class Assembly {
    private TicketSummary ticket;
    private final List<TimelineEntry> timeline = new ArrayList<>();
    private final List<Alert> alerts = new ArrayList<>();
    private final List<Diagnostic> diagnostics = new ArrayList<>();
    private final List<RootCause> rootCauses = new ArrayList<>();
    private final Map<Integer, RevisionAcc> revisions = new TreeMap<>();
    private final List<GateRefusal> gateRefusals = new ArrayList<>();
    private final Map<String, RolloutAcc> rollouts = new LinkedHashMap<>();
    private final List<HardwareAction> hardware = new ArrayList<>();
    private final List<OutcomeEvent> outcomes = new ArrayList<>();
    private final List<FlaggedRecord> flagged = new ArrayList<>();
    private final List<ChainLink> links = new ArrayList<>();

    void add(TrailRecord record) {
      links.add(new ChainLink(record.seq(), record.prevHash(), record.hash()));
      Line line = apply(record);
      timeline.add(
          new TimelineEntry(
              record.seq(),
              record.eventTime() != null ? record.eventTime() : record.ingestedAt(),
              record.type(),
              record.actor() != null ? record.actor() : line.actor(),
              line.summary()));
    }

    private Line apply(TrailRecord record) {
      String stream = record.stream();
      // A dead-letter record is a copy of an event that is also on the event stream; feeding it to
      // the sections would count that event twice.
      if (stream != null && stream.startsWith(DEAD_LETTER_PREFIX)) {
        String consumer = stream.substring(DEAD_LETTER_PREFIX.length());
        String reason =
            "parked by consumer "
                + consumer
                + (record.parseError() != null ? ": " + record.parseError() : "");
        return flag(record, reason);
      }
      if (record.parseError() != null) {
        return flag(record, record.parseError());
      }
      EventType type = EventType.fromType(record.type()).orElse(null);
      if (type == null) {
        // A newer producer's type is not an error, but this version cannot say what it means.
        return new Line(
            null, record.type() == null ? "record without a type" : "event of an unknown type");
      }
      if (record.payload() == null) {
        return flag(record, "no payload");
      }
      PatchOpsEvent event;
      try {
        event = ContractJson.mapper().readValue(record.payload(), type.payloadType());
      } catch (Exception e) {
        return flag(record, "payload does not match " + type.type() + location(e));
      }
      try {
        return apply(record.seq(), type, event);
      } catch (RuntimeException e) {
        // Required fields that the producer left out; the schema allowed what the code assumed.
        return flag(record, "payload of " + type.type() + " lacks a required value");
      }
    }

    private static String location(Exception e) {
      if (e instanceof JsonMappingException mapping && !mapping.getPath().isEmpty()) {
        return " at "
            + mapping.getPath().stream()
                .map(
                    ref ->
                        ref.getFieldName() != null
                            ? ref.getFieldName()
                            : "[" + ref.getIndex() + "]")
                .collect(Collectors.joining("."));
      }
      return "";
    }

    private Line flag(TrailRecord record, String reason) {
      flagged.add(new FlaggedRecord(record.seq(), record.stream(), record.type(), reason));
      return new Line(null, "flagged: " + reason);
    }

    private Line apply(long seq, EventType type, PatchOpsEvent event) {
      return switch (type) {
        case TICKET_OPENED -> ticketOpened(seq, (TicketOpened) event);
        case ALERT_RECEIVED -> alertReceived(seq, (AlertReceived) event);
        case ALERT_RESOLVED -> alertResolved(seq, (AlertResolved) event);
        case DIAGNOSTIC_ADDED -> diagnosticAdded(seq, (DiagnosticAdded) event);
        case ROOT_CAUSE_RECORDED -> rootCauseRecorded(seq, (RootCauseRecorded) event);
        case PATCH_PROPOSED -> patchProposed(seq, (PatchProposed) event);
        case PATCH_APPROVED -> patchApproved(seq, (PatchApproved) event);
        case PATCH_REJECTED -> patchRejected(seq, (PatchRejected) event);
        case EMERGENCY_CHANGE_REVIEWED -> emergencyReviewed(seq, (EmergencyChangeReviewed) event);
        case GATE_REFUSED -> gateRefused(seq, (GateRefused) event);
        case TEST_RUN_REQUESTED -> testRunRequested(seq, (TestRunRequested) event);
        case TEST_ENVIRONMENT_READY -> environmentReady(seq, (TestEnvironmentReady) event);
        case TEST_RUN_COMPLETED -> testRunCompleted(seq, (TestRunCompleted) event);
        case TEST_ENVIRONMENT_DELETED -> environmentDeleted(seq, (TestEnvironmentDeleted) event);
        case TEST_RERUN_REQUESTED -> rerunRequested(seq, (TestRerunRequested) event);
        case TEST_RUN_REFUSED -> testRunRefused(seq, (TestRunRefused) event);
        case NODE_DRAINED -> nodeDrained(seq, (NodeDrained) event);
        case NODE_DRAIN_BLOCKED -> nodeDrainBlocked(seq, (NodeDrainBlocked) event);
        case QUARANTINE_BREACHED -> quarantineBreached(seq, (QuarantineBreached) event);
        case CHECKPOINT_RECORDED -> checkpointRecorded(seq, (CheckpointRecorded) event);
        case CANARY_STEP_STARTED -> canaryStepStarted(seq, (CanaryStepStarted) event);
        case CANARY_STEP_PASSED -> canaryStepPassed(seq, (CanaryStepPassed) event);
        case CANARY_STEP_FAILED -> canaryStepFailed(seq, (CanaryStepFailed) event);
        case ROLLOUT_PROMOTED -> rolloutPromoted(seq, (RolloutPromoted) event);
        case WATCH_WINDOW_PASSED -> watchWindowPassed(seq, (WatchWindowPassed) event);
        case ROLLOUT_REVERTED -> rolloutReverted(seq, (RolloutReverted) event);
        case REVERT_COMPLETED -> revertCompleted(seq, (RevertCompleted) event);
        case ROLLOUT_NOT_STARTED -> rolloutNotStarted(seq, (RolloutNotStarted) event);
        case ROLLOUT_CONTROLLED -> rolloutControlled((RolloutControlled) event);
        case ROLLOUT_ALERT_IGNORED -> alertIgnored(seq, (RolloutAlertIgnored) event);
        case ROLLOUT_START_REFUSED -> startRefused(seq, (RolloutStartRefused) event);
        case HARDWARE_QUARANTINE_REQUESTED ->
            quarantineRequested(seq, (HardwareQuarantineRequested) event);
        case HARDWARE_QUARANTINED -> quarantined(seq, (HardwareQuarantined) event);
        case BURN_IN_REQUESTED -> burnInRequested(seq, (BurnInRequested) event);
        case HARDWARE_QUARANTINE_RELEASED ->
            quarantineReleased(seq, (HardwareQuarantineReleased) event);
        case HARDWARE_FIX_APPROVED -> hardwareFixApproved(seq, (HardwareFixApproved) event);
        case HARDWARE_MANUAL_RELEASE_REQUESTED ->
            manualReleaseRequested(seq, (HardwareManualReleaseRequested) event);
        case HARDWARE_LOCK_TRANSFERRED -> lockTransferred(seq, (HardwareLockTransferred) event);
        case FREEZE_WINDOW_CREATED -> freezeWindowCreated((FreezeWindowCreated) event);
        case FREEZE_WINDOW_DELETED -> freezeWindowDeleted((FreezeWindowDeleted) event);
        case EQUIPMENT_REGISTERED -> equipmentRegistered((EquipmentRegistered) event);
        case EQUIPMENT_REASSIGNED -> equipmentReassigned((EquipmentReassigned) event);
        case TICKET_RESOLVED -> ticketResolved(seq, (TicketResolved) event);
        case TICKET_REOPENED -> ticketReopened(seq, (TicketReopened) event);
        case TICKET_CLOSED -> ticketClosed(seq, (TicketClosed) event);
        case AUDIT_CHECKPOINT_SIGNED -> auditCheckpoint((AuditCheckpointSigned) event);
      };
    }

    private Line ticketOpened(long seq, TicketOpened e) {
      // The first opening is the ticket; a repeat would be a producer fault, visible in the
      // timeline.
      if (ticket == null) {
        ticket =
            new TicketSummary(
                seq,
                e.ticketId(),
                name(e.kind()),
                e.title(),
                e.description(),
                name(e.severity()),
                e.reporter(),
                name(e.source()),
                workload(e.workload()),
                equipment(e.equipment()),
                e.openedAt(),
                e.detectedAt(),
                e.alertFingerprint());
      }
      return new Line(
          e.reporter(),
          "Ticket opened (" + name(e.severity()) + ", " + name(e.kind()) + "): " + e.title());
    }

    private Line alertReceived(long seq, AlertReceived e) {
      alerts.add(
          new Alert(
              seq,
              "FIRING",
              e.fingerprint(),
              e.alertName(),
              e.source(),
              name(e.severity()),
              workload(e.workload()),
              map(e.labels()),
              map(e.annotations()),
              e.startsAt()));
      return new Line(e.source(), "Alert firing: " + e.alertName() + " (" + e.fingerprint() + ")");
    }

    private Line alertResolved(long seq, AlertResolved e) {
      alerts.add(
          new Alert(
              seq,
              "RESOLVED",
              e.fingerprint(),
              e.alertName(),
              e.source(),
              null,
              workload(e.workload()),
              Map.of(),
              Map.of(),
              e.endsAt()));
      return new Line(
          e.source(), "Alert resolved: " + e.alertName() + " (" + e.fingerprint() + ")");
    }

    private Line diagnosticAdded(long seq, DiagnosticAdded e) {
      diagnostics.add(
          new Diagnostic(
              seq,
              e.diagnosticId(),
              name(e.kind()),
              e.uri(),
              e.capturedAt(),
              e.sha256(),
              e.note(),
              e.addedBy()));
      return new Line(e.addedBy(), "Diagnostic added (" + name(e.kind()) + "): " + e.uri());
    }

    private Line rootCauseRecorded(long seq, RootCauseRecorded e) {
      rootCauses.add(
          new RootCause(
              seq,
              name(e.method()),
              list(e.whys()),
              e.rootCause(),
              list(e.contributingFactors()),
              list(e.affectedComponents()),
              list(e.evidenceRefs()),
              e.recordedBy(),
              e.recordedAt()));
      return new Line(
          e.recordedBy(), "Root cause recorded (" + name(e.method()) + "): " + e.rootCause());
    }

    private Line patchProposed(long seq, PatchProposed e) {
      revision(e.revision()).proposed(seq, e);
      return new Line(e.author(), "Revision " + e.revision() + " proposed: " + e.changeWhat());
    }

    private Line patchApproved(long seq, PatchApproved e) {
      // Judged against the author of the proposal as proposed, not as the approval restates it.
      RevisionAcc revision = revision(e.revision());
      String author =
          revision.proposal != null && revision.proposal.author() != null
              ? revision.proposal.author()
              : e.author();
      boolean segregated =
          e.approver() != null
              && !e.approver().equalsIgnoreCase(author)
              && !e.approver().equalsIgnoreCase(e.author());
      revision(e.revision())
          .approvals
          .add(
              new Approval(
                  seq,
                  e.approver(),
                  e.author(),
                  segregated,
                  e.emergency(),
                  e.emergencyReason(),
                  e.image(),
                  e.approvedAt()));
      return new Line(
          e.approver(),
          "Revision "
              + e.revision()
              + (e.emergency() ? " approved as EMERGENCY: " + e.emergencyReason() : " approved")
              + (segregated ? "" : " by its own author"));
    }

    private Line patchRejected(long seq, PatchRejected e) {
      revision(e.revision())
          .rejections
          .add(new Rejection(seq, e.rejectedBy(), e.reason(), e.rejectedAt()));
      return new Line(e.rejectedBy(), "Revision " + e.revision() + " rejected: " + e.reason());
    }

    private Line emergencyReviewed(long seq, EmergencyChangeReviewed e) {
      revision(e.revision()).reviews.add(new ReviewAcc(seq, e));
      return new Line(
          e.reviewer(),
          "Emergency change of revision "
              + e.revision()
              + (e.accepted() ? " accepted" : " not accepted")
              + " on review: "
              + e.findings());
    }

    private Line gateRefused(long seq, GateRefused e) {
      gateRefusals.add(
          new GateRefusal(seq, e.action(), e.gate(), e.actor(), e.reason(), e.refusedAt()));
      return new Line(e.actor(), "Gate " + e.gate() + " refused " + e.action() + ": " + e.reason());
    }

    /** A run asked for, by the ticket-service or directly: one entry of its revision either way. */
    private void requested(
        long seq, int revision, String runId, int attempt, String by, java.time.Instant at) {
      TestRunAcc run = run(revision, runId, attempt, seq);
      run.requestedBy = by;
      run.requestedAt = at;
    }

    private Line testRunRequested(long seq, TestRunRequested e) {
      requested(seq, e.revision(), e.runId(), e.attempt(), e.requestedBy(), e.requestedAt());
      return new Line(
          e.requestedBy(),
          "Test run "
              + e.runId()
              + " attempt "
              + e.attempt()
              + " requested for revision "
              + e.revision());
    }

    private Line rerunRequested(long seq, TestRerunRequested e) {
      requested(seq, e.revision(), e.runId(), e.attempt(), e.requestedBy(), e.requestedAt());
      return new Line(
          e.requestedBy(),
          "Test run "
              + e.runId()
              + " attempt "
              + e.attempt()
              + " of revision "
              + e.revision()
              + " requested directly (author "
              + e.author()
              + ")");
    }

    /** A direct test-run request refused: listed with the gates' refusals. */
    private Line testRunRefused(long seq, TestRunRefused e) {
      gateRefusals.add(
          new GateRefusal(
              seq,
              "test-run",
              "test-run-" + e.field(),
              e.requestedBy(),
              e.reason(),
              e.refusedAt()));
      return new Line(
          e.requestedBy(),
          "Test run of revision " + e.revision() + " refused: " + e.field() + " " + e.reason());
    }

    private Line environmentReady(long seq, TestEnvironmentReady e) {
      TestRunAcc run = run(e.revision(), e.runId(), e.attempt(), seq);
      run.namespace = e.namespace();
      run.sourceNamespace = e.sourceNamespace();
      run.readyAt = e.readyAt();
      run.copiedObjects = e.copiedObjects() == null ? Map.of() : Map.copyOf(e.copiedObjects());
      run.secretDecisions = list(e.secretDecisions());
      return new Line(
          null,
          "Test environment " + e.namespace() + " ready (mirror of " + e.sourceNamespace() + ")");
    }

    private Line testRunCompleted(long seq, TestRunCompleted e) {
      TestRunAcc run = run(e.revision(), e.runId(), e.attempt(), seq);
      run.outcome = name(e.outcome());
      run.completedAt = e.completedAt();
      run.analytics = e.analytics();
      int failures = e.analytics() == null ? 0 : list(e.analytics().failureMessages()).size();
      return new Line(
          null,
          "Test run "
              + e.runId()
              + " of revision "
              + e.revision()
              + ": "
              + name(e.outcome())
              + (failures > 0 ? " (" + failures + " failure messages)" : ""));
    }

    private Line environmentDeleted(long seq, TestEnvironmentDeleted e) {
      TestRunAcc run = run(e.revision(), e.runId(), e.attempt(), seq);
      run.deletedAt = e.deletedAt();
      run.deletionReason = e.reason();
      return new Line(null, "Test environment " + e.namespace() + " deleted: " + e.reason());
    }

    private Line checkpointRecorded(long seq, CheckpointRecorded e) {
      RolloutAcc rollout = rollout(seq, e.rolloutId(), e.image(), e.origin(), e.startedBy());
      rollout.reachedProduction = true;
      rollout.revision = e.revision();
      rollout.workload = workload(e.workload());
      rollout.policy =
          e.policy() == null
              ? "none (service defaults)"
              : e.policy().name()
                  + " (generation "
                  + e.policy().generation()
                  + "; "
                  + e.policy().reason()
                  + ")";
      rollout.checkpoints.add(
          new Checkpoint(
              seq,
              e.checkpointId(),
              e.revision(),
              workload(e.workload()),
              e.specHash(),
              map(e.configHashes()),
              e.recordedAt()));
      return new Line(
          null,
          "Checkpoint "
              + e.checkpointId()
              + " recorded for "
              + workload(e.workload())
              + " before revision "
              + e.revision());
    }

    private Line canaryStepStarted(long seq, CanaryStepStarted e) {
      RolloutAcc rollout = rollout(seq, e.rolloutId(), e.image(), e.origin(), e.startedBy());
      rollout.reachedProduction = true;
      rollout.status = "IN_PROGRESS";
      if (rollout.startedAt == null) {
        rollout.startedAt = e.startedAt();
      }
      StepAcc step = new StepAcc(e.step(), e.weight(), seq, e.startedAt());
      step.actual(e.actualWeight(), e.canaryReplicas(), e.stableReplicas());
      rollout.steps.add(step);
      return new Line(
          null,
          "Canary step " + e.step() + " started at " + e.weight() + "%" + actual(e.actualWeight()));
    }

    private Line canaryStepPassed(long seq, CanaryStepPassed e) {
      StepAcc step =
          rollout(seq, e.rolloutId(), e.image(), e.origin(), e.startedBy())
              .runningStep(e.step(), e.weight());
      step.finish("PASSED", seq, e.passedAt(), null, e.evidence());
      step.actual(e.actualWeight(), e.canaryReplicas(), e.stableReplicas());
      return new Line(
          null,
          "Canary step " + e.step() + " passed at " + e.weight() + "%" + actual(e.actualWeight()));
    }

    private Line canaryStepFailed(long seq, CanaryStepFailed e) {
      StepAcc step =
          rollout(seq, e.rolloutId(), e.image(), e.origin(), e.startedBy())
              .runningStep(e.step(), e.weight());
      step.finish("FAILED", seq, e.failedAt(), e.reason(), e.evidence());
      step.actual(e.actualWeight(), e.canaryReplicas(), e.stableReplicas());
      return new Line(null, "Canary step " + e.step() + " failed: " + e.reason());
    }

    private Line rolloutPromoted(long seq, RolloutPromoted e) {
      RolloutAcc rollout = rollout(seq, e.rolloutId(), e.image(), e.origin(), e.startedBy());
      rollout.reachedProduction = true;
      rollout.revision = e.revision();
      rollout.workload = workload(e.workload());
      rollout.status = "PROMOTED";
      rollout.endedAt = e.promotedAt();
      rollout.promotion = new Promotion(seq, e.revision(), e.promotedAt(), e.watchUntil());
      return new Line(
          null, "Revision " + e.revision() + " promoted; watching until " + e.watchUntil());
    }

    private Line watchWindowPassed(long seq, WatchWindowPassed e) {
      RolloutAcc rollout = rollout(seq, e.rolloutId(), e.image(), e.origin(), e.startedBy());
      rollout.status = "WATCH_PASSED";
      // The checkpoint stays armed until here, so this is when the change window closes.
      rollout.endedAt = e.passedAt();
      rollout.watchWindow = new WatchWindow(seq, e.passedAt());
      return new Line(null, "Watch window passed; checkpoint disarmed");
    }

    private Line rolloutNotStarted(long seq, RolloutNotStarted e) {
      RolloutAcc rollout = rollout(seq, e.rolloutId(), e.image(), e.origin(), e.startedBy());
      rollout.revision = e.revision();
      rollout.status = "NOT_STARTED";
      return new Line(
          null,
          "Rollout of revision " + e.revision() + " not started, nothing changed: " + e.reason());
    }

    /** An alert that reached the rollout's workload and, by rule, did not revert it. */
    private Line alertIgnored(long seq, RolloutAlertIgnored e) {
      rollout(seq, e.rolloutId(), e.image(), e.origin(), e.startedBy());
      return new Line(
          null,
          "Alert "
              + e.alertName()
              + " on "
              + e.correlation()
              + " did not revert rollout "
              + e.rolloutId()
              + " ("
              + e.reason()
              + ": "
              + e.detail()
              + ")");
    }

    private Line rolloutControlled(RolloutControlled e) {
      return new Line(
          e.actor(),
          "Rollout "
              + e.rolloutId()
              + ": "
              + e.command().toLowerCase().replace('_', ' ')
              + " by hand");
    }

    private Line rolloutReverted(long seq, RolloutReverted e) {
      RolloutAcc rollout = rollout(seq, e.rolloutId(), e.image(), e.origin(), e.startedBy());
      rollout.revision = e.revision();
      rollout.status = "REVERTING";
      rollout.reverts.add(new RevertAcc(seq, e));
      return new Line(
          null,
          "Revert of revision "
              + e.revision()
              + " started ("
              + name(e.trigger())
              + "): "
              + e.reason());
    }

    private Line revertCompleted(long seq, RevertCompleted e) {
      RolloutAcc rollout = rollout(seq, e.rolloutId(), e.image(), e.origin(), e.startedBy());
      RevertAcc revert =
          rollout.reverts.stream()
              .filter(r -> r.completedSeq == null)
              .reduce((first, second) -> second)
              .orElse(null);
      if (revert != null) {
        revert.complete(seq, e);
      }
      rollout.status = "REVERTED";
      rollout.endedAt = e.completedAt();
      return new Line(
          null,
          "Revert completed in "
              + e.durationMs()
              + " ms, "
              + (e.verified() ? "verified" : "NOT verified")
              + (revert == null ? " (no matching revert start)" : ""));
    }

    /** A start the start gate refused: a refusal of the process like any other gate's. */
    private Line startRefused(long seq, RolloutStartRefused e) {
      String action = "start rollout (" + name(e.origin()) + ")";
      gateRefusals.add(
          new GateRefusal(
              seq,
              action,
              e.gate(),
              e.actor(),
              "rollout "
                  + e.rolloutId()
                  + (e.resourceName() == null ? "" : " (PatchRollout " + e.resourceName() + ")")
                  + " of "
                  + e.image()
                  + " to "
                  + workload(e.workload())
                  + ": "
                  + e.reason(),
              e.refusedAt()));
      return new Line(
          e.actor(),
          "Start of rollout "
              + e.rolloutId()
              + " by "
              + name(e.origin())
              + " refused by gate "
              + e.gate()
              + ": "
              + e.reason());
    }

    /** Who started a rollout, how and with what: every rollout event carries it. */
    private RolloutAcc rollout(
        long seq, String rolloutId, String image, RolloutOrigin origin, String startedBy) {
      RolloutAcc rollout = rollout(rolloutId);
      if (rollout.firstSeq == null) {
        rollout.firstSeq = seq;
      }
      if (rollout.image == null) {
        rollout.image = image;
      }
      if (rollout.origin == null && origin != null) {
        rollout.origin = origin.name();
      }
      if (rollout.startedBy == null) {
        rollout.startedBy = startedBy;
      }
      return rollout;
    }

    private Line quarantineRequested(long seq, HardwareQuarantineRequested e) {
      hardware.add(
          new HardwareAction(
              seq,
              "QUARANTINE_REQUESTED",
              equipment(e.equipment()),
              e.assignee(),
              null,
              e.requestedAt()));
      return new Line(
          e.assignee(),
          "Quarantine of " + equipment(e.equipment()) + " requested, locked to " + e.assignee());
    }

    private Line quarantined(long seq, HardwareQuarantined e) {
      hardware.add(
          new HardwareAction(
              seq, "QUARANTINED", equipment(e.equipment()), null, null, e.quarantinedAt()));
      return new Line(
          null,
          "Node "
              + e.nodeName()
              + " cordoned and tainted "
              + e.taint()
              + " (was "
              + (e.previousUnschedulable() ? "unschedulable" : "schedulable")
              + ", taints "
              + list(e.previousTaints())
              + ")");
    }

    private Line nodeDrained(long seq, NodeDrained e) {
      hardware.add(
          new HardwareAction(seq, "DRAINED", equipment(e.equipment()), null, null, e.drainedAt()));
      return new Line(
          null,
          "Node " + e.nodeName() + " drained through the Eviction API: " + list(e.evictedPods()));
    }

    private Line nodeDrainBlocked(long seq, NodeDrainBlocked e) {
      hardware.add(
          new HardwareAction(
              seq, "DRAIN_BLOCKED", equipment(e.equipment()), null, null, e.blockedAt()));
      return new Line(
          null,
          "Drain of node "
              + e.nodeName()
              + " blocked by a PodDisruptionBudget, retrying: "
              + list(e.blockedPods())
              + " ("
              + e.reason()
              + ")");
    }

    /** A change to a quarantined node outside PatchOps: who it was is what the API server knew. */
    private Line quarantineBreached(long seq, QuarantineBreached e) {
      hardware.add(
          new HardwareAction(
              seq,
              e.reapplied() ? "QUARANTINE_BREACHED_REAPPLIED" : "QUARANTINE_BREACHED",
              equipment(e.equipment()),
              e.fieldManager(),
              null,
              e.detectedAt()));
      return new Line(
          e.fieldManager(),
          "Quarantined node "
              + e.nodeName()
              + " changed outside PatchOps: "
              + e.observed()
              + (e.reapplied() ? "; quarantine re-applied" : ""));
    }

    private Line burnInRequested(long seq, BurnInRequested e) {
      run(e.revision(), e.runId(), e.attempt(), seq);
      return new Line(
          e.requestedBy(),
          "Burn-in run "
              + e.runId()
              + " of fix revision "
              + e.revision()
              + " requested on node "
              + e.nodeName()
              + ": "
              + e.fixDescription());
    }

    private Line quarantineReleased(long seq, HardwareQuarantineReleased e) {
      String how =
          e.manual()
              ? "released by hand (plan B)" + (e.reason() == null ? "" : ": " + e.reason())
              : "released after an approved burn-in";
      hardware.add(
          new HardwareAction(
              seq,
              "QUARANTINE_RELEASED",
              equipment(e.equipment()),
              e.releasedBy(),
              e.burnInPassed(),
              e.releasedAt(),
              how));
      return new Line(
          e.releasedBy(),
          "Quarantine of "
              + equipment(e.equipment())
              + " "
              + how
              + ", burn-in "
              + (e.burnInPassed() ? "passed" : "NOT passed"));
    }

    private Line hardwareFixApproved(long seq, HardwareFixApproved e) {
      hardware.add(
          new HardwareAction(
              seq,
              "FIX_APPROVED",
              equipment(e.equipment()),
              e.approvedBy(),
              true,
              e.approvedAt(),
              "fix revision " + e.revision() + " by " + e.author()));
      return new Line(
          e.approvedBy(),
          "Hardware fix revision "
              + e.revision()
              + " by "
              + e.author()
              + " approved (assignee "
              + e.assignee()
              + "); node "
              + e.nodeName()
              + " may go back into service");
    }

    private Line manualReleaseRequested(long seq, HardwareManualReleaseRequested e) {
      hardware.add(
          new HardwareAction(
              seq,
              "MANUAL_RELEASE_REQUESTED",
              equipment(e.equipment()),
              e.requestedBy(),
              null,
              e.requestedAt(),
              e.reason()));
      return new Line(
          e.requestedBy(),
          "Manual release (plan B) of node "
              + e.nodeName()
              + " requested without an approved burn-in: "
              + e.reason());
    }

    private Line lockTransferred(long seq, HardwareLockTransferred e) {
      hardware.add(
          new HardwareAction(
              seq,
              "LOCK_TRANSFERRED",
              e.equipmentId(),
              e.transferredBy(),
              null,
              e.transferredAt(),
              e.previousAssignee() + " -> " + e.assignee()));
      return new Line(
          e.transferredBy(),
          "Lock on equipment "
              + e.equipmentId()
              + " moved from "
              + e.previousAssignee()
              + " to "
              + e.assignee());
    }

    private Line freezeWindowCreated(FreezeWindowCreated e) {
      return new Line(
          e.createdBy(),
          "Change freeze "
              + e.windowId()
              + " declared from "
              + e.startsAt()
              + " to "
              + e.endsAt()
              + ": "
              + e.reason());
    }

    private Line freezeWindowDeleted(FreezeWindowDeleted e) {
      return new Line(e.deletedBy(), "Change freeze " + e.windowId() + " lifted");
    }

    private Line equipmentRegistered(EquipmentRegistered e) {
      return new Line(
          e.registeredBy(),
          "Equipment " + e.equipmentId() + " registered, assigned to " + e.assignee());
    }

    private Line equipmentReassigned(EquipmentReassigned e) {
      return new Line(
          e.reassignedBy(),
          "Equipment "
              + e.equipmentId()
              + " reassigned from "
              + e.previousAssignee()
              + " to "
              + e.assignee());
    }

    private Line ticketResolved(long seq, TicketResolved e) {
      outcomes.add(
          new OutcomeEvent(seq, "RESOLVED", e.resolvedBy(), e.resolution(), e.resolvedAt()));
      return new Line(e.resolvedBy(), "Ticket resolved: " + e.resolution());
    }

    private Line ticketReopened(long seq, TicketReopened e) {
      outcomes.add(new OutcomeEvent(seq, "REOPENED", e.reopenedBy(), e.reason(), e.reopenedAt()));
      return new Line(e.reopenedBy(), "Ticket reopened: " + e.reason());
    }

    private Line ticketClosed(long seq, TicketClosed e) {
      outcomes.add(new OutcomeEvent(seq, "CLOSED", e.closedBy(), e.note(), e.closedAt()));
      return new Line(e.closedBy(), "Ticket closed" + (e.note() == null ? "" : ": " + e.note()));
    }

    private Line auditCheckpoint(AuditCheckpointSigned e) {
      return new Line(null, "Audit chain head signed at seq " + e.seq());
    }

    private RevisionAcc revision(int number) {
      return revisions.computeIfAbsent(number, RevisionAcc::new);
    }

    private TestRunAcc run(int revision, String runId, int attempt, long seq) {
      TestRunAcc run =
          revision(revision)
              .runs
              .computeIfAbsent(runId + "#" + attempt, key -> new TestRunAcc(runId, attempt));
      run.seqs.add(seq);
      return run;
    }

    private RolloutAcc rollout(String rolloutId) {
      return rollouts.computeIfAbsent(String.valueOf(rolloutId), RolloutAcc::new);
    }

    /**
     * A change to production that went around a gate: an emergency rollout (approval and freeze
     * skipped, review due), or any rollout with no approval of its revision and image in the trail.
     */
    private void flagUngatedRollouts() {
      for (RolloutAcc r : rollouts.values()) {
        if (!r.reachedProduction) {
          continue;
        }
        String what =
            "rollout "
                + r.rolloutId
                + " of "
                + (r.image == null ? "an unnamed image" : r.image)
                + " to "
                + r.workload
                + " by "
                + r.startedBy
                + " ("
                + r.origin
                + ")";
        RevisionAcc revision = r.revision == null ? null : revisions.get(r.revision);
        boolean approved =
            revision != null
                && r.image != null
                && revision.approvals.stream().anyMatch(a -> r.image.equals(a.image()));
        long seq = r.firstSeq == null ? 0 : r.firstSeq;
        String type =
            (r.checkpoints.isEmpty()
                    ? EventType.CANARY_STEP_STARTED
                    : EventType.CHECKPOINT_RECORDED)
                .type();
        if ("EMERGENCY".equals(r.origin)) {
          flagged.add(
              new FlaggedRecord(
                  seq,
                  Topics.ROLLOUTS,
                  type,
                  "went around the gate: " + what + " is an emergency change; review required"));
        } else if (!approved) {
          flagged.add(
              new FlaggedRecord(
                  seq,
                  Topics.ROLLOUTS,
                  type,
                  "went around the gate: "
                      + what
                      + " has no approval of revision "
                      + r.revision
                      + " with that image in the trail"));
        }
      }
    }

    ChangeRecord toRecord(String ticketId, ChangeRecord.Page page) {
      flagUngatedRollouts();
      List<Revision> builtRevisions = revisions.values().stream().map(RevisionAcc::build).toList();
      return new ChangeRecord(
          ticketId,
          ticket,
          List.copyOf(timeline),
          List.copyOf(alerts),
          List.copyOf(diagnostics),
          List.copyOf(rootCauses),
          builtRevisions,
          List.copyOf(gateRefusals),
          rollouts.values().stream().map(RolloutAcc::build).toList(),
          List.copyOf(hardware),
          outcome(builtRevisions),
          List.copyOf(flagged),
          new Chain(
              links.isEmpty() ? null : links.get(0).seq(),
              links.isEmpty() ? null : links.get(links.size() - 1).seq(),
              links.size(),
              List.copyOf(links)),
          null,
          page);
    }

    private Outcome outcome(List<Revision> builtRevisions) {
      String state =
          outcomes.isEmpty()
              ? (ticket == null ? "UNKNOWN" : "OPEN")
              : outcomes.get(outcomes.size() - 1).action();
      StringBuilder summary = new StringBuilder(state);
      if (!outcomes.isEmpty() && outcomes.get(outcomes.size() - 1).note() != null) {
        summary.append(": ").append(outcomes.get(outcomes.size() - 1).note());
      }
      summary.append(". ").append(builtRevisions.size()).append(" revision(s)");
      long testRuns = builtRevisions.stream().mapToLong(r -> r.testRuns().size()).sum();
      summary.append(", ").append(testRuns).append(" test run(s)");
      long reverts = rollouts.values().stream().mapToLong(r -> r.reverts.size()).sum();
      summary.append(", ").append(reverts).append(" revert(s)");
      rollouts.values().stream()
          .reduce((first, second) -> second)
          .ifPresent(
              last ->
                  summary
                      .append("; last rollout ")
                      .append(last.rolloutId)
                      .append(" of revision ")
                      .append(last.revision)
                      .append(" ")
                      .append(last.status));
      return new Outcome(state, summary.append('.').toString(), List.copyOf(outcomes));
    }
  }

  private static final class RevisionAcc {
    final int number;
    Long proposedSeq;
    PatchProposed proposal;
    final Map<String, TestRunAcc> runs = new LinkedHashMap<>();
    final List<Approval> approvals = new ArrayList<>();
    final List<Rejection> rejections = new ArrayList<>();
    final List<ReviewAcc> reviews = new ArrayList<>();

    RevisionAcc(int number) {
      this.number = number;
    }

    void proposed(long seq, PatchProposed e) {
      proposedSeq = seq;
      proposal = e;
    }

    Revision build() {
      PatchProposed p = proposal;
      return new Revision(
          number,
          proposedSeq,
          p == null || p.vcs() == null ? null : p.vcs().repositoryUrl(),
          p == null || p.vcs() == null ? null : p.vcs().commitSha(),
          p == null || p.vcs() == null ? null : p.vcs().pullRequestUrl(),
          p == null ? null : p.image(),
          p == null
              ? List.of()
              : list(p.targets()).stream().map(ChangeRecordBuilder::target).toList(),
          p == null ? null : p.changeWhat(),
          p == null ? null : p.changeWhy(),
          p == null ? null : p.author(),
          p == null ? null : p.proposedAt(),
          p == null ? List.of() : list(p.testSuites()).stream().map(TestSuiteSpec::name).toList(),
          p == null
              ? List.of()
              : list(p.canarySteps()).stream().map(ChangeRecordBuilder::step).toList(),
          runs.values().stream().map(TestRunAcc::build).toList(),
          List.copyOf(approvals),
          List.copyOf(rejections),
          reviews.stream().map(this::review).toList());
    }

    /**
     * Independence is judged at the end, as the review may arrive before a redelivered approval.
     */
    private EmergencyReview review(ReviewAcc acc) {
      EmergencyChangeReviewed e = acc.event;
      boolean independent =
          e.reviewer() != null
              && !e.reviewer().equals(proposal == null ? null : proposal.author())
              && approvals.stream()
                  .noneMatch(
                      a -> e.reviewer().equals(a.approver()) || e.reviewer().equals(a.author()));
      return new EmergencyReview(
          acc.seq, e.reviewer(), e.accepted(), independent, e.findings(), e.reviewedAt());
    }
  }

  private record ReviewAcc(long seq, EmergencyChangeReviewed event) {}

  private static final class TestRunAcc {
    final String runId;
    final int attempt;
    final List<Long> seqs = new ArrayList<>();
    String requestedBy;
    Instant requestedAt;
    String namespace;
    String sourceNamespace;
    Instant readyAt;
    Map<String, Integer> copiedObjects = Map.of();
    List<SecretDecision> secretDecisions = List.of();
    String outcome;
    Instant completedAt;
    TestAnalytics analytics;
    Instant deletedAt;
    String deletionReason;

    TestRunAcc(String runId, int attempt) {
      this.runId = runId;
      this.attempt = attempt;
    }

    TestRun build() {
      return new TestRun(
          runId,
          attempt,
          List.copyOf(seqs),
          requestedBy,
          requestedAt,
          namespace,
          sourceNamespace,
          readyAt,
          copiedObjects,
          secretDecisions,
          outcome,
          completedAt,
          analytics,
          deletedAt,
          deletionReason);
    }
  }

  private static final class RolloutAcc {
    final String rolloutId;
    Integer revision;
    String workload;
    String status = "IN_PROGRESS";
    Instant startedAt;
    Instant endedAt;
    final List<Checkpoint> checkpoints = new ArrayList<>();
    final List<StepAcc> steps = new ArrayList<>();
    Promotion promotion;
    WatchWindow watchWindow;
    final List<RevertAcc> reverts = new ArrayList<>();
    Long firstSeq;
    String image;
    String origin;
    String startedBy;
    String policy;
    boolean reachedProduction;

    RolloutAcc(String rolloutId) {
      this.rolloutId = rolloutId;
    }

    /** A result without a recorded start still belongs on the record, as a step of its own. */
    StepAcc runningStep(int step, int weight) {
      for (int i = steps.size() - 1; i >= 0; i--) {
        StepAcc candidate = steps.get(i);
        if (candidate.step == step && candidate.result.equals("RUNNING")) {
          return candidate;
        }
      }
      StepAcc orphan = new StepAcc(step, weight, null, null);
      steps.add(orphan);
      return orphan;
    }

    Rollout build() {
      return new Rollout(
          rolloutId,
          revision,
          workload,
          status,
          startedAt,
          endedAt,
          List.copyOf(checkpoints),
          steps.stream().map(StepAcc::build).toList(),
          promotion,
          watchWindow,
          reverts.stream().map(RevertAcc::build).toList(),
          image,
          origin,
          startedBy,
          policy);
    }
  }

  private static final class StepAcc {
    final int step;
    final int weight;
    final Long startedSeq;
    final Instant startedAt;
    String result = "RUNNING";
    Long resultSeq;
    Instant resultAt;
    String failureReason;
    List<AnalysisEvidence> evidence = List.of();
    Double actualWeight;
    Integer canaryReplicas;
    Integer stableReplicas;

    StepAcc(int step, int weight, Long startedSeq, Instant startedAt) {
      this.step = step;
      this.weight = weight;
      this.startedSeq = startedSeq;
      this.startedAt = startedAt;
    }

    void finish(
        String result, long seq, Instant at, String reason, List<AnalysisEvidence> evidence) {
      this.result = result;
      this.resultSeq = seq;
      this.resultAt = at;
      this.failureReason = reason;
      this.evidence = list(evidence);
    }

    /** The share the step really had, as its latest event that says so reports it. */
    void actual(Double share, Integer canary, Integer stable) {
      if (share != null) {
        actualWeight = share;
        canaryReplicas = canary;
        stableReplicas = stable;
      }
    }

    CanaryStepRecord build() {
      return new CanaryStepRecord(
          step,
          weight,
          startedSeq,
          startedAt,
          result,
          resultSeq,
          resultAt,
          failureReason,
          evidence,
          actualWeight,
          canaryReplicas,
          stableReplicas);
    }
  }

  private static final class RevertAcc {
    final long seq;
    final RolloutReverted started;
    Long completedSeq;
    RevertCompleted completed;

    RevertAcc(long seq, RolloutReverted started) {
      this.seq = seq;
      this.started = started;
    }

    void complete(long seq, RevertCompleted e) {
      completedSeq = seq;
      completed = e;
    }

    Revert build() {
      RevertCompleted c = completed;
      return new Revert(
          seq,
          started.revision(),
          name(started.trigger()),
          started.reason(),
          list(started.evidence()),
          started.revertStartedAt(),
          completedSeq,
          c == null ? null : c.completedAt(),
          c == null ? null : c.durationMs(),
          c == null ? null : c.verified(),
          c == null ? List.of() : list(c.restored()));
    }
  }

  static String workload(WorkloadRef w) {
    return w == null ? null : w.namespace() + "/" + w.kind() + "/" + w.name();
  }

  static String equipment(EquipmentRef e) {
    if (e == null) {
      return null;
    }
    return name(e.type())
        + " "
        + e.equipmentId()
        + (e.location() == null ? "" : " (" + e.location() + ")");
  }

  static String target(ContainerTarget t) {
    return t == null ? null : workload(t.workload()) + ":" + t.container();
  }

  /** A step's actual share beside its requested one in a summary line; empty when unknown. */
  static String actual(Double share) {
    if (share == null) {
      return "";
    }
    return " (actual "
        + (share == Math.rint(share) ? String.valueOf(share.longValue()) : String.valueOf(share))
        + "%)";
  }

  static String step(CanaryStep s) {
    return s == null ? null : s.weight() + "% for " + s.pauseSeconds() + " s";
  }

  static String name(Enum<?> value) {
    return value == null ? null : value.name();
  }

  static <T> List<T> list(Collection<T> values) {
    return values == null ? List.of() : values.stream().filter(Objects::nonNull).toList();
  }

  static <K, V> Map<K, V> map(Map<K, V> values) {
    return values == null ? Map.of() : Collections.unmodifiableMap(new TreeMap<>(values));
  }
}
