package dev.patchops.ticket;

import static dev.patchops.ticket.TicketFlows.approve;
import static dev.patchops.ticket.TicketFlows.as;
import static dev.patchops.ticket.TicketFlows.awaitState;
import static dev.patchops.ticket.TicketFlows.propose;
import static dev.patchops.ticket.TicketFlows.sha;
import static dev.patchops.ticket.TicketFlows.ticketWithRootCause;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.equalTo;

import dev.patchops.contract.CloudEventHeaders;
import dev.patchops.contract.ContractJson;
import dev.patchops.contract.EventType;
import dev.patchops.contract.Topics;
import dev.patchops.contract.events.CheckpointRecorded;
import dev.patchops.contract.events.GateRefused;
import dev.patchops.contract.events.PatchApproved;
import dev.patchops.contract.events.RevertCompleted;
import dev.patchops.contract.events.RolloutPromoted;
import dev.patchops.contract.events.RolloutReverted;
import dev.patchops.contract.events.TestEnvironmentReady;
import dev.patchops.contract.events.TestRunCompleted;
import dev.patchops.contract.events.TestRunRequested;
import dev.patchops.contract.events.WatchWindowPassed;
import dev.patchops.contract.model.AttemptChanges;
import dev.patchops.contract.model.RevertTrigger;
import dev.patchops.contract.model.RolloutOrigin;
import dev.patchops.contract.model.SuiteResult;
import dev.patchops.contract.model.TestAnalytics;
import dev.patchops.contract.model.TestCaseResult;
import dev.patchops.contract.model.TestCaseStatus;
import dev.patchops.contract.model.TestOutcome;
import dev.patchops.contract.model.WorkloadRef;
import dev.patchops.testing.Delivered;
import dev.patchops.testing.EventSender;
import dev.patchops.testing.KafkaProbe;
import dev.patchops.testing.PatchOpsTest;
import io.quarkus.test.junit.QuarkusTest;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

@QuarkusTest
@PatchOpsTest
class PatchLifecycleTest {
  private static final String ORCHESTRATOR = "test-orchestrator";
  private static final String ROLLOUTS = "rollout-service";
  private static final WorkloadRef CHECKOUT = new WorkloadRef("shop", "Deployment", "checkout");

  @Test
  void failedTestsSendItBackThenRevisionTwoPassesIsApprovedPromotedAndResolved() throws Exception {
    try (KafkaProbe probe = KafkaProbe.fromNow(Topics.TICKETS, Topics.TESTS)) {
      String ticketId = ticketWithRootCause("checkout 502 under load");

      propose(ticketId, "dev-dana", sha(1)).statusCode(201).body("revision", equalTo(1));
      awaitState(ticketId, "PATCH_PROPOSED");
      TestRunRequested request1 = testRunRequested(probe, ticketId, 1);
      assertThat(request1.image()).endsWith(TicketFlows.DIGEST);
      assertThat(request1.testSuites()).extracting("name").containsExactly("smoke");
      assertThat(request1.attempt()).isEqualTo(1);

      EventSender.send(
          new TestEnvironmentReady(
              ticketId,
              1,
              request1.runId(),
              1,
              "pt-" + ticketId.toLowerCase() + "-r1",
              "shop",
              Map.of("Deployment", 3),
              List.of(),
              Instant.now()),
          ORCHESTRATOR);
      awaitState(ticketId, "TESTING");
      EventSender.send(completed(ticketId, 1, request1.runId(), TestOutcome.FAILED), ORCHESTRATOR);
      awaitState(ticketId, "CHANGES_REQUESTED");

      given()
          .header("Authorization", as("dev-dana", "engineer"))
          .get("/api/v1/tickets/" + ticketId + "/revisions/1")
          .then()
          .statusCode(200)
          .body("state", equalTo("FAILED"))
          .body("testOutcome", equalTo("FAILED"))
          .body(
              "testAnalytics.suites[0].cases[1].failureMessage",
              equalTo("expected 200 but got 502"))
          .body("testAnalytics.failureMessages[0]", equalTo("smoke: 1 of 2 failed"));

      propose(ticketId, "dev-dana", sha(2)).statusCode(201).body("revision", equalTo(2));
      TestRunRequested request2 = testRunRequested(probe, ticketId, 2);
      assertThat(request2.runId()).isNotEqualTo(request1.runId());
      // Attempts are numbered per ticket, so the orchestrator compares it with revision 1's run.
      assertThat(request2.attempt()).isEqualTo(2);
      EventSender.send(completed(ticketId, 2, request2.runId(), TestOutcome.PASSED), ORCHESTRATOR);
      awaitState(ticketId, "AWAITING_APPROVAL");
      given()
          .header("Authorization", as("dev-dana", "engineer"))
          .get("/api/v1/tickets/" + ticketId + "/revisions/2")
          .then()
          .statusCode(200)
          .body("testAnalytics.changesSinceLastAttempt.previousRevision", equalTo(1))
          .body("testAnalytics.changesSinceLastAttempt.fixed", contains("smoke / checkout"));

      approve(ticketId, 2, "anna", "approver", false, null)
          .statusCode(200)
          .body("state", equalTo("APPROVED"))
          .body("decidedBy", equalTo("anna"));
      assertThat(TicketFlows.state(ticketId)).isEqualTo("APPROVED");
      PatchApproved approved =
          single(probe, ticketId, EventType.PATCH_APPROVED, PatchApproved.class);
      assertThat(approved.revision()).isEqualTo(2);
      assertThat(approved.approver()).isEqualTo("anna");
      assertThat(approved.author()).isEqualTo("dev-dana");
      assertThat(approved.emergency()).isFalse();
      assertThat(approved.canarySteps()).extracting("weight").containsExactly(20, 100);

      EventSender.send(
          new CheckpointRecorded(
              ticketId,
              "ro-1",
              2,
              CHECKOUT,
              "cp-1",
              "sha256:abc",
              Map.of(),
              Instant.now(),
              TicketFlows.IMAGE,
              RolloutOrigin.APPROVAL,
              "anna"),
          ROLLOUTS);
      awaitState(ticketId, "ROLLING_OUT");
      EventSender.send(
          new RolloutPromoted(
              ticketId,
              "ro-1",
              2,
              CHECKOUT,
              Instant.now(),
              Instant.now().plusSeconds(600),
              TicketFlows.IMAGE,
              RolloutOrigin.APPROVAL,
              "anna"),
          ROLLOUTS);
      awaitState(ticketId, "MONITORING");
      EventSender.send(
          new WatchWindowPassed(
              ticketId, "ro-1", Instant.now(), TicketFlows.IMAGE, RolloutOrigin.APPROVAL, "anna"),
          ROLLOUTS);
      awaitState(ticketId, "RESOLVED");

      given()
          .header("Authorization", as("ada", "auditor"))
          .get("/api/v1/tickets/" + ticketId)
          .then()
          .body("iterations", equalTo(2))
          .body("currentRevision", equalTo(2))
          .body("resolvedAt", org.hamcrest.Matchers.notNullValue())
          .body("mitigatedAt", org.hamcrest.Matchers.notNullValue());
      single(
          probe,
          ticketId,
          EventType.TICKET_RESOLVED,
          dev.patchops.contract.events.TicketResolved.class);
    }
  }

  /**
   * Only the rollout of the approved revision and image moves the ticket: a rollout of another
   * image under the ticket's id is recorded as refused by the binding and moves nothing, and once
   * the approved rollout is bound, another rollout of the same image is ignored too.
   */
  @Test
  void rolloutEventsOfAnotherImageOrAnotherRolloutNeverMoveTheTicket() throws Exception {
    String ticketId = ticketWithRootCause("payments timeouts, foreign rollout");
    String foreign = "registry.example.com/shop/checkout@sha256:" + "e".repeat(64);
    try (KafkaProbe probe = KafkaProbe.fromNow(Topics.TESTS, Topics.TICKETS)) {
      propose(ticketId, "dev-dana", sha(7)).statusCode(201);
      TestRunRequested request = testRunRequested(probe, ticketId, 1);
      EventSender.send(completed(ticketId, 1, request.runId(), TestOutcome.PASSED), ORCHESTRATOR);
      awaitState(ticketId, "AWAITING_APPROVAL");
      approve(ticketId, 1, "anna", "approver", false, null).statusCode(200);
      awaitState(ticketId, "APPROVED");

      // A rollout of another image that carries the ticket's id, all the way to its watch window.
      EventSender.send(
          new CheckpointRecorded(
              ticketId,
              "ro-x",
              1,
              CHECKOUT,
              "cp-x",
              "sha256:x",
              Map.of(),
              Instant.now(),
              foreign,
              RolloutOrigin.REST,
              "mallory"),
          ROLLOUTS);
      EventSender.send(
          new RolloutPromoted(
              ticketId,
              "ro-x",
              1,
              CHECKOUT,
              Instant.now(),
              Instant.now(),
              foreign,
              RolloutOrigin.REST,
              "mallory"),
          ROLLOUTS);
      EventSender.send(
          new WatchWindowPassed(
              ticketId, "ro-x", Instant.now(), foreign, RolloutOrigin.REST, "mallory"),
          ROLLOUTS);
      GateRefused refused = single(probe, ticketId, EventType.GATE_REFUSED, GateRefused.class);
      assertThat(refused.gate()).isEqualTo("rollout-binding");
      assertThat(refused.actor()).isEqualTo("mallory");
      assertThat(refused.reason())
          .contains("ro-x")
          .contains("image " + foreign)
          .contains("revision 1 is image " + TicketFlows.IMAGE);

      // The approved rollout: the events of one ticket are consumed in order, so the foreign ones
      // were handled (and moved nothing) before this one takes the ticket to ROLLING_OUT.
      EventSender.send(
          new CheckpointRecorded(
              ticketId,
              "ro-ok",
              1,
              CHECKOUT,
              "cp-ok",
              "sha256:ok",
              Map.of(),
              Instant.now(),
              TicketFlows.IMAGE,
              RolloutOrigin.APPROVAL,
              "anna"),
          ROLLOUTS);
      awaitState(ticketId, "ROLLING_OUT");
      // Another rollout of the same image, once the approved one is bound: ignored as well.
      EventSender.send(
          new RolloutPromoted(
              ticketId,
              "ro-other",
              1,
              CHECKOUT,
              Instant.now(),
              Instant.now(),
              TicketFlows.IMAGE,
              RolloutOrigin.REST,
              "sam"),
          ROLLOUTS);
      EventSender.send(
          new WatchWindowPassed(
              ticketId, "ro-other", Instant.now(), TicketFlows.IMAGE, RolloutOrigin.REST, "sam"),
          ROLLOUTS);
      EventSender.send(
          new RolloutPromoted(
              ticketId,
              "ro-ok",
              1,
              CHECKOUT,
              Instant.now(),
              Instant.now().plusSeconds(600),
              TicketFlows.IMAGE,
              RolloutOrigin.APPROVAL,
              "anna"),
          ROLLOUTS);
      awaitState(ticketId, "MONITORING");
      EventSender.send(
          new WatchWindowPassed(
              ticketId, "ro-ok", Instant.now(), TicketFlows.IMAGE, RolloutOrigin.APPROVAL, "anna"),
          ROLLOUTS);
      awaitState(ticketId, "RESOLVED");
    }
  }

  @Test
  void aRolloutThatNeverStartedSendsTheTicketBackWithTheReason() throws Exception {
    try (KafkaProbe probe = KafkaProbe.fromNow(Topics.TESTS)) {
      String ticketId = ticketWithRootCause("payments timeouts, busy workload");
      propose(ticketId, "dev-dana", sha(5)).statusCode(201);
      TestRunRequested request = testRunRequested(probe, ticketId, 1);
      EventSender.send(completed(ticketId, 1, request.runId(), TestOutcome.PASSED), ORCHESTRATOR);
      awaitState(ticketId, "AWAITING_APPROVAL");
      approve(ticketId, 1, "anna", "approver", false, null).statusCode(200);
      awaitState(ticketId, "APPROVED");
      EventSender.send(
          new dev.patchops.contract.events.RolloutNotStarted(
              ticketId,
              "ro-busy",
              1,
              new dev.patchops.contract.model.WorkloadRef("payments", "Deployment", "checkout"),
              "workload payments/checkout already has active rollout ro-other",
              Instant.now(),
              TicketFlows.IMAGE,
              RolloutOrigin.APPROVAL,
              "anna"),
          ROLLOUTS);
      awaitState(ticketId, "CHANGES_REQUESTED");
      given()
          .header("Authorization", as("dev-dana", "engineer"))
          .get("/api/v1/tickets/" + ticketId + "/revisions/1")
          .then()
          .body("state", equalTo("REVERTED"))
          .body(
              "revertReason",
              equalTo(
                  "rollout not started, nothing changed: workload payments/checkout already has"
                      + " active rollout ro-other"));
      propose(ticketId, "dev-dana", sha(6)).statusCode(201).body("revision", equalTo(2));
    }
  }

  @Test
  void revertedRolloutSendsTheTicketBackWithTheReason() throws Exception {
    try (KafkaProbe probe = KafkaProbe.fromNow(Topics.TESTS)) {
      String ticketId = ticketWithRootCause("payments timeouts");
      propose(ticketId, "dev-dana", sha(3)).statusCode(201);
      TestRunRequested request = testRunRequested(probe, ticketId, 1);
      EventSender.send(completed(ticketId, 1, request.runId(), TestOutcome.PASSED), ORCHESTRATOR);
      awaitState(ticketId, "AWAITING_APPROVAL");
      approve(ticketId, 1, "anna", "approver", false, null).statusCode(200);
      EventSender.send(
          new RolloutReverted(
              ticketId,
              "ro-2",
              1,
              RevertTrigger.ANALYSIS,
              "canary error rate 7% > 1%",
              List.of(),
              Instant.now(),
              TicketFlows.IMAGE,
              RolloutOrigin.APPROVAL,
              "anna"),
          ROLLOUTS);
      awaitState(ticketId, "REVERTED");
      EventSender.send(
          new RevertCompleted(
              ticketId,
              "ro-2",
              true,
              2100,
              List.of("Deployment/checkout"),
              Instant.now(),
              null,
              null,
              0,
              TicketFlows.IMAGE,
              RolloutOrigin.APPROVAL,
              "anna"),
          ROLLOUTS);
      awaitState(ticketId, "CHANGES_REQUESTED");
      given()
          .header("Authorization", as("dev-dana", "engineer"))
          .get("/api/v1/tickets/" + ticketId + "/revisions/1")
          .then()
          .body("state", equalTo("REVERTED"))
          .body("revertReason", equalTo("canary error rate 7% > 1%"));
      propose(ticketId, "dev-dana", sha(4)).statusCode(201).body("revision", equalTo(2));
    }
  }

  @Test
  void staleAndRedeliveredTestResultsCountOnce() throws Exception {
    try (KafkaProbe probe = KafkaProbe.fromNow(Topics.TESTS)) {
      String ticketId = ticketWithRootCause("search latency");
      propose(ticketId, "dev-dana", sha(5)).statusCode(201);
      TestRunRequested request = testRunRequested(probe, ticketId, 1);
      double duplicatesBefore = duplicates();
      // While the revision is still being tested: a PASSED result of some other run is ignored...
      EventSender.send(completed(ticketId, 1, "some-other-run", TestOutcome.PASSED), ORCHESTRATOR);
      // ...and the real FAILED result, delivered three times, counts once.
      TestRunCompleted failed = completed(ticketId, 1, request.runId(), TestOutcome.FAILED);
      String id = EventSender.send(failed, ORCHESTRATOR);
      EventSender.send(failed, ORCHESTRATOR, id);
      EventSender.send(failed, ORCHESTRATOR, id);
      awaitState(ticketId, "CHANGES_REQUESTED");
      org.awaitility.Awaitility.await()
          .atMost(Duration.ofSeconds(30))
          .until(() -> duplicates() >= duplicatesBefore + 2);
      given()
          .header("Authorization", as("dev-dana", "engineer"))
          .get("/api/v1/tickets/" + ticketId + "/revisions/1")
          .then()
          .body("state", equalTo("FAILED"))
          .body("testOutcome", equalTo("FAILED"));
    }
  }

  @jakarta.inject.Inject io.micrometer.core.instrument.MeterRegistry registry;

  private double duplicates() {
    var counter =
        registry
            .find("patchops.inbox.events")
            .tags("consumer", "ticket-service.tests", "outcome", "DUPLICATE")
            .counter();
    return counter == null ? 0 : counter.count();
  }

  static TestRunCompleted completed(
      String ticketId, int revision, String runId, TestOutcome outcome) {
    boolean passed = outcome == TestOutcome.PASSED;
    List<TestCaseResult> cases =
        List.of(
            new TestCaseResult("smoke", "homepage", TestCaseStatus.PASSED, 120, null),
            new TestCaseResult(
                "smoke",
                "checkout",
                passed ? TestCaseStatus.PASSED : TestCaseStatus.FAILED,
                340,
                passed ? null : "expected 200 but got 502"));
    return new TestRunCompleted(
        ticketId,
        revision,
        runId,
        1,
        null,
        outcome,
        new TestAnalytics(
            4200,
            3100L,
            0,
            List.of(
                new SuiteResult(
                    "smoke",
                    outcome,
                    passed ? 0 : 1,
                    460,
                    2,
                    passed ? 0 : 1,
                    0,
                    0,
                    cases,
                    passed ? "ok" : "FAIL checkout")),
            passed ? List.of() : List.of("smoke: 1 of 2 failed"),
            List.of(),
            List.of(),
            revision > 1
                ? new AttemptChanges(
                    revision - 1,
                    revision - 1,
                    List.of(),
                    passed ? List.of("smoke / checkout") : List.of(),
                    passed ? List.of() : List.of("smoke / checkout"),
                    List.of(),
                    "commit changed")
                : null),
        Instant.now(),
        "dave");
  }

  static TestRunRequested testRunRequested(KafkaProbe probe, String ticketId, int revision)
      throws Exception {
    return forRevision(
        probe, ticketId, EventType.TEST_RUN_REQUESTED, revision, TestRunRequested.class);
  }

  /** The one event of this type about this revision of the ticket. */
  static <T> T forRevision(
      KafkaProbe probe, String ticketId, EventType type, int revision, Class<T> payload)
      throws Exception {
    List<ConsumerRecord<String, byte[]>> records =
        probe.collect(
            r ->
                ticketId.equals(r.key())
                    && type.type().equals(KafkaProbe.header(r, CloudEventHeaders.TYPE))
                    && readRevision(r) == revision,
            1,
            Duration.ofSeconds(30));
    assertThat(records).hasSize(1);
    return ContractJson.mapper().readValue(records.get(0).value(), payload);
  }

  private static int readRevision(ConsumerRecord<String, byte[]> record) {
    try {
      return ContractJson.mapper().readTree(record.value()).path("revision").asInt();
    } catch (Exception e) {
      return -1;
    }
  }

  static <T> T single(KafkaProbe probe, String ticketId, EventType type, Class<T> payload)
      throws Exception {
    List<ConsumerRecord<String, byte[]>> records =
        probe.collect(
            r ->
                ticketId.equals(r.key())
                    && type.type().equals(KafkaProbe.header(r, CloudEventHeaders.TYPE)),
            1,
            Duration.ofSeconds(30),
            // A second copy would be a bug: once the outbox has sent every event written so far,
            // the log up to its end holds any second copy there is.
            Delivered::outboxSent);
    assertThat(records).as("%s for %s", type.type(), ticketId).hasSize(1);
    return ContractJson.mapper().readValue(records.get(0).value(), payload);
  }
}
