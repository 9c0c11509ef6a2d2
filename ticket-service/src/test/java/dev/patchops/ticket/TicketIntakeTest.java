package dev.patchops.ticket;

import static dev.patchops.ticket.TicketFlows.as;
import static dev.patchops.ticket.TicketFlows.awaitState;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
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
import io.agroal.api.AgroalDataSource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

@QuarkusTest
@PatchOpsTest
class TicketIntakeTest {
  @Inject AgroalDataSource dataSource;

  /**
   * The ticket table's primary key alone would keep the count at one, so this watches what the
   * duplicates must not cause: a second ticket.opened of our own. The inbox shows when all three
   * deliveries were taken (the redelivered id is skipped without a row, the new id gets one).
   */
  @Test
  void anotherServiceOpensATicketByEventOnceEvenWhenRedelivered() throws Exception {
    String ticketId = "EXT-" + UUID.randomUUID().toString().substring(0, 8);
    TicketOpened opened = externalTicket(ticketId);
    String id = EventSender.send(opened, "monitoring-bridge");
    EventSender.send(opened, "monitoring-bridge", id);
    String secondId = EventSender.send(opened, "monitoring-bridge");
    awaitState(ticketId, "OPENED");
    await()
        .atMost(Duration.ofSeconds(30))
        .pollInterval(Duration.ofMillis(50))
        .until(() -> inboxRows(id, secondId) == 2);
    assertThat(ownOpenedEvents(ticketId))
        .as("one ticket.opened of the ticket-service for three deliveries")
        .isEqualTo(1);
    given()
        .header("Authorization", as("ada", "auditor"))
        .get("/api/v1/tickets/" + ticketId)
        .then()
        .statusCode(200)
        .body("source", equalTo("EVENT"));
  }

  private long inboxRows(String... eventIds) throws SQLException {
    return count(
        "select count(*) from inbox_event where consumer = 'ticket-service.tickets'"
            + " and event_id = any(?)",
        eventIds);
  }

  private long ownOpenedEvents(String ticketId) throws SQLException {
    return count(
        "select count(*) from outbox_event where type = 'dev.patchops.ticket.opened.v1'"
            + " and source = '/patchops/ticket-service' and ticket_id = ?",
        ticketId);
  }

  private long count(String sql, Object parameter) throws SQLException {
    try (Connection connection = dataSource.getConnection();
        PreparedStatement statement = connection.prepareStatement(sql)) {
      if (parameter instanceof String[] values) {
        statement.setArray(1, connection.createArrayOf("text", values));
      } else {
        statement.setObject(1, parameter);
      }
      try (ResultSet rs = statement.executeQuery()) {
        rs.next();
        return rs.getLong(1);
      }
    }
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

  @Test
  void aTicketOpenedFromAnUnlistedSourceOrAsAnotherServiceIsDeadLettered() {
    for (String forger : List.of("rollout-service", "unknown-bridge")) {
      String ticketId = "EXT-" + UUID.randomUUID().toString().substring(0, 8);
      try (KafkaProbe dead = KafkaProbe.fromNow(Topics.DEAD_LETTER)) {
        EventSender.send(externalTicket(ticketId), forger);
        var parked = dead.collect(r -> ticketId.equals(r.key()), 1, Duration.ofSeconds(30));
        assertThat(parked).hasSize(1);
        assertThat(KafkaProbe.header(parked.get(0), DeadLetterHeaders.REASON))
            .contains("untrusted source")
            .contains("/patchops/" + forger);
      }
      given()
          .header("Authorization", as("ada", "auditor"))
          .get("/api/v1/tickets/" + ticketId)
          .then()
          .statusCode(404);
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
    String ticketId = resolvedTicket(deployment);
    try (KafkaProbe probe = KafkaProbe.fromNow(Topics.TICKETS)) {

      // In the same payload, an alert for a workload that never had a ticket: one reopened and
      // one opened together, each alert on its own workload's ticket.
      String fresh = "wishlist-new-" + UUID.randomUUID().toString().substring(0, 8);
      String freshFingerprint = UUID.randomUUID().toString();
      String body =
          "{\"version\":\"4\",\"status\":\"firing\",\"alerts\":["
              + AlertHookTest.alert("CheckoutErrorRate", deployment, UUID.randomUUID().toString())
              + ","
              + AlertHookTest.alert("Fresh", fresh, freshFingerprint)
              + "]}";
      List<String> touched = ticketsOfAlerts(body);
      String freshTicket = AlertHookTest.ticketOf(fresh);
      assertThat(touched).containsExactlyInAnyOrder(ticketId, freshTicket);
      given()
          .header("Authorization", as("ada", "auditor"))
          .get("/api/v1/tickets/" + freshTicket)
          .then()
          .body("state", equalTo("OPENED"))
          .body("alerts.fingerprint", contains(freshFingerprint));
      assertThat(TicketFlows.state(ticketId)).isEqualTo("DIAGNOSING");
      TicketReopened reopened =
          PatchLifecycleTest.single(
              probe, ticketId, EventType.TICKET_REOPENED, TicketReopened.class);
      assertThat(reopened.reopenedBy()).isEqualTo("hook:alertmanager");
      assertThat(reopened.reason()).contains("CheckoutErrorRate");
    }
  }

  /** Posts an Alertmanager payload; the tickets its alerts went to, none left uncorrelated. */
  private static List<String> ticketsOfAlerts(String body) {
    return given()
        .header("Authorization", "Bearer test-alertmanager-token")
        .contentType(ContentType.JSON)
        .body(body)
        .post("/hooks/alertmanager")
        .then()
        .statusCode(202)
        .body("uncorrelated", equalTo(0))
        .extract()
        .path("tickets");
  }

  /** A ticket of the workload, taken through diagnosis, test, approval and rollout to RESOLVED. */
  private static String resolvedTicket(String deployment) throws Exception {
    String ticketId = TicketFlows.openSoftwareTicket("wishlist errors", deployment);
    TicketFlows.recordRootCause(ticketId, TicketFlows.addDiagnostic(ticketId));
    try (KafkaProbe probe = KafkaProbe.fromNow(Topics.TESTS)) {
      resolve(ticketId, deployment, probe);
    }
    return ticketId;
  }

  private static void resolve(String ticketId, String deployment, KafkaProbe probe)
      throws Exception {
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
            "ro-" + ticketId,
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
            ticketId,
            "ro-" + ticketId,
            Instant.now(),
            TicketFlows.IMAGE,
            RolloutOrigin.APPROVAL,
            "anna"),
        "rollout-service");
    awaitState(ticketId, "RESOLVED");
  }

  @Test
  void alertForAWorkloadResolvedBeforeTheReopenWindowOpensANewTicket() throws Exception {
    String deployment = "wishlist-old-" + UUID.randomUUID().toString().substring(0, 8);
    String ticketId = resolvedTicket(deployment);
    // Resolved 25 hours ago: outside the reopen window (24 h by default).
    try (Connection connection = dataSource.getConnection();
        PreparedStatement backdate =
            connection.prepareStatement(
                "update ticket set resolved_at = now() - interval '25 hours' where id = ?")) {
      backdate.setString(1, ticketId);
      assertThat(backdate.executeUpdate()).isEqualTo(1);
    }
    List<String> touched =
        ticketsOfAlerts(
            AlertHookTest.alertmanager(
                "firing",
                UUID.randomUUID().toString(),
                deployment,
                Instant.now().toString(),
                null));
    assertThat(touched).hasSize(1).doesNotContain(ticketId);
    assertThat(TicketFlows.state(touched.get(0))).isEqualTo("OPENED");
    assertThat(TicketFlows.state(ticketId)).isEqualTo("RESOLVED");
  }
}
