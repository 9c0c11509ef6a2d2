package dev.patchops.audit.changerecord;

import static dev.patchops.audit.changerecord.ChangeRecordFixtures.FINGERPRINT;
import static dev.patchops.audit.changerecord.ChangeRecordFixtures.REPO;
import static dev.patchops.audit.changerecord.ChangeRecordFixtures.hex;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import dev.patchops.audit.changerecord.ChangeRecord.CanaryStepRecord;
import dev.patchops.audit.changerecord.ChangeRecord.Revert;
import dev.patchops.audit.changerecord.ChangeRecord.Revision;
import dev.patchops.audit.changerecord.ChangeRecord.Rollout;
import dev.patchops.audit.changerecord.ChangeRecord.TestRun;
import dev.patchops.audit.changerecord.ChangeRecord.TimelineEntry;
import dev.patchops.audit.changerecord.Completeness.FieldResult;
import dev.patchops.audit.changerecord.Completeness.FrameworkResult;
import dev.patchops.audit.trail.TrailRecord;
import dev.patchops.contract.ContractJson;
import dev.patchops.contract.EventType;
import dev.patchops.contract.events.CanaryStepStarted;
import dev.patchops.contract.events.RolloutStartRefused;
import dev.patchops.contract.model.RolloutOrigin;
import dev.patchops.contract.model.WorkloadRef;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class ChangeRecordBuilderTest {
  private static final String TICKET = "T-1001";
  private static final List<TrailRecord> HISTORY =
      ChangeRecordFixtures.completeHistory(TICKET, "Checkout returns 502 under load");
  private static final ChangeRecord RECORD = ChangeRecordBuilder.build(TICKET, HISTORY);

  @Test
  void fixturesCoverEveryEventTypeOfTheTicketFlow() {
    List<TrailRecord> all = new ArrayList<>(HISTORY);
    all.addAll(ChangeRecordFixtures.emergencyHistory("T-2001", true));
    all.addAll(ChangeRecordFixtures.hardwareHistory("T-3001"));
    all.addAll(ChangeRecordFixtures.processHistory("T-3002"));
    all.addAll(ChangeRecordFixtures.directRunHistory("T-4001"));
    all.addAll(ChangeRecordFixtures.policyHistory("T-5001"));
    Set<String> covered = all.stream().map(TrailRecord::type).collect(Collectors.toSet());

    EnumSet<EventType> ticketFlow = EnumSet.allOf(EventType.class);
    ticketFlow.remove(EventType.AUDIT_CHECKPOINT_SIGNED);
    // Freeze windows belong to no ticket, so no ticket's history holds them.
    ticketFlow.remove(EventType.FREEZE_WINDOW_CREATED);
    ticketFlow.remove(EventType.FREEZE_WINDOW_DELETED);
    assertThat(covered).containsAll(ticketFlow.stream().map(EventType::type).toList());
  }

  @Test
  void theRolloutShowsItsPolicyAndTheAlertItDidNotActOn() {
    ChangeRecord record =
        ChangeRecordBuilder.build("T-5001", ChangeRecordFixtures.policyHistory("T-5001"));
    assertThat(record.rollouts())
        .singleElement()
        .extracting(ChangeRecord.Rollout::policy)
        .isEqualTo("checkout-careful (generation 3; names the Deployment)");
    assertThat(record.timeline().get(1).summary())
        .isEqualTo(
            "Alert CheckoutLatency on service payments/checkout selects {app=checkout} ->"
                + " Deployment checkout did not revert rollout ro-p1 (severity: SEV3 does not"
                + " revert; reverting: [SEV1])");
    assertThat(ChangeRecordMarkdown.render(record))
        .contains("checkout-careful (generation 3; names the Deployment)");
    // Without a policy the record says the defaults applied.
    assertThat(RECORD.rollouts())
        .filteredOn(r -> !r.checkpoints().isEmpty())
        .isNotEmpty()
        .allSatisfy(r -> assertThat(r.policy()).isEqualTo("none (service defaults)"));
  }

  @Test
  void ticketSummaryComesFromTheOpenedRecord() {
    assertThat(RECORD.ticketId()).isEqualTo(TICKET);
    assertThat(RECORD.ticket())
        .extracting(
            t -> t.seq(),
            t -> t.kind(),
            t -> t.title(),
            t -> t.description(),
            t -> t.severity(),
            t -> t.reporter(),
            t -> t.source(),
            t -> t.workload(),
            t -> t.equipment(),
            t -> t.alertFingerprint())
        .containsExactly(
            102L,
            "SOFTWARE",
            "Checkout returns 502 under load",
            "Checkout fails | customers cannot pay",
            "SEV2",
            "alert-hook",
            "ALERT",
            "payments/Deployment/checkout",
            null,
            FINGERPRINT);
    assertThat(RECORD.ticket().openedAt()).isEqualTo(ChangeRecordFixtures.at(1));
    assertThat(RECORD.ticket().detectedAt()).isEqualTo(ChangeRecordFixtures.at(0));
  }

  @Test
  void timelineListsEveryRecordIncludingOddOnes() {
    assertThat(RECORD.timeline()).hasSize(HISTORY.size());
    assertThat(RECORD.timeline())
        .extracting(TimelineEntry::seq)
        .containsExactlyElementsOf(HISTORY.stream().map(TrailRecord::seq).toList());
    assertThat(entry(102).summary()).startsWith("Ticket opened (SEV2, SOFTWARE)");
    assertThat(entry(102).actor()).isEqualTo("alert-hook");
    assertThat(entry(102).time()).isEqualTo(HISTORY.get(1).eventTime());
    assertThat(entry(118).summary()).isEqualTo("Revision 2 approved");
    assertThat(entry(121).summary()).isEqualTo("Canary step 1 failed: error rate 7% above 2%");
    assertThat(entry(125).summary()).isEqualTo("event of an unknown type");
    assertThat(entry(126).summary()).isEqualTo("record without a type");
    assertThat(entry(112).summary()).startsWith("flagged: parked by consumer rollout-service");
  }

  @Test
  void alertsDiagnosticsAndRootCause() {
    assertThat(RECORD.alerts())
        .extracting(a -> a.seq(), a -> a.status(), a -> a.fingerprint(), a -> a.alertName())
        .containsExactly(
            tuple(101L, "FIRING", FINGERPRINT, "CheckoutHighErrorRate"),
            tuple(143L, "RESOLVED", FINGERPRINT, "CheckoutHighErrorRate"));
    assertThat(RECORD.alerts().get(0).labels()).containsEntry("service", "checkout");

    assertThat(RECORD.diagnostics())
        .singleElement()
        .satisfies(
            d -> {
              assertThat(d.seq()).isEqualTo(104);
              assertThat(d.kind()).isEqualTo("LOG_QUERY");
              assertThat(d.sha256()).isEqualTo(hex('e', 64));
              assertThat(d.addedBy()).isEqualTo("alice");
            });

    assertThat(RECORD.rootCauses())
        .singleElement()
        .satisfies(
            rc -> {
              assertThat(rc.seq()).isEqualTo(105);
              assertThat(rc.method()).isEqualTo("FIVE_WHYS");
              assertThat(rc.whys()).hasSize(3);
              assertThat(rc.rootCause())
                  .isEqualTo("Connection leak in CheckoutDao exhausts the pool");
              assertThat(rc.contributingFactors()).containsExactly("pool size 10");
              assertThat(rc.affectedComponents())
                  .containsExactly("payments/Deployment/checkout", "payments-db");
              assertThat(rc.evidenceRefs()).containsExactly("diag-1");
              assertThat(rc.recordedBy()).isEqualTo("alice");
              assertThat(rc.recordedAt()).isNotNull();
            });
  }

  @Test
  void revisionsCarryTheirPatchTestRunsApprovalsAndRejections() {
    assertThat(RECORD.revisions()).extracting(Revision::number).containsExactly(1, 2, 3);

    Revision first = RECORD.revisions().get(0);
    assertThat(first.proposedSeq()).isEqualTo(106);
    assertThat(first.repositoryUrl()).isEqualTo(REPO);
    assertThat(first.commitSha()).isEqualTo(hex('1', 40));
    assertThat(first.pullRequestUrl()).isEqualTo(REPO + "/pull/41");
    assertThat(first.image()).endsWith(hex('1', 64));
    assertThat(first.targets()).containsExactly("payments/Deployment/checkout:app");
    assertThat(first.why()).contains("root cause");
    assertThat(first.author()).isEqualTo("dave");
    assertThat(first.testSuites()).containsExactly("smoke");
    assertThat(first.canarySteps())
        .containsExactly("10% for 60 s", "50% for 120 s", "100% for 0 s");
    assertThat(first.approvals()).isEmpty();
    assertThat(first.rejections())
        .singleElement()
        .satisfies(r -> assertThat(r.reason()).isEqualTo("tests failed"));

    TestRun failed = first.testRuns().get(0);
    assertThat(first.testRuns()).hasSize(1);
    assertThat(failed.runId()).isEqualTo("run-1");
    assertThat(failed.seqs()).containsExactly(107L, 108L, 109L, 110L);
    assertThat(failed.outcome()).isEqualTo("FAILED");
    assertThat(failed.namespace()).isEqualTo("t-1001-r1-a1");
    assertThat(failed.sourceNamespace()).isEqualTo("payments");
    assertThat(failed.copiedObjects()).containsEntry("ConfigMap", 2);
    assertThat(failed.secretDecisions()).hasSize(1);
    assertThat(failed.environmentDeletedAt()).isNotNull();
    assertThat(failed.deletionReason()).isEqualTo("run completed");
    assertThat(failed.analytics().failureMessages())
        .containsExactly("checkout timed out after 30s");
    assertThat(failed.analytics().suites().get(0).cases())
        .anySatisfy(c -> assertThat(c.failureMessage()).isEqualTo("checkout timed out after 30s"));

    Revision second = RECORD.revisions().get(1);
    assertThat(second.testRuns())
        .singleElement()
        .satisfies(
            r -> {
              assertThat(r.outcome()).isEqualTo("PASSED");
              assertThat(r.analytics().changesSinceLastAttempt().fixed())
                  .containsExactly("smoke / checkout-under-load");
            });
    assertThat(second.approvals())
        .singleElement()
        .satisfies(
            a -> {
              assertThat(a.seq()).isEqualTo(118);
              assertThat(a.approver()).isEqualTo("erin");
              assertThat(a.author()).isEqualTo("dave");
              assertThat(a.segregated()).isTrue();
              assertThat(a.emergency()).isFalse();
              assertThat(a.approvedAt()).isNotNull();
            });

    Revision third = RECORD.revisions().get(2);
    assertThat(third.approvals()).extracting(a -> a.seq()).containsExactly(133L);
    assertThat(third.testRuns()).extracting(TestRun::outcome).containsExactly("PASSED");
  }

  @Test
  void gateRefusalsAreKept() {
    assertThat(RECORD.gateRefusals())
        .singleElement()
        .satisfies(
            g -> {
              assertThat(g.seq()).isEqualTo(103);
              assertThat(g.action()).isEqualTo("propose-patch");
              assertThat(g.gate()).isEqualTo("root-cause-first");
              assertThat(g.actor()).isEqualTo("dave");
              assertThat(g.reason()).isEqualTo("no root cause recorded");
            });
  }

  @Test
  void rolloutsShowCheckpointStepsRevertAndPromotion() {
    assertThat(RECORD.rollouts()).extracting(Rollout::rolloutId).containsExactly("ro-2", "ro-3");

    Rollout reverted = RECORD.rollouts().get(0);
    assertThat(reverted.revision()).isEqualTo(2);
    assertThat(reverted.status()).isEqualTo("REVERTED");
    assertThat(reverted.checkpoints())
        .singleElement()
        .satisfies(
            c -> {
              assertThat(c.seq()).isEqualTo(119);
              assertThat(c.checkpointId()).isEqualTo("cp-ro-2");
              assertThat(c.specHash()).isEqualTo(hex('c', 64));
              assertThat(c.configHashes()).containsEntry("ConfigMap/checkout-config", hex('d', 64));
            });
    assertThat(reverted.steps())
        .extracting(
            CanaryStepRecord::step,
            CanaryStepRecord::weight,
            CanaryStepRecord::result,
            CanaryStepRecord::startedSeq,
            CanaryStepRecord::resultSeq,
            CanaryStepRecord::failureReason)
        .containsExactly(tuple(1, 10, "FAILED", 120L, 121L, "error rate 7% above 2%"));
    assertThat(reverted.steps().get(0).evidence())
        .containsExactly(ChangeRecordFixtures.ERROR_RATE_FAILED);
    Revert revert = reverted.reverts().get(0);
    assertThat(reverted.reverts()).hasSize(1);
    assertThat(revert.seq()).isEqualTo(122);
    assertThat(revert.trigger()).isEqualTo("ANALYSIS");
    assertThat(revert.reason()).isEqualTo("canary step 1 failed analysis");
    assertThat(revert.evidence()).containsExactly(ChangeRecordFixtures.ERROR_RATE_FAILED);
    assertThat(revert.revertStartedAt()).isNotNull();
    assertThat(revert.completedSeq()).isEqualTo(123);
    assertThat(revert.durationMs()).isEqualTo(4_200);
    assertThat(revert.verified()).isTrue();
    assertThat(revert.restored())
        .containsExactly("Deployment/checkout", "ConfigMap/checkout-config");
    assertThat(reverted.endedAt()).isEqualTo(revert.completedAt());

    Rollout promoted = RECORD.rollouts().get(1);
    assertThat(promoted.revision()).isEqualTo(3);
    assertThat(promoted.status()).isEqualTo("WATCH_PASSED");
    assertThat(promoted.checkpoints()).extracting(c -> c.seq()).containsExactly(134L);
    assertThat(promoted.steps())
        .extracting(CanaryStepRecord::step, CanaryStepRecord::weight, CanaryStepRecord::result)
        .containsExactly(tuple(1, 10, "PASSED"), tuple(2, 50, "PASSED"), tuple(3, 100, "PASSED"));
    assertThat(promoted.promotion().seq()).isEqualTo(141);
    assertThat(promoted.promotion().watchUntil())
        .isEqualTo(promoted.promotion().promotedAt().plusSeconds(1800));
    assertThat(promoted.watchWindow().seq()).isEqualTo(142);
    assertThat(promoted.startedAt()).isEqualTo(promoted.steps().get(0).startedAt());
    assertThat(promoted.endedAt()).isEqualTo(promoted.watchWindow().passedAt());
    assertThat(promoted.reverts()).isEmpty();
  }

  @Test
  void outcomeFollowsResolutionAndClosing() {
    assertThat(RECORD.outcome().state()).isEqualTo("CLOSED");
    assertThat(RECORD.outcome().events())
        .extracting(o -> o.seq(), o -> o.action(), o -> o.by())
        .containsExactly(tuple(144L, "RESOLVED", "dave"), tuple(145L, "CLOSED", "erin"));
    assertThat(RECORD.outcome().summary())
        .startsWith("CLOSED: Reviewed: error rate at baseline")
        .contains(
            "3 revision(s)", "3 test run(s)", "1 revert(s)", "ro-3 of revision 3 WATCH_PASSED");
  }

  @Test
  void oddRecordsAreFlaggedWithoutFeedingSections() {
    assertThat(RECORD.flagged())
        .extracting(f -> f.seq(), f -> f.stream())
        .containsExactly(
            tuple(112L, ChangeRecordFixtures.DEAD_LETTER_STREAM),
            tuple(124L, "event"),
            tuple(127L, "event"));
    assertThat(RECORD.flagged().get(0).reason()).isEqualTo("parked by consumer rollout-service");
    assertThat(RECORD.flagged().get(1).reason()).isEqualTo("payload is not JSON");
    assertThat(RECORD.flagged().get(2).reason())
        .isEqualTo("payload does not match dev.patchops.ticket.resolved.v1 at resolvedAt");
    // The unreadable resolution and the dead-letter copy did not change any section.
    assertThat(RECORD.outcome().events()).hasSize(2);
    assertThat(RECORD.revisions().get(0).testRuns()).hasSize(1);
  }

  @Test
  void chainListsEveryLink() {
    assertThat(RECORD.chain().firstSeq()).isEqualTo(101);
    assertThat(RECORD.chain().lastSeq()).isEqualTo(145);
    assertThat(RECORD.chain().records()).isEqualTo(HISTORY.size());
    for (int i = 0; i < HISTORY.size(); i++) {
      TrailRecord trail = HISTORY.get(i);
      assertThat(RECORD.chain().links().get(i))
          .extracting(l -> l.seq(), l -> l.prevHash(), l -> l.hash())
          .containsExactly(trail.seq(), trail.prevHash(), trail.hash());
    }
  }

  @Test
  void completeTicketHasEveryAuditorField() {
    Completeness c = RECORD.completeness();

    assertThat(c.missing()).isEmpty();
    assertThat(c.complete()).isTrue();
    assertThat(c.present())
        .containsExactlyElementsOf(
            Arrays.stream(Completeness.Field.values()).map(Completeness.Field::id).toList());
    assertThat(c.frameworks())
        .extracting(FrameworkResult::missing)
        .allSatisfy(m -> assertThat(m).isEmpty());
    assertThat(evidence(c, "justification")).containsExactly(128L);
    assertThat(evidence(c, "vcs-reference")).containsExactly(128L);
    assertThat(evidence(c, "risk-impact")).containsExactly(102L, 105L);
    assertThat(evidence(c, "affected-items")).containsExactly(128L);
    assertThat(evidence(c, "approval")).containsExactly(133L);
    assertThat(evidence(c, "test-evidence")).containsExactly(129L, 130L, 131L, 132L);
    assertThat(evidence(c, "backout-plan")).containsExactly(134L);
    assertThat(evidence(c, "change-window")).containsExactly(133L, 135L, 142L);
    assertThat(evidence(c, "outcome")).containsExactly(144L, 145L);
    assertThat(evidence(c, "post-implementation-review")).containsExactly(145L);
    assertThat(evidence(c, "emergency-approval")).isEmpty();
    assertThat(field(c, "emergency-approval").note()).startsWith("not applicable");
    assertThat(evidence(c, "incident-link")).containsExactly(102L, 101L, 143L);
  }

  @Test
  void frameworksAskForTheirDocumentedFields() {
    Completeness c = RECORD.completeness();
    assertThat(c.frameworks())
        .extracting(FrameworkResult::framework, FrameworkResult::present)
        .containsExactly(
            tuple(
                "SOC 2 CC8.1",
                List.of(
                    "justification",
                    "vcs-reference",
                    "risk-impact",
                    "affected-items",
                    "approval",
                    "test-evidence",
                    "change-window",
                    "outcome",
                    "post-implementation-review",
                    "emergency-approval",
                    "incident-link")),
            tuple(
                "ISO 27001 A.8.32",
                List.of(
                    "justification",
                    "risk-impact",
                    "affected-items",
                    "approval",
                    "test-evidence",
                    "backout-plan",
                    "change-window",
                    "outcome",
                    "post-implementation-review",
                    "emergency-approval")),
            tuple(
                "PCI DSS 6.5.1",
                List.of(
                    "justification", "risk-impact", "approval", "test-evidence", "backout-plan")));
  }

  @Test
  void incompleteTicketListsExactlyWhatIsMissing() {
    ChangeRecord record =
        ChangeRecordBuilder.build("T-4001", ChangeRecordFixtures.incompleteHistory("T-4001"));
    Completeness c = record.completeness();

    assertThat(c.complete()).isFalse();
    assertThat(c.missing())
        .containsExactly(
            "approval",
            "test-evidence",
            "backout-plan",
            "change-window",
            "outcome",
            "post-implementation-review");
    assertThat(c.present())
        .containsExactly(
            "justification",
            "vcs-reference",
            "risk-impact",
            "affected-items",
            "emergency-approval",
            "incident-link");
    assertThat(c.frameworks())
        .extracting(FrameworkResult::framework, FrameworkResult::missing)
        .containsExactly(
            tuple(
                "SOC 2 CC8.1",
                List.of(
                    "approval",
                    "test-evidence",
                    "change-window",
                    "outcome",
                    "post-implementation-review")),
            tuple(
                "ISO 27001 A.8.32",
                List.of(
                    "approval",
                    "test-evidence",
                    "backout-plan",
                    "change-window",
                    "outcome",
                    "post-implementation-review")),
            tuple("PCI DSS 6.5.1", List.of("approval", "test-evidence", "backout-plan")));
    assertThat(field(c, "approval").note()).isEqualTo("no approval");
    assertThat(field(c, "approval").evidence()).isEmpty();
    assertThat(record.outcome().state()).isEqualTo("OPEN");
  }

  @Test
  void emergencyChangeNeedsAnIndependentReviewAfterTheFact() {
    ChangeRecord reviewed =
        ChangeRecordBuilder.build("T-2001", ChangeRecordFixtures.emergencyHistory("T-2001", true));
    Revision revision = reviewed.revisions().get(0);
    assertThat(revision.approvals())
        .singleElement()
        .satisfies(
            a -> {
              assertThat(a.emergency()).isTrue();
              assertThat(a.emergencyReason()).isEqualTo("all payments failing");
            });
    assertThat(revision.emergencyReviews())
        .singleElement()
        .satisfies(
            r -> {
              assertThat(r.reviewer()).isEqualTo("ivy");
              assertThat(r.accepted()).isTrue();
              assertThat(r.independent()).isTrue();
            });
    FieldResult emergency = field(reviewed.completeness(), "emergency-approval");
    assertThat(emergency.present()).isTrue();
    assertThat(emergency.evidence()).containsExactly(504L, 509L);
    // Approved without tests, and reopened: the record says so.
    assertThat(reviewed.completeness().missing())
        .containsExactly("test-evidence", "outcome", "post-implementation-review");
    assertThat(reviewed.outcome().state()).isEqualTo("REOPENED");
    assertThat(reviewed.outcome().events())
        .extracting(o -> o.action())
        .containsExactly("RESOLVED", "REOPENED");

    ChangeRecord unreviewed =
        ChangeRecordBuilder.build("T-2002", ChangeRecordFixtures.emergencyHistory("T-2002", false));
    FieldResult missing = field(unreviewed.completeness(), "emergency-approval");
    assertThat(missing.present()).isFalse();
    assertThat(missing.note()).isEqualTo("revision 1 not accepted by an independent review");
  }

  @Test
  void everyRolloutShowsImageOriginAndPersonAndAGatedHistoryIsNotFlagged() {
    assertThat(RECORD.rollouts())
        .extracting(r -> r.rolloutId(), r -> r.image(), r -> r.origin(), r -> r.startedBy())
        .containsExactly(
            tuple("ro-2", ChangeRecordFixtures.image('a'), "APPROVAL", "rollout-service"),
            tuple("ro-3", ChangeRecordFixtures.image('a'), "APPROVAL", "rollout-service"));
    assertThat(RECORD.flagged()).noneMatch(f -> f.reason().startsWith("went around the gate"));
    assertThat(ChangeRecordMarkdown.render(RECORD))
        .contains("| Image | " + ChangeRecordFixtures.image('a'))
        .contains("| Origin | APPROVAL");
  }

  @Test
  void anEmergencyRolloutIsFlaggedForReview() {
    ChangeRecord record =
        ChangeRecordBuilder.build("T-2003", ChangeRecordFixtures.emergencyHistory("T-2003", true));
    assertThat(record.rollouts())
        .filteredOn(r -> r.rolloutId().equals("ro-e1"))
        .singleElement()
        .satisfies(
            r -> {
              assertThat(r.origin()).isEqualTo("EMERGENCY");
              assertThat(r.image()).isEqualTo(ChangeRecordFixtures.image('a'));
            });
    assertThat(record.flagged())
        .filteredOn(f -> f.reason().startsWith("went around the gate"))
        .singleElement()
        .satisfies(
            f -> {
              assertThat(f.seq()).isEqualTo(505L);
              assertThat(f.reason()).contains("ro-e1").contains("emergency change");
            });
  }

  /** The example of the issue: a REST canary on a ticket with no root cause and no approval. */
  @Test
  void anUngatedRestCanaryIsFlaggedAndAStartRefusalIsShown() {
    String ticketId = "T-2004";
    ChangeRecordFixtures.Trail t = new ChangeRecordFixtures.Trail(ticketId, 901);
    WorkloadRef checkout = new WorkloadRef("payments", "Deployment", "checkout");
    String image = ChangeRecordFixtures.image('f');
    t.event(
            "sam",
            new RolloutStartRefused(
                ticketId,
                "ro-r1",
                null,
                checkout,
                image,
                1,
                RolloutOrigin.REST,
                "sam",
                "approval",
                "approval: no approval of revision 1 of T-2004 is recorded",
                t.now()))
        .event(
            "rollout-service",
            new CanaryStepStarted(
                ticketId, "ro-r2", 1, 10, t.now(), image, RolloutOrigin.REST, "sam"));
    ChangeRecord record = ChangeRecordBuilder.build(ticketId, t.records());

    assertThat(record.gateRefusals())
        .singleElement()
        .satisfies(
            g -> {
              assertThat(g.gate()).isEqualTo("approval");
              assertThat(g.actor()).isEqualTo("sam");
              assertThat(g.action()).isEqualTo("start rollout (REST)");
              assertThat(g.reason()).contains("ro-r1").contains(image);
            });
    assertThat(record.flagged())
        .singleElement()
        .satisfies(
            f -> {
              assertThat(f.seq()).isEqualTo(902L);
              assertThat(f.reason())
                  .startsWith("went around the gate: rollout ro-r2 of " + image)
                  .contains("by sam (REST)")
                  .contains("has no approval");
            });
    assertThat(ChangeRecordMarkdown.render(record)).contains("went around the gate");
  }

  @Test
  void eachStepShowsTheShareItAskedForAndTheShareItHad() {
    String ticketId = "T-2005";
    ChangeRecordFixtures.Trail t = new ChangeRecordFixtures.Trail(ticketId, 951);
    String image = ChangeRecordFixtures.image('e');
    t.event(
            "rollout-service",
            new CanaryStepStarted(
                ticketId,
                "ro-w",
                1,
                10,
                t.now(),
                image,
                RolloutOrigin.APPROVAL,
                "erin",
                12.5,
                1,
                7))
        .event(
            "rollout-service",
            new dev.patchops.contract.events.CanaryStepPassed(
                ticketId,
                "ro-w",
                1,
                10,
                List.of(),
                t.now(),
                image,
                RolloutOrigin.APPROVAL,
                "erin",
                12.5,
                1,
                7))
        .event(
            "rollout-service",
            new CanaryStepStarted(
                ticketId, "ro-w", 2, 25, t.now(), image, RolloutOrigin.APPROVAL, "erin"));
    ChangeRecord record = ChangeRecordBuilder.build(ticketId, t.records());

    assertThat(record.rollouts().get(0).steps())
        .extracting(
            CanaryStepRecord::weight,
            CanaryStepRecord::actualWeight,
            CanaryStepRecord::canaryReplicas,
            CanaryStepRecord::stableReplicas,
            CanaryStepRecord::actual)
        .containsExactly(
            tuple(10, 12.5, 1, 7, "12.5% (1 canary, 7 stable)"),
            // An event without the actual share (written before honest weights) says so.
            tuple(25, null, null, null, "not recorded"));
    assertThat(record.timeline())
        .extracting(e -> e.summary())
        .contains(
            "Canary step 1 started at 10% (actual 12.5%)",
            "Canary step 1 passed at 10% (actual 12.5%)", "Canary step 2 started at 25%");
    assertThat(ChangeRecordMarkdown.render(record))
        .contains("| Actual |")
        .contains("| 10% | 12.5% (1 canary, 7 stable) |");
    assertThat(ChangeRecordHtml.render(record))
        .contains("<th>Actual</th>")
        .contains("<td>10%</td><td>12.5% (1 canary, 7 stable)</td>");
  }

  @Test
  void hardwareQuarantineIsRecorded() {
    ChangeRecord record =
        ChangeRecordBuilder.build("T-3001", ChangeRecordFixtures.hardwareHistory("T-3001"));
    assertThat(record.ticket().kind()).isEqualTo("HARDWARE");
    assertThat(record.ticket().equipment()).isEqualTo("NODE node-17 (rack 4)");
    assertThat(record.hardware())
        .extracting(h -> h.seq(), h -> h.action(), h -> h.by(), h -> h.burnInPassed())
        .containsExactly(
            tuple(802L, "QUARANTINE_REQUESTED", "jack", null),
            tuple(803L, "DRAIN_BLOCKED", null, null),
            tuple(804L, "DRAINED", null, null),
            tuple(805L, "QUARANTINED", null, null),
            tuple(807L, "QUARANTINE_BREACHED_REAPPLIED", "kubectl-uncordon", null),
            tuple(808L, "QUARANTINE_RELEASED", "jack", true));
    assertThat(record.timeline())
        .anySatisfy(
            line ->
                assertThat(line.summary())
                    .isEqualTo(
                        "Quarantined node node-17 changed outside PatchOps: cordon lifted;"
                            + " quarantine re-applied"));
    assertThat(record.timeline())
        .anySatisfy(line -> assertThat(line.summary()).contains("Burn-in run run-hw-1"));
    assertThat(field(record.completeness(), "affected-items").evidence()).containsExactly(801L);
  }

  @Test
  void hardwareApprovalLockTransferAndManualReleaseAreShown() {
    ChangeRecord record =
        ChangeRecordBuilder.build("T-3002", ChangeRecordFixtures.processHistory("T-3002"));
    assertThat(record.hardware())
        .extracting(h -> h.action(), h -> h.by(), h -> h.detail())
        .containsExactly(
            tuple("LOCK_TRANSFERRED", "root", "jack -> lena"),
            tuple("FIX_APPROVED", "anna", "fix revision 1 by lena"),
            tuple("MANUAL_RELEASE_REQUESTED", "lena", "burn-in rig down; memtest by hand"),
            tuple(
                "QUARANTINE_RELEASED",
                "lena",
                "released by hand (plan B): burn-in rig down; memtest by hand"));
    assertThat(record.timeline())
        .extracting(TimelineEntry::summary)
        .contains(
            "Change freeze fw-1 lifted",
            "Equipment node-18 reassigned from jack to lena",
            "Lock on equipment node-18 moved from jack to lena");
    assertThat(ChangeRecordMarkdown.render(record))
        .contains("released by hand (plan B): burn-in rig down; memtest by hand");
  }

  @Test
  void aDirectTestRunIsARunOfItsRevisionAndItsRefusalAGateRefusal() {
    ChangeRecord record =
        ChangeRecordBuilder.build("T-4001", ChangeRecordFixtures.directRunHistory("T-4001"));
    assertThat(record.gateRefusals())
        .extracting(g -> g.seq(), g -> g.action(), g -> g.gate(), g -> g.actor())
        .containsExactly(tuple(902L, "test-run", "test-run-requester", "erin"));
    assertThat(record.revisions().get(0).testRuns())
        .singleElement()
        .satisfies(
            r -> {
              assertThat(r.runId()).isEqualTo("run-d2");
              assertThat(r.attempt()).isEqualTo(2);
              assertThat(r.requestedBy()).isEqualTo("dave");
            });
  }

  @Test
  void neverThrowsOnEmptyNullOrOddInput() {
    assertThat(ChangeRecordBuilder.build("T-0", List.of()).chain().firstSeq()).isNull();
    assertThat(ChangeRecordBuilder.build("T-0", null).completeness().missing())
        .contains("incident-link");

    List<TrailRecord> odd = new ArrayList<>();
    odd.add(null);
    odd.add(oddRecord(1, null, null, null));
    odd.add(oddRecord(2, "event", EventType.PATCH_APPROVED.type(), "{}"));
    odd.add(oddRecord(3, "event", EventType.TICKET_OPENED.type(), "[1,2]"));
    odd.add(
        oddRecord(
            4,
            "event",
            EventType.CANARY_STEP_PASSED.type(),
            "{\"rolloutId\":\"r\",\"step\":1,\"weight\":5}"));
    odd.add(
        oddRecord(
            5,
            "event",
            EventType.REVERT_COMPLETED.type(),
            "{\"rolloutId\":\"r\",\"verified\":true,\"durationMs\":1}"));
    odd.add(oddRecord(6, "event", EventType.AUDIT_CHECKPOINT_SIGNED.type(), checkpointSigned()));
    odd.add(oddRecord(7, "event", EventType.TEST_RUN_COMPLETED.type(), null));

    ChangeRecord record = ChangeRecordBuilder.build("T-odd", odd);

    assertThat(record.timeline()).hasSize(7);
    assertThat(record.flagged()).extracting(f -> f.seq()).contains(3L, 7L);
    assertThat(ChangeRecordMarkdown.render(record)).contains("# Change record T-odd");
    assertThat(ChangeRecordHtml.render(record)).contains("Change record T-odd");
  }

  private static String checkpointSigned() {
    try {
      return ContractJson.mapper()
          .writeValueAsString(
              new dev.patchops.contract.events.AuditCheckpointSigned(
                  9,
                  hex('a', 64),
                  ChangeRecordFixtures.T0,
                  hex('b', 64),
                  "Ed25519",
                  "sig",
                  "key",
                  hex('c', 64)));
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private static TrailRecord oddRecord(long seq, String stream, String type, String payload) {
    return new TrailRecord(
        seq, stream, null, null, type, null, null, null, null, null, null, null, 0, 0, null,
        payload, null, null, null, null);
  }

  private static TimelineEntry entry(long seq) {
    return RECORD.timeline().stream().filter(t -> t.seq() == seq).findFirst().orElseThrow();
  }

  private static FieldResult field(Completeness c, String id) {
    return c.fields().stream().filter(f -> f.id().equals(id)).findFirst().orElseThrow();
  }

  private static List<Long> evidence(Completeness c, String id) {
    FieldResult f = field(c, id);
    assertThat(f.present()).as(id + ": " + f.note()).isTrue();
    return f.evidence();
  }
}
