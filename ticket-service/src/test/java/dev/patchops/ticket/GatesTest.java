package dev.patchops.ticket;

import static dev.patchops.ticket.TicketFlows.approve;
import static dev.patchops.ticket.TicketFlows.as;
import static dev.patchops.ticket.TicketFlows.awaitState;
import static dev.patchops.ticket.TicketFlows.openSoftwareTicket;
import static dev.patchops.ticket.TicketFlows.propose;
import static dev.patchops.ticket.TicketFlows.sha;
import static dev.patchops.ticket.TicketFlows.ticketWithRootCause;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import dev.patchops.contract.EventType;
import dev.patchops.contract.Topics;
import dev.patchops.contract.events.GateRefused;
import dev.patchops.contract.events.TestRunRequested;
import dev.patchops.contract.model.TestOutcome;
import dev.patchops.testing.EventSender;
import dev.patchops.testing.KafkaProbe;
import dev.patchops.testing.PatchOpsTest;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** Every gate refuses with the exact reason, and the refusal is on the record as an event. */
@QuarkusTest
@PatchOpsTest
class GatesTest {

  @Test
  void patchBeforeRootCauseIsRefused() throws Exception {
    try (KafkaProbe probe = KafkaProbe.fromNow(Topics.TICKETS)) {
      String ticketId = openSoftwareTicket("no root cause yet");
      propose(ticketId, "dev-dana", sha(10))
          .statusCode(409)
          .contentType("application/problem+json")
          .body("type", equalTo("https://patchops.dev/problems/gate-root-cause"))
          .body("detail", containsString("no root cause is recorded for ticket " + ticketId));
      GateRefused refused = refusal(probe, ticketId);
      assertThat(refused.gate()).isEqualTo("root-cause");
      assertThat(refused.action()).isEqualTo("propose-patch");
      assertThat(refused.actor()).isEqualTo("dev-dana");
      assertThat(TicketFlows.state(ticketId)).isEqualTo("OPENED");
    }
  }

  @Test
  void rootCauseWithoutEvidenceIsRefused() throws Exception {
    String ticketId = openSoftwareTicket("a cause, no evidence");
    try (KafkaProbe probe = KafkaProbe.fromNow(Topics.TICKETS)) {
      putRootCause(ticketId, "[]")
          .statusCode(400)
          .contentType("application/problem+json")
          .body("violations[0].field", equalTo("evidenceRefs"))
          .body(
              "violations[0].reason",
              equalTo(
                  "must cite at least one diagnostic of ticket "
                      + ticketId
                      + ", and it has none yet: add the evidence first"));
      GateRefused refused = refusal(probe, ticketId);
      assertThat(refused.gate()).isEqualTo("root-cause-evidence");
      assertThat(refused.action()).isEqualTo("record-root-cause");
      assertThat(refused.actor()).isEqualTo("erin");
      assertThat(refused.reason()).startsWith("evidenceRefs must cite at least one diagnostic");
    }
    assertThat(TicketFlows.state(ticketId)).isEqualTo("OPENED");
    // Leaving the field out is no way around it, and neither is another ticket's evidence.
    putRootCause(ticketId, null)
        .statusCode(400)
        .body("violations[0].field", equalTo("evidenceRefs"));
    String elsewhere = TicketFlows.addDiagnostic(openSoftwareTicket("other evidence"));
    TicketFlows.addDiagnostic(ticketId);
    putRootCause(ticketId, "[\"" + elsewhere + "\"]")
        .statusCode(400)
        .body("violations[0].field", equalTo("evidenceRefs[0]"))
        .body("violations[0].reason", equalTo("is not a diagnostic of ticket " + ticketId));
    given()
        .header("Authorization", as("ada", "auditor"))
        .get("/api/v1/tickets/" + ticketId + "/root-cause")
        .then()
        .statusCode(404);
  }

  private static io.restassured.response.ValidatableResponse putRootCause(
      String ticketId, String evidenceRefs) {
    return given()
        .header("Authorization", as("erin", "engineer"))
        .contentType(ContentType.JSON)
        .body(
            "{\"method\":\"FIVE_WHYS\",\"whys\":[\"502s\",\"OOM\"],"
                + "\"rootCause\":\"unbounded cache\",\"affectedComponents\":[\"checkout\"]"
                + (evidenceRefs == null ? "" : ",\"evidenceRefs\":" + evidenceRefs)
                + "}")
        .put("/api/v1/tickets/" + ticketId + "/root-cause")
        .then();
  }

  @Test
  void approvalBeforeTestsIsRefused() throws Exception {
    try (KafkaProbe probe = KafkaProbe.fromNow(Topics.TICKETS)) {
      String ticketId = ticketWithRootCause("approve too early");
      propose(ticketId, "dev-dana", sha(11)).statusCode(201);
      approve(ticketId, 1, "anna", "approver", false, null)
          .statusCode(409)
          .body("type", equalTo("https://patchops.dev/problems/gate-tests-passed"))
          .body("detail", containsString("revision 1 has not passed its tests (it is TESTING)"));
      GateRefused refused = refusal(probe, ticketId);
      assertThat(refused.gate()).isEqualTo("tests-passed");
      assertThat(refused.actor()).isEqualTo("anna");
    }
  }

  @Test
  void selfApprovalIsForbidden() throws Exception {
    try (KafkaProbe probe = KafkaProbe.fromNow(Topics.TICKETS)) {
      String ticketId = passedRevision("self approval", "dev-dana");
      // The author also holds the approver role: separation of duties still applies.
      given()
          .header("Authorization", as("dev-dana", "approver", "engineer"))
          .contentType(ContentType.JSON)
          .body("{\"emergency\":false}")
          .post("/api/v1/tickets/" + ticketId + "/revisions/1/approve")
          .then()
          .statusCode(403)
          .contentType("application/problem+json")
          .body("type", equalTo("https://patchops.dev/problems/gate-separation-of-duties"))
          .body("detail", equalTo("dev-dana wrote revision 1 and cannot approve it"));
      GateRefused refused = refusal(probe, ticketId);
      assertThat(refused.gate()).isEqualTo("separation-of-duties");
      assertThat(TicketFlows.state(ticketId)).isEqualTo("AWAITING_APPROVAL");
    }
  }

  @Test
  void emergencyCannotSkipTheTests() throws Exception {
    try (KafkaProbe probe = KafkaProbe.fromNow(Topics.TICKETS)) {
      String ticketId = ticketWithRootCause("emergency without tests");
      propose(ticketId, "dev-dana", sha(12)).statusCode(201);
      approve(ticketId, 1, "sam", "sre", true, "checkout down for all EU customers")
          .statusCode(409)
          .body("type", equalTo("https://patchops.dev/problems/gate-tests-passed"))
          .body("detail", containsString("an emergency change never skips the tests"));
      GateRefused refused = refusal(probe, ticketId);
      assertThat(refused.action()).isEqualTo("emergency-approve");
      assertThat(refused.gate()).isEqualTo("tests-passed");
    }
  }

  @Test
  void emergencyNeedsAReasonAndTheSreRole() throws Exception {
    String ticketId = passedRevision("emergency rules", "dev-dana");
    try (KafkaProbe probe = KafkaProbe.fromNow(Topics.TICKETS)) {
      approve(ticketId, 1, "sam", "sre", true, null)
          .statusCode(400)
          .body("violations[0].field", equalTo("reason"));
      assertThat(refusal(probe, ticketId).gate()).isEqualTo("emergency-reason");
    }
    approve(ticketId, 1, "anna", "approver", true, "fast please")
        .statusCode(403)
        .body("type", equalTo("https://patchops.dev/problems/gate-emergency-role"));
    approve(ticketId, 1, "sam", "sre", false, null)
        .statusCode(403)
        .body("type", equalTo("https://patchops.dev/problems/gate-approver-role"));
  }

  @Test
  void approvalDuringAFreezeIsRefusedButAnEmergencyPassesAndIsFlagged() throws Exception {
    // Created inside the try, its id taken before any assertion: an active window left behind
    // would refuse the approvals of every later test.
    String windowId = null;
    try (KafkaProbe probe = KafkaProbe.fromNow(Topics.TICKETS)) {
      var created =
          given()
              .header("Authorization", as("root", "admin"))
              .contentType(ContentType.JSON)
              .body(
                  "{\"startsAt\":\"%s\",\"endsAt\":\"%s\",\"reason\":\"Black Friday\"}"
                      .formatted(Instant.now().minusSeconds(60), Instant.now().plusSeconds(3600)))
              .post("/api/v1/freeze-windows");
      windowId = created.path("id");
      created.then().statusCode(201).body("active", equalTo(true));
      String ticketId = passedRevision("during freeze", "dev-dana");
      approve(ticketId, 1, "anna", "approver", false, null)
          .statusCode(409)
          .body("type", equalTo("https://patchops.dev/problems/gate-change-freeze"))
          .body("detail", containsString("Black Friday"));
      assertThat(refusal(probe, ticketId).gate()).isEqualTo("change-freeze");

      approve(ticketId, 1, "sam", "sre", true, "payment outage, revenue impact")
          .statusCode(200)
          .body("state", equalTo("APPROVED"))
          .body("emergency", equalTo(true))
          .body("reviewRequired", equalTo(true))
          .body("decisionReason", equalTo("payment outage, revenue impact"));

      // After the fact: neither the emergency approver nor the author may review it.
      review(ticketId, "sam", "approver")
          .statusCode(403)
          .body("type", equalTo("https://patchops.dev/problems/gate-separation-of-duties"));
      review(ticketId, "dev-dana", "approver").statusCode(403);
      review(ticketId, "anna", "approver")
          .statusCode(200)
          .body("reviewRequired", equalTo(false))
          .body("reviewedBy", equalTo("anna"))
          .body("reviewAccepted", equalTo(true));
      dev.patchops.contract.events.EmergencyChangeReviewed reviewed =
          PatchLifecycleTest.single(
              probe,
              ticketId,
              EventType.EMERGENCY_CHANGE_REVIEWED,
              dev.patchops.contract.events.EmergencyChangeReviewed.class);
      assertThat(reviewed.reviewer()).isEqualTo("anna");
      assertThat(reviewed.revision()).isEqualTo(1);
      review(ticketId, "root", "admin").statusCode(409);
    } finally {
      if (windowId != null) {
        given()
            .header("Authorization", as("root", "admin"))
            .delete("/api/v1/freeze-windows/" + windowId)
            .then()
            .statusCode(204);
      }
    }
  }

  @Test
  void illegalTransitionIsRefusedWithTheAllowedMoves() throws Exception {
    try (KafkaProbe probe = KafkaProbe.fromNow(Topics.TICKETS)) {
      String ticketId = ticketWithRootCause("close while testing");
      propose(ticketId, "dev-dana", sha(13)).statusCode(201);
      given()
          .header("Authorization", as("erin", "engineer"))
          .contentType(ContentType.JSON)
          .body("{}")
          .post("/api/v1/tickets/" + ticketId + "/close")
          .then()
          .statusCode(409)
          .body("type", equalTo("https://patchops.dev/problems/gate-state"))
          .body("detail", containsString("is PATCH_PROPOSED"));
      assertThat(refusal(probe, ticketId).gate()).isEqualTo("state");
    }
  }

  private static io.restassured.response.ValidatableResponse review(
      String ticketId, String user, String role) {
    return given()
        .header("Authorization", as(user, role))
        .contentType(ContentType.JSON)
        .body("{\"accepted\":true,\"findings\":\"fix was right; add a canary for payments\"}")
        .post("/api/v1/tickets/" + ticketId + "/revisions/1/review")
        .then();
  }

  /** A ticket whose revision 1, by {@code author}, passed its tests. */
  static String passedRevision(String title, String author) {
    try (KafkaProbe probe = KafkaProbe.fromNow(Topics.TESTS)) {
      String ticketId = ticketWithRootCause(title);
      propose(ticketId, author, sha(title.hashCode() & 0xffff)).statusCode(201);
      TestRunRequested request = PatchLifecycleTest.testRunRequested(probe, ticketId, 1);
      EventSender.send(
          PatchLifecycleTest.completed(ticketId, 1, request.runId(), TestOutcome.PASSED),
          "test-orchestrator");
      awaitState(ticketId, "AWAITING_APPROVAL");
      return ticketId;
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private static GateRefused refusal(KafkaProbe probe, String ticketId) throws Exception {
    return PatchLifecycleTest.single(probe, ticketId, EventType.GATE_REFUSED, GateRefused.class);
  }
}
