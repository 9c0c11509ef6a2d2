package dev.patchops.audit.changerecord;

import static dev.patchops.contract.model.RolloutOrigin.APPROVAL;
import static dev.patchops.contract.model.RolloutOrigin.EMERGENCY;
import static dev.patchops.contract.model.RolloutOrigin.KUBECTL;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.patchops.audit.trail.TrailRecord;
import dev.patchops.contract.ContractJson;
import dev.patchops.contract.EventType;
import dev.patchops.contract.PatchOpsEvent;
import dev.patchops.contract.events.AlertReceived;
import dev.patchops.contract.events.AlertResolved;
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
import dev.patchops.contract.model.AttemptChanges;
import dev.patchops.contract.model.CanaryStep;
import dev.patchops.contract.model.ContainerTarget;
import dev.patchops.contract.model.DiagnosticKind;
import dev.patchops.contract.model.EquipmentRef;
import dev.patchops.contract.model.EquipmentType;
import dev.patchops.contract.model.HardwareReleaseMode;
import dev.patchops.contract.model.Quarantine;
import dev.patchops.contract.model.RevertTrigger;
import dev.patchops.contract.model.RolloutOrigin;
import dev.patchops.contract.model.RootCauseMethod;
import dev.patchops.contract.model.SecretDecision;
import dev.patchops.contract.model.SecretDecisionKind;
import dev.patchops.contract.model.Severity;
import dev.patchops.contract.model.SuiteResult;
import dev.patchops.contract.model.TestAnalytics;
import dev.patchops.contract.model.TestCaseResult;
import dev.patchops.contract.model.TestCaseStatus;
import dev.patchops.contract.model.TestOutcome;
import dev.patchops.contract.model.TestSuiteSpec;
import dev.patchops.contract.model.TicketKind;
import dev.patchops.contract.model.TicketSource;
import dev.patchops.contract.model.VcsRef;
import dev.patchops.contract.model.WorkloadRef;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Realistic ticket histories, serialized the way the audit-service stores them. */
final class ChangeRecordFixtures {
  static final Instant T0 = Instant.parse("2026-03-01T10:00:00Z");
  static final WorkloadRef CHECKOUT = new WorkloadRef("payments", "Deployment", "checkout");
  static final List<ContainerTarget> TARGETS = List.of(new ContainerTarget(CHECKOUT, "app"));
  static final List<CanaryStep> CANARY =
      List.of(new CanaryStep(10, 60), new CanaryStep(50, 120), new CanaryStep(100, 0));
  static final List<TestSuiteSpec> SUITES =
      List.of(
          new TestSuiteSpec(
              "smoke", image('5'), List.of("./smoke.sh", "--target", "checkout"), 300));
  static final String FINGERPRINT = "fp-checkout-5xx";
  static final String REPO = "https://git.example/payments/checkout";
  static final String DEAD_LETTER_STREAM = "dead-letter/rollout-service";
  static final String UNKNOWN_TYPE = "dev.patchops.ticket.comment-added.v1";
  static final AnalysisEvidence ERROR_RATE_FAILED =
      new AnalysisEvidence("prometheus", "rate(http_5xx[1m])", "0.07", "0.02", false);
  static final AnalysisEvidence ERROR_RATE_OK =
      new AnalysisEvidence("prometheus", "rate(http_5xx[1m])", "0.001", "0.02", true);

  private ChangeRecordFixtures() {}

  static String hex(char c, int length) {
    return String.valueOf(c).repeat(length);
  }

  static String image(char c) {
    return "registry.example/payments/checkout@sha256:" + hex(c, 64);
  }

  static Instant at(int minutes) {
    return T0.plus(Duration.ofMinutes(minutes));
  }

  /** Appends records with consecutive sequence numbers and a fake but linked hash chain. */
  static final class Trail {
    private final String ticketId;
    private final List<TrailRecord> records = new ArrayList<>();
    private long seq;
    private int minute;

    Trail(String ticketId, long firstSeq) {
      this.ticketId = ticketId;
      this.seq = firstSeq - 1;
    }

    Trail event(String actor, PatchOpsEvent event) {
      EventType type = EventType.forPayload(event);
      return raw("event", type.type(), actor, json(event), null);
    }

    Trail raw(String stream, String type, String actor, String payload, String parseError) {
      seq++;
      minute++;
      String prev = records.isEmpty() ? hex('0', 64) : records.get(records.size() - 1).hash();
      records.add(
          new TrailRecord(
              seq,
              stream,
              "/patchops/test",
              "evt-" + seq,
              type,
              "1.0",
              ticketId,
              ticketId,
              actor,
              at(minute),
              at(minute).plusMillis(5),
              "patchops.test",
              0,
              seq,
              "{}",
              parseError == null ? payload : null,
              parseError == null ? null : payload.getBytes(StandardCharsets.UTF_8),
              parseError,
              prev,
              String.format("%064x", seq * 7919)));
      return this;
    }

    Instant now() {
      return at(minute + 1);
    }

    List<TrailRecord> records() {
      return List.copyOf(records);
    }

    private static String json(PatchOpsEvent event) {
      try {
        return ContractJson.mapper().writeValueAsString(event);
      } catch (JsonProcessingException e) {
        throw new IllegalStateException(e);
      }
    }
  }

  static PatchProposed proposal(
      String ticketId, int revision, char commit, String author, Instant at) {
    return new PatchProposed(
        ticketId,
        revision,
        new VcsRef(REPO, hex(commit, 40), REPO + "/pull/" + (40 + revision)),
        image(commit),
        TARGETS,
        "Revision " + revision + ": raise pool size and close leaked connections",
        "Connection pool exhausted under load (root cause)",
        author,
        SUITES,
        CANARY,
        at);
  }

  static Trail testRun(
      Trail trail, String ticketId, int revision, String runId, TestOutcome outcome) {
    String namespace = ticketId.toLowerCase() + "-r" + revision + "-a1";
    List<SecretDecision> secrets =
        List.of(
            new SecretDecision(
                "checkout-db", SecretDecisionKind.PLACEHOLDER, "production credential"));
    boolean passed = outcome == TestOutcome.PASSED;
    TestAnalytics analytics =
        new TestAnalytics(
            42_000,
            9_000L,
            0,
            List.of(
                new SuiteResult(
                    "smoke",
                    outcome,
                    passed ? 0 : 1,
                    40_000,
                    3,
                    passed ? 0 : 1,
                    0,
                    0,
                    List.of(
                        new TestCaseResult(
                            "smoke", "checkout-200", TestCaseStatus.PASSED, 900, null),
                        new TestCaseResult(
                            "smoke",
                            "checkout-under-load",
                            passed ? TestCaseStatus.PASSED : TestCaseStatus.FAILED,
                            30_000,
                            passed ? null : "checkout timed out after 30s")),
                    "GET /checkout 200\nPOST /checkout " + (passed ? "200" : "504"))),
            passed ? List.of() : List.of("checkout timed out after 30s"),
            List.of(),
            secrets,
            revision > 1
                ? new AttemptChanges(
                    revision - 1,
                    revision - 1,
                    List.of(),
                    List.of("smoke / checkout-under-load"),
                    List.of(),
                    List.of(),
                    "0 newly failing, 1 fixed, 0 still failing, 0 flaky since attempt 1 (revision 1)")
                : null);
    return trail
        .event(
            "ticket-service",
            new TestRunRequested(
                ticketId,
                revision,
                runId,
                1,
                image('a'),
                TARGETS,
                SUITES,
                "ticket-service",
                trail.now()))
        .event(
            "test-orchestrator",
            new TestEnvironmentReady(
                ticketId,
                revision,
                runId,
                1,
                namespace,
                "payments",
                Map.of("Deployment", 1, "ConfigMap", 2),
                secrets,
                trail.now()))
        .event(
            "test-orchestrator",
            new TestRunCompleted(
                ticketId, revision, runId, 1, null, outcome, analytics, trail.now(), "dave"))
        .event(
            "test-orchestrator",
            new TestEnvironmentDeleted(
                ticketId, revision, runId, 1, namespace, "run completed", trail.now()));
  }

  static PatchApproved approval(
      String ticketId,
      int revision,
      String approver,
      String author,
      String emergencyReason,
      Instant at) {
    return new PatchApproved(
        ticketId,
        revision,
        approver,
        author,
        emergencyReason != null,
        emergencyReason,
        image('a'),
        TARGETS,
        CANARY,
        at);
  }

  static CheckpointRecorded checkpoint(
      String ticketId, String rolloutId, int revision, Instant at) {
    return new CheckpointRecorded(
        ticketId,
        rolloutId,
        revision,
        CHECKOUT,
        "cp-" + rolloutId,
        hex('c', 64),
        Map.of("ConfigMap/checkout-config", hex('d', 64)),
        at,
        image('a'),
        rolloutId.startsWith("ro-e") ? RolloutOrigin.EMERGENCY : RolloutOrigin.APPROVAL,
        "rollout-service");
  }

  /**
   * The full flow of a software ticket: opened from an alert, refused once, diagnosed, three
   * revisions (failed tests, reverted canary, promoted), resolved and closed with a review note.
   * Odd records are mixed in: a dead-letter copy, an unparseable record, an unreadable payload, an
   * unknown and a missing type.
   */
  static List<TrailRecord> completeHistory(String ticketId, String title) {
    Trail t = new Trail(ticketId, 101);
    t.event(
            "alertmanager",
            new AlertReceived(
                ticketId,
                FINGERPRINT,
                "alertmanager",
                "CheckoutHighErrorRate",
                Severity.SEV2,
                Map.of("service", "checkout"),
                Map.of("summary", "5xx rate above 5%"),
                CHECKOUT,
                at(0)))
        .event(
            "alert-hook",
            new TicketOpened(
                ticketId,
                TicketKind.SOFTWARE,
                title,
                "Checkout fails | customers cannot pay",
                Severity.SEV2,
                "alert-hook",
                TicketSource.ALERT,
                CHECKOUT,
                null,
                FINGERPRINT,
                at(1),
                at(0)))
        .event(
            "dave",
            new GateRefused(
                ticketId,
                "propose-patch",
                "root-cause-first",
                "dave",
                "no root cause recorded",
                at(2)))
        .event(
            "alice",
            new DiagnosticAdded(
                ticketId,
                "diag-1",
                DiagnosticKind.LOG_QUERY,
                "https://logs.example/query?id=checkout_5xx",
                at(3),
                hex('e', 64),
                "pool timeouts in every 5xx",
                "alice"))
        .event(
            "alice",
            new RootCauseRecorded(
                ticketId,
                RootCauseMethod.FIVE_WHYS,
                List.of("requests time out", "no free DB connections", "connections leak on error"),
                "Connection leak in CheckoutDao exhausts the pool",
                List.of("pool size 10"),
                List.of("payments/Deployment/checkout", "payments-db"),
                List.of("diag-1"),
                "alice",
                at(4)))
        .event("dave", proposal(ticketId, 1, '1', "dave", t.now()));
    testRun(t, ticketId, 1, "run-1", TestOutcome.FAILED)
        .event("erin", new PatchRejected(ticketId, 1, "erin", "tests failed", t.now()))
        .raw(DEAD_LETTER_STREAM, EventType.TEST_RUN_COMPLETED.type(), null, "{}", null)
        .event("dave", proposal(ticketId, 2, '2', "dave", t.now()));
    testRun(t, ticketId, 2, "run-2", TestOutcome.PASSED)
        .event("erin", approval(ticketId, 2, "erin", "dave", null, t.now()))
        .event("rollout-service", checkpoint(ticketId, "ro-2", 2, t.now()))
        .event(
            "rollout-service",
            new CanaryStepStarted(ticketId, "ro-2", 1, 10, t.now(), image('a'), APPROVAL, "erin"))
        .event(
            "rollout-service",
            new CanaryStepFailed(
                ticketId,
                "ro-2",
                1,
                10,
                "error rate 7% above 2%",
                List.of(ERROR_RATE_FAILED),
                t.now(),
                image('a'),
                APPROVAL,
                "erin"))
        .event(
            "rollout-service",
            new RolloutReverted(
                ticketId,
                "ro-2",
                2,
                RevertTrigger.ANALYSIS,
                "canary step 1 failed analysis",
                List.of(ERROR_RATE_FAILED),
                t.now(),
                image('a'),
                APPROVAL,
                "erin"))
        .event(
            "rollout-service",
            new RevertCompleted(
                ticketId,
                "ro-2",
                true,
                4_200,
                List.of("Deployment/checkout", "ConfigMap/checkout-config"),
                t.now(),
                null,
                null,
                0,
                image('a'),
                APPROVAL,
                "erin"))
        .raw("event", "not json", null, "{not json", "payload is not JSON")
        .raw("event", UNKNOWN_TYPE, "zoe", "{\"ticketId\":\"" + ticketId + "\"}", null)
        .raw("unkeyed", null, null, "{}", null)
        .raw(
            "event", EventType.TICKET_RESOLVED.type(), "mallory", "{\"resolvedAt\":\"soon\"}", null)
        .event("dave", proposal(ticketId, 3, '3', "dave", t.now()));
    testRun(t, ticketId, 3, "run-3", TestOutcome.PASSED)
        .event("erin", approval(ticketId, 3, "erin", "dave", null, t.now()))
        .event("rollout-service", checkpoint(ticketId, "ro-3", 3, t.now()));
    for (int step = 1; step <= CANARY.size(); step++) {
      int weight = CANARY.get(step - 1).weight();
      t.event(
              "rollout-service",
              new CanaryStepStarted(
                  ticketId, "ro-3", step, weight, t.now(), image('a'), APPROVAL, "erin"))
          .event(
              "rollout-service",
              new CanaryStepPassed(
                  ticketId,
                  "ro-3",
                  step,
                  weight,
                  List.of(ERROR_RATE_OK),
                  t.now(),
                  image('a'),
                  APPROVAL,
                  "erin"));
    }
    Instant promoted = t.now();
    return t.event(
            "rollout-service",
            new RolloutPromoted(
                ticketId,
                "ro-3",
                3,
                CHECKOUT,
                promoted,
                promoted.plusSeconds(1800),
                image('a'),
                APPROVAL,
                "erin"))
        .event(
            "rollout-service",
            new WatchWindowPassed(ticketId, "ro-3", t.now(), image('a'), APPROVAL, "erin"))
        .event(
            "alertmanager",
            new AlertResolved(
                ticketId, FINGERPRINT, "alertmanager", "CheckoutHighErrorRate", CHECKOUT, t.now()))
        .event(
            "dave",
            new TicketResolved(
                ticketId, "Leak fixed and pool raised in revision 3", "dave", t.now()))
        .event(
            "erin",
            new TicketClosed(
                ticketId,
                "erin",
                "Reviewed: error rate at baseline for 24 h after rollout",
                t.now()))
        .records();
  }

  /** An emergency change: approved without tests, then reviewed after the fact; later reopened. */
  static List<TrailRecord> emergencyHistory(String ticketId, boolean reviewed) {
    Trail t = new Trail(ticketId, 501);
    t.event(
            "gina",
            new TicketOpened(
                ticketId,
                TicketKind.SOFTWARE,
                "Payments down",
                null,
                Severity.SEV1,
                "gina",
                TicketSource.REST,
                CHECKOUT,
                null,
                null,
                at(0),
                null))
        .event(
            "gina",
            new RootCauseRecorded(
                ticketId,
                RootCauseMethod.FAULT_TREE,
                List.of(),
                "Expired TLS certificate on the payments gateway client",
                List.of(),
                List.of("payments/Deployment/checkout"),
                List.of(),
                "gina",
                t.now()))
        .event("gina", proposal(ticketId, 1, '7', "gina", t.now()))
        .event("hank", approval(ticketId, 1, "hank", "gina", "all payments failing", t.now()))
        .event("rollout-service", checkpoint(ticketId, "ro-e1", 1, t.now()))
        .event(
            "rollout-service",
            new CanaryStepStarted(
                ticketId, "ro-e1", 1, 100, t.now(), image('a'), EMERGENCY, "hank"))
        .event(
            "rollout-service",
            new CanaryStepPassed(
                ticketId,
                "ro-e1",
                1,
                100,
                List.of(ERROR_RATE_OK),
                t.now(),
                image('a'),
                EMERGENCY,
                "hank"))
        .event(
            "rollout-service",
            new RolloutPromoted(
                ticketId,
                "ro-e1",
                1,
                CHECKOUT,
                t.now(),
                t.now().plusSeconds(900),
                image('a'),
                EMERGENCY,
                "hank"));
    if (reviewed) {
      t.event(
          "ivy",
          new EmergencyChangeReviewed(
              ticketId, 1, "ivy", true, "Justified; certificate rotation now automated", t.now()));
    }
    t.event(
        "sam",
        new RolloutControlled(
            ticketId, "ro-e1", "PAUSE", "sam", t.now(), image('a'), EMERGENCY, "hank"));
    t.event(
        "rollout-service",
        new RolloutNotStarted(
            ticketId,
            "ro-e0",
            1,
            new WorkloadRef("payments", "Deployment", "checkout"),
            "workload payments/checkout already has active rollout ro-x",
            t.now(),
            image('a'),
            APPROVAL,
            "hank"));
    return t.event(
            "rollout-service",
            new WatchWindowPassed(ticketId, "ro-e1", t.now(), image('a'), EMERGENCY, "hank"))
        .event("gina", new TicketResolved(ticketId, "Certificate renewed", "gina", t.now()))
        .event("hank", new TicketReopened(ticketId, "errors are back", "hank", t.now()))
        // A freeze after the fact, and a start it refused.
        .event(
            "carol",
            new FreezeWindowCreated(
                "fw-1", t.now(), t.now().plusSeconds(3600), "quarter close", "carol", t.now()))
        .event(
            "sam",
            new RolloutStartRefused(
                ticketId,
                "ro-e2",
                "checkout-fix",
                CHECKOUT,
                image('a'),
                1,
                KUBECTL,
                "sam",
                "change-freeze",
                "change-freeze: change freeze fw-1 is active",
                t.now()))
        .event("carol", new FreezeWindowDeleted("fw-1", "carol", t.now()))
        .records();
  }

  /** A hardware ticket: a node quarantined for one engineer and released after burn-in. */
  static List<TrailRecord> hardwareHistory(String ticketId) {
    EquipmentRef node = new EquipmentRef("node-17", EquipmentType.NODE, "rack 4");
    Trail t = new Trail(ticketId, 801);
    return t.event(
            "kim",
            new TicketOpened(
                ticketId,
                TicketKind.HARDWARE,
                "node-17 disk errors",
                "SMART errors on /dev/sdb",
                Severity.SEV3,
                "kim",
                TicketSource.REST,
                null,
                node,
                null,
                at(0),
                at(0)))
        .event("kim", new HardwareQuarantineRequested(ticketId, node, "node-17", "jack", t.now()))
        .event(
            "rollout-service",
            new NodeDrainBlocked(
                ticketId,
                node,
                "node-17",
                List.of("shop/checkout-1"),
                "Cannot evict pod as it would violate the pod's disruption budget.",
                t.now()))
        .event(
            "rollout-service",
            new NodeDrained(ticketId, node, "node-17", List.of("shop/checkout-1"), t.now()))
        .event(
            "rollout-service",
            new HardwareQuarantined(
                ticketId,
                node,
                "node-17",
                false,
                List.of(),
                Quarantine.TAINT_KEY + "=" + ticketId + ":" + Quarantine.TAINT_EFFECT,
                t.now()))
        .event(
            "jack",
            new BurnInRequested(
                ticketId,
                1,
                "run-hw-1",
                1,
                "node-17",
                "node-17",
                "Replaced /dev/sdb",
                List.of(
                    new TestSuiteSpec(
                        "disk-burn-in",
                        "registry.example/fio@sha256:" + "a".repeat(64),
                        List.of("fio", "--size=10G"),
                        600)),
                "jack",
                t.now()))
        .event(
            "rollout-service",
            new QuarantineBreached(
                ticketId, node, "node-17", "cordon lifted", "kubectl-uncordon", true, t.now()))
        .event("jack", new HardwareQuarantineReleased(ticketId, node, "jack", true, t.now()))
        .records();
  }

  /**
   * The process around a hardware ticket: equipment registered and reassigned (the lock moves with
   * it), a freeze declared and lifted, a fix approved by someone else, and plan B, a manual release
   * with its reason.
   */
  static List<TrailRecord> processHistory(String ticketId) {
    Trail t = new Trail(ticketId, 851);
    EquipmentRef node = new EquipmentRef("node-18", EquipmentType.NODE, "rack 4");
    return t.event(
            "root",
            new EquipmentRegistered(
                "node-18", EquipmentType.NODE, "rack 4", "node-18", "jack", "root", t.now()))
        .event(
            "root",
            new FreezeWindowCreated("fw-1", at(0), at(600), "Black Friday", "root", t.now()))
        .event("root", new FreezeWindowDeleted("fw-1", "root", t.now()))
        .event(
            "root", new EquipmentReassigned("node-18", "jack", "lena", ticketId, "root", t.now()))
        .event(
            "root",
            new HardwareLockTransferred(ticketId, "node-18", "jack", "lena", "root", t.now()))
        .event(
            "anna",
            new HardwareFixApproved(
                ticketId, 1, node, "node-18", "run-hw-2", "lena", "lena", "anna", t.now()))
        .event(
            "lena",
            new HardwareManualReleaseRequested(
                ticketId, node, "node-18", "lena", "burn-in rig down; memtest by hand", t.now()))
        .event(
            "rollout-service",
            new HardwareQuarantineReleased(
                ticketId,
                node,
                "lena",
                false,
                t.now(),
                HardwareReleaseMode.MANUAL,
                "burn-in rig down; memtest by hand"))
        .records();
  }

  /**
   * A rollout governed by a PatchRolloutPolicy, and an alert on its workload that by rule did not
   * revert it.
   */
  static List<TrailRecord> policyHistory(String ticketId) {
    Trail t = new Trail(ticketId, 951);
    CheckpointRecorded plain = checkpoint(ticketId, "ro-p1", 1, t.now());
    return t.event(
            "rollout-service",
            new CheckpointRecorded(
                plain.ticketId(),
                plain.rolloutId(),
                plain.revision(),
                plain.workload(),
                plain.checkpointId(),
                plain.specHash(),
                plain.configHashes(),
                plain.recordedAt(),
                plain.image(),
                plain.origin(),
                plain.startedBy(),
                new dev.patchops.contract.model.RolloutPolicyRef(
                    "checkout-careful", 3, "names the Deployment")))
        .event(
            "rollout-service",
            new dev.patchops.contract.events.RolloutAlertIgnored(
                ticketId,
                "ro-p1",
                "CheckoutLatency",
                "fp-p1",
                Severity.SEV3,
                Map.of("namespace", "payments", "service", "checkout"),
                at(0),
                "service payments/checkout selects {app=checkout} -> Deployment checkout",
                "severity",
                "SEV3 does not revert; reverting: [SEV1]",
                t.now(),
                image('a'),
                RolloutOrigin.APPROVAL,
                "rollout-service"))
        .records();
  }

  /** A revision tested again directly: one refusal, then its author's re-run. */
  static List<TrailRecord> directRunHistory(String ticketId) {
    Trail t = new Trail(ticketId, 901);
    t.event("dave", proposal(ticketId, 1, 'c', "dave", t.now()))
        .event(
            "test-orchestrator",
            new TestRunRefused(
                ticketId,
                1,
                "erin",
                "requester",
                "erin neither wrote revision 1 (its author is dave) nor holds role approver",
                t.now()))
        .event(
            "dave",
            new TestRerunRequested(
                ticketId, 1, "run-d2", 2, image('c'), TARGETS, SUITES, "dave", "dave", t.now()));
    return t.records();
  }

  /** Only as far as a proposal: what an auditor would find if sampling a change in flight. */
  static List<TrailRecord> incompleteHistory(String ticketId) {
    Trail t = new Trail(ticketId, 901);
    return t.event(
            "lee",
            new TicketOpened(
                ticketId,
                TicketKind.SOFTWARE,
                "Slow search",
                "p99 latency doubled",
                Severity.SEV3,
                "lee",
                TicketSource.REST,
                CHECKOUT,
                null,
                null,
                at(0),
                null))
        .event(
            "lee",
            new RootCauseRecorded(
                ticketId,
                RootCauseMethod.FISHBONE,
                List.of(),
                "Missing index on orders.created_at",
                List.of("table growth"),
                List.of("payments-db"),
                List.of(),
                "lee",
                t.now()))
        .event("lee", proposal(ticketId, 1, '9', "lee", t.now()))
        .records();
  }
}
