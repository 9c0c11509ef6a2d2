package dev.patchops.ticket;

import static dev.patchops.ticket.TicketFlows.as;
import static dev.patchops.ticket.TicketFlows.awaitState;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.equalTo;

import dev.patchops.contract.DeadLetterHeaders;
import dev.patchops.contract.EventType;
import dev.patchops.contract.Topics;
import dev.patchops.contract.events.RolloutPromoted;
import dev.patchops.contract.events.TestRunRequested;
import dev.patchops.contract.events.TicketOpened;
import dev.patchops.contract.events.TicketReopened;
import dev.patchops.contract.events.WatchWindowPassed;
import dev.patchops.contract.model.RolloutOrigin;
import dev.patchops.contract.model.Severity;
import dev.patchops.contract.model.TestOutcome;
import dev.patchops.contract.model.TicketKind;
import dev.patchops.contract.model.TicketSource;
import dev.patchops.contract.model.WorkloadRef;
import dev.patchops.testing.EventSender;
import dev.patchops.testing.KafkaProbe;
import dev.patchops.testing.PatchOpsTest;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;
import org.junit.jupiter.api.Test;

@QuarkusTest
@PatchOpsTest
class TicketIntakeTest {

  @Test
  void anotherServiceOpensATicketByEventOnceEvenWhenRedelivered() {
    String ticketId = "EXT-" + UUID.randomUUID().toString().substring(0, 8);
    TicketOpened opened = externalTicket(ticketId);
    String id = EventSender.send(opened, "monitoring-bridge");
    EventSender.send(opened, "monitoring-bridge", id);
    EventSender.send(opened, "monitoring-bridge");
    awaitState(ticketId, "OPENED");
    given()
        .header("Authorization", as("ada", "auditor"))
        .get("/api/v1/tickets?workload=orders&namespace=shop&size=200")
        .then()
        .statusCode(200)
        .body("items.findAll { it.id == '" + ticketId + "' }.size()", equalTo(1))
        .body("items.find { it.id == '" + ticketId + "' }.source", equalTo("EVENT"));
  }

  @Test
  void aSoftwareTicketEventWithoutAWorkloadIsDeadLettered() {
    String ticketId = "EXT-" + UUID.randomUUID().toString().substring(0, 8);
    try (KafkaProbe dead = KafkaProbe.fromNow(Topics.DEAD_LETTER)) {
      EventSender.send(
          new TicketOpened(
              ticketId,
              TicketKind.SOFTWARE,
              "no target",
              null,
              Severity.SEV4,
              "bridge",
              TicketSource.EVENT,
              null,
              null,
              null,
              Instant.now(),
              null),
          "monitoring-bridge");
      var parked = dead.collect(r -> ticketId.equals(r.key()), 1, Duration.ofSeconds(30));
      assertThat(parked).hasSize(1);
      assertThat(KafkaProbe.header(parked.get(0), DeadLetterHeaders.REASON)).contains("workload");
    }
  }

  /** Sent back to back, so they usually share one poll: the consumer takes the topic in batches. */
  @Test
  void aPoisonEventDoesNotHoldBackTheEventsAfterIt() {
    String poisonId = "TCK-" + UUID.randomUUID().toString().substring(0, 8);
    String ticketId = "EXT-" + UUID.randomUUID().toString().substring(0, 8);
    try (KafkaProbe dead = KafkaProbe.fromNow(Topics.DEAD_LETTER)) {
      EventSender.send(externalTicket(poisonId), "monitoring-bridge");
      EventSender.send(externalTicket(ticketId), "monitoring-bridge");
      awaitState(ticketId, "OPENED");
      var parked = dead.collect(r -> poisonId.equals(r.key()), 1, Duration.ofSeconds(30));
      assertThat(parked).hasSize(1);
      assertThat(KafkaProbe.header(parked.get(0), DeadLetterHeaders.REASON))
          .contains("reserved for our own ids");
    }
    given()
        .header("Authorization", as("ada", "auditor"))
        .get("/api/v1/tickets/" + poisonId)
        .then()
        .statusCode(404);
  }

  private static TicketOpened externalTicket(String ticketId) {
    return new TicketOpened(
        ticketId,
        TicketKind.SOFTWARE,
        "queue consumer lag",
        null,
        Severity.SEV2,
        "bridge",
        TicketSource.EVENT,
        new WorkloadRef("shop", "Deployment", "orders"),
        null,
        null,
        Instant.now(),
        null);
  }

  @Test
  void alertForARecentlyResolvedWorkloadReopensItsTicket() throws Exception {
    String deployment = "wishlist-" + UUID.randomUUID().toString().substring(0, 8);
    String ticketId = TicketFlows.openSoftwareTicket("wishlist errors", deployment);
    TicketFlows.recordRootCause(ticketId, TicketFlows.addDiagnostic(ticketId));
    try (KafkaProbe probe = KafkaProbe.fromNow(Topics.TESTS, Topics.TICKETS)) {
      TicketFlows.propose(ticketId, "dev-dana", TicketFlows.sha(99)).statusCode(201);
      TestRunRequested request = PatchLifecycleTest.testRunRequested(probe, ticketId, 1);
      EventSender.send(
          PatchLifecycleTest.completed(ticketId, 1, request.runId(), TestOutcome.PASSED),
          "test-orchestrator");
      awaitState(ticketId, "AWAITING_APPROVAL");
      TicketFlows.approve(ticketId, 1, "anna", "approver", false, null).statusCode(200);
      WorkloadRef workload = new WorkloadRef("shop", "Deployment", deployment);
      EventSender.send(
          new RolloutPromoted(
              ticketId,
              "ro-9",
              1,
              workload,
              Instant.now(),
              Instant.now(),
              TicketFlows.IMAGE,
              RolloutOrigin.APPROVAL,
              "anna"),
          "rollout-service");
      awaitState(ticketId, "MONITORING");
      EventSender.send(
          new WatchWindowPassed(
              ticketId, "ro-9", Instant.now(), TicketFlows.IMAGE, RolloutOrigin.APPROVAL, "anna"),
          "rollout-service");
      awaitState(ticketId, "RESOLVED");

      given()
          .header("Authorization", "Bearer test-alertmanager-token")
          .contentType(ContentType.JSON)
          .body(
              AlertHookTest.alertmanager(
                  "firing",
                  UUID.randomUUID().toString(),
                  deployment,
                  Instant.now().toString(),
                  null))
          .post("/hooks/alertmanager")
          .then()
          .statusCode(202)
          .body("tickets", contains(ticketId));
      assertThat(TicketFlows.state(ticketId)).isEqualTo("DIAGNOSING");
      TicketReopened reopened =
          PatchLifecycleTest.single(
              probe, ticketId, EventType.TICKET_REOPENED, TicketReopened.class);
      assertThat(reopened.reopenedBy()).isEqualTo("hook:alertmanager");
      assertThat(reopened.reason()).contains("CheckoutErrorRate");
    }
  }
}
