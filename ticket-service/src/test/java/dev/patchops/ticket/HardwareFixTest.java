package dev.patchops.ticket;

import static dev.patchops.ticket.TicketFlows.addDiagnostic;
import static dev.patchops.ticket.TicketFlows.as;
import static dev.patchops.ticket.TicketFlows.awaitState;
import static dev.patchops.ticket.TicketFlows.recordRootCause;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.nullValue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.patchops.contract.EventType;
import dev.patchops.contract.Topics;
import dev.patchops.contract.events.BurnInRequested;
import dev.patchops.contract.events.GateRefused;
import dev.patchops.contract.events.HardwareFixApproved;
import dev.patchops.contract.events.HardwareManualReleaseRequested;
import dev.patchops.contract.events.HardwareQuarantineReleased;
import dev.patchops.contract.events.HardwareQuarantined;
import dev.patchops.contract.events.TestRunCompleted;
import dev.patchops.contract.events.TicketResolved;
import dev.patchops.contract.model.EquipmentRef;
import dev.patchops.contract.model.EquipmentType;
import dev.patchops.contract.model.HardwareReleaseMode;
import dev.patchops.contract.model.Quarantine;
import dev.patchops.contract.model.TestOutcome;
import dev.patchops.testing.EventSender;
import dev.patchops.testing.KafkaProbe;
import dev.patchops.testing.PatchOpsTest;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.ValidatableResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The hardware path through real Kafka: quarantine, documented fix, burn-in, release. */
@QuarkusTest
@PatchOpsTest
class HardwareFixTest {
  private static final String ROLLOUTS = "rollout-service";
  private static final String ORCHESTRATOR = "test-orchestrator";
  private static final String ASSIGNEE = "hank";
  private static final ObjectMapper JSON = new ObjectMapper();

  /** A registered node assigned to hank, and its open hardware ticket. */
  record Node(String equipmentId, String nodeName, String ticketId) {
    EquipmentRef ref() {
      return new EquipmentRef(equipmentId, EquipmentType.NODE, "rack 9");
    }
  }

  @Test
  void fixBurnInAndReleaseResolveTheTicketAndFreeTheNode() throws Exception {
    try (KafkaProbe probe = KafkaProbe.fromNow(Topics.TICKETS, Topics.TESTS)) {
      Node node = nodeWithRootCause();

      recordFix(node.ticketId(), ASSIGNEE, "replaced DIMM B2")
          .statusCode(409)
          .contentType("application/problem+json")
          .body("type", equalTo("https://patchops.dev/problems/gate-node-quarantined"))
          .body("detail", containsString("node " + node.nodeName() + " not yet quarantined"));
      GateRefused refused =
          PatchLifecycleTest.single(
              probe, node.ticketId(), EventType.GATE_REFUSED, GateRefused.class);
      assertThat(refused.gate()).isEqualTo("node-quarantined");
      assertThat(refused.action()).isEqualTo("record-hardware-fix");

      // Delivered twice: the inbox applies it once, and the ticket only records it.
      HardwareQuarantined quarantined = quarantined(node);
      String id = EventSender.send(quarantined, ROLLOUTS);
      EventSender.send(quarantined, ROLLOUTS, id);
      awaitQuarantined(node);

      recordFix(node.ticketId(), ASSIGNEE, "replaced DIMM B2")
          .statusCode(201)
          .body("revision", equalTo(1))
          .body("state", equalTo("TESTING"))
          .body("nodeName", equalTo(node.nodeName()))
          .body("author", equalTo(ASSIGNEE));
      assertThat(TicketFlows.state(node.ticketId())).isEqualTo("TESTING");
      BurnInRequested burnIn = burnIn(probe, node, 1);
      assertThat(burnIn.nodeName()).isEqualTo(node.nodeName());
      assertThat(burnIn.equipmentId()).isEqualTo(node.equipmentId());
      assertThat(burnIn.requestedBy()).isEqualTo(ASSIGNEE);
      assertThat(burnIn.fixDescription())
          .contains("replaced DIMM B2")
          .contains("Why: EDAC reports correctable errors on B2");
      assertThat(burnIn.testSuites()).extracting("name").containsExactly("memtest", "stress");
      assertThat(burnIn.testSuites().get(0).image()).contains("@sha256:");

      EventSender.send(burnInCompleted(node, 1, burnIn.runId(), TestOutcome.PASSED), ORCHESTRATOR);
      // A passed burn-in waits for someone other than the assignee, as a software patch does.
      awaitState(node.ticketId(), "AWAITING_APPROVAL");
      fix(node.ticketId(), 1)
          .body("state", equalTo("PASSED"))
          .body("burnInOutcome", equalTo("PASSED"));
      approveFix(node.ticketId(), 1, "anna", "approver")
          .statusCode(200)
          .body("state", equalTo("APPROVED"))
          .body("approvedBy", equalTo("anna"));
      assertThat(TicketFlows.state(node.ticketId())).isEqualTo("APPROVED");
      HardwareFixApproved approved =
          PatchLifecycleTest.single(
              probe, node.ticketId(), EventType.HARDWARE_FIX_APPROVED, HardwareFixApproved.class);
      assertThat(approved.approvedBy()).isEqualTo("anna");
      assertThat(approved.assignee()).isEqualTo(ASSIGNEE);
      assertThat(approved.author()).isEqualTo(ASSIGNEE);
      assertThat(approved.nodeName()).isEqualTo(node.nodeName());
      assertThat(approved.burnInRunId()).isEqualTo(burnIn.runId());
      // Until the rollout-service has uncordoned the node, the ticket holds its lock.
      lockedBy(node).body("lockedByTicket", equalTo(node.ticketId()));

      EventSender.send(released(node, true), ROLLOUTS);
      awaitState(node.ticketId(), "RESOLVED");
      TicketResolved resolved =
          PatchLifecycleTest.single(
              probe, node.ticketId(), EventType.TICKET_RESOLVED, TicketResolved.class);
      assertThat(resolved.resolution())
          .contains("passed its burn-in on node " + node.nodeName())
          .contains("approved by anna");
      fix(node.ticketId(), 1).body("state", equalTo("RELEASED"));
      ticket(node).body("quarantineReleaseMode", equalTo("BURN_IN"));
      lockedBy(node).body("lockedByTicket", nullValue());
    }
  }

  @Test
  void failedBurnInSendsItBackWithAnalyticsAndTheSecondFixPasses() throws Exception {
    try (KafkaProbe probe = KafkaProbe.fromNow(Topics.TESTS)) {
      Node node = nodeWithRootCause();
      EventSender.send(quarantined(node), ROLLOUTS);
      awaitQuarantined(node);

      recordFix(node.ticketId(), ASSIGNEE, "reseated DIMM B2").statusCode(201);
      BurnInRequested first = burnIn(probe, node, 1);
      EventSender.send(burnInCompleted(node, 1, first.runId(), TestOutcome.FAILED), ORCHESTRATOR);
      awaitState(node.ticketId(), "CHANGES_REQUESTED");
      fix(node.ticketId(), 1)
          .body("state", equalTo("FAILED"))
          .body("burnInAnalytics.failureMessages[0]", equalTo("smoke: 1 of 2 failed"))
          .body(
              "burnInAnalytics.suites[0].cases[1].failureMessage",
              equalTo("expected 200 but got 502"));
      // A reporter sees how the burn-in ended, not its logs or Secret decisions.
      given()
          .header("Authorization", as("rita", "reporter"))
          .get("/api/v1/tickets/" + node.ticketId() + "/hardware-fixes")
          .then()
          .statusCode(200)
          .body("[0].burnInOutcome", equalTo("FAILED"))
          .body("[0].burnInAnalytics", nullValue());

      recordFix(node.ticketId(), ASSIGNEE, "replaced DIMM B2").statusCode(201);
      BurnInRequested second = burnIn(probe, node, 2);
      assertThat(second.runId()).isNotEqualTo(first.runId());
      // A late PASSED for the first run is stale: only the second run decides.
      EventSender.send(burnInCompleted(node, 1, first.runId(), TestOutcome.PASSED), ORCHESTRATOR);
      EventSender.send(burnInCompleted(node, 2, second.runId(), TestOutcome.PASSED), ORCHESTRATOR);
      awaitState(node.ticketId(), "AWAITING_APPROVAL");
      fix(node.ticketId(), 1).body("state", equalTo("FAILED"));
      fix(node.ticketId(), 2).body("state", equalTo("PASSED"));
      // Only the current fix is up for approval.
      approveFix(node.ticketId(), 1, "anna", "approver")
          .statusCode(409)
          .body("type", equalTo("https://patchops.dev/problems/gate-burn-in-passed"));
      approveFix(node.ticketId(), 2, "anna", "approver").statusCode(200);

      EventSender.send(released(node, true), ROLLOUTS);
      awaitState(node.ticketId(), "RESOLVED");
      given()
          .header("Authorization", as("ada", "auditor"))
          .get("/api/v1/tickets/" + node.ticketId())
          .then()
          .body("iterations", equalTo(2))
          .body("currentRevision", equalTo(2));
    }
  }

  @Test
  void selfApprovalOfAHardwareFixIsRefusedAndRecorded() throws Exception {
    Node node = nodeWithRootCause();
    EventSender.send(quarantined(node), ROLLOUTS);
    awaitQuarantined(node);
    try (KafkaProbe tests = KafkaProbe.fromNow(Topics.TESTS)) {
      recordFix(node.ticketId(), ASSIGNEE, "replaced DIMM B2").statusCode(201);
      BurnInRequested burnIn = burnIn(tests, node, 1);
      EventSender.send(burnInCompleted(node, 1, burnIn.runId(), TestOutcome.PASSED), ORCHESTRATOR);
    }
    awaitState(node.ticketId(), "AWAITING_APPROVAL");
    try (KafkaProbe probe = KafkaProbe.fromNow(Topics.TICKETS)) {
      // The assignee also holds the approver role: separation of duties still applies.
      approveFix(node.ticketId(), 1, ASSIGNEE, "approver", "engineer")
          .statusCode(403)
          .contentType("application/problem+json")
          .body("type", equalTo("https://patchops.dev/problems/gate-separation-of-duties"))
          .body(
              "detail",
              equalTo(
                  ASSIGNEE
                      + " is the assignee of equipment "
                      + node.equipmentId()
                      + " and cannot approve its hardware fix 1"));
      GateRefused refused =
          PatchLifecycleTest.single(
              probe, node.ticketId(), EventType.GATE_REFUSED, GateRefused.class);
      assertThat(refused.gate()).isEqualTo("separation-of-duties");
      assertThat(refused.action()).isEqualTo("approve-hardware-fix");
      assertThat(refused.actor()).isEqualTo(ASSIGNEE);
    }
    assertThat(TicketFlows.state(node.ticketId())).isEqualTo("AWAITING_APPROVAL");
    fix(node.ticketId(), 1).body("state", equalTo("PASSED")).body("approvedBy", nullValue());
    // An engineer without the approver role is not asked at all.
    approveFix(node.ticketId(), 1, "erin", "engineer").statusCode(403);
  }

  @Test
  void manualReleaseNeedsAReasonIsAuditedAndHappensOnce() throws Exception {
    Node node = nodeWithRootCause();
    EventSender.send(quarantined(node), ROLLOUTS);
    awaitQuarantined(node);
    try (KafkaProbe probe = KafkaProbe.fromNow(Topics.TICKETS)) {
      releaseManually(node.ticketId(), ASSIGNEE, "  ")
          .statusCode(400)
          .contentType("application/problem+json")
          .body("violations[0].field", equalTo("reason"))
          .body("violations[0].reason", containsString("is required for a manual release"));
      GateRefused refused =
          PatchLifecycleTest.single(
              probe, node.ticketId(), EventType.GATE_REFUSED, GateRefused.class);
      assertThat(refused.gate()).isEqualTo("release-reason");
      assertThat(refused.action()).isEqualTo("manual-release");
      assertThat(refused.reason()).startsWith("reason is required");
    }
    releaseManually(node.ticketId(), "erin", "not mine to release")
        .statusCode(403)
        .body("type", equalTo("https://patchops.dev/problems/gate-equipment-lock"));

    String reason = "burn-in rig broken; DIMM swapped and memtest run by hand for 2h";
    try (KafkaProbe probe = KafkaProbe.fromNow(Topics.TICKETS)) {
      releaseManually(node.ticketId(), ASSIGNEE, reason)
          .statusCode(200)
          .body("manualRelease.requestedBy", equalTo(ASSIGNEE))
          .body("manualRelease.reason", equalTo(reason));
      HardwareManualReleaseRequested requested =
          PatchLifecycleTest.single(
              probe,
              node.ticketId(),
              EventType.HARDWARE_MANUAL_RELEASE_REQUESTED,
              HardwareManualReleaseRequested.class);
      assertThat(requested.requestedBy()).isEqualTo(ASSIGNEE);
      assertThat(requested.reason()).isEqualTo(reason);
      assertThat(requested.nodeName()).isEqualTo(node.nodeName());
      assertThat(requested.equipment().equipmentId()).isEqualTo(node.equipmentId());
    }
    try (KafkaProbe probe = KafkaProbe.fromNow(Topics.TICKETS)) {
      releaseManually(node.ticketId(), ASSIGNEE, "once more")
          .statusCode(409)
          .contentType("application/problem+json")
          .body("type", equalTo("https://patchops.dev/problems/gate-manual-release-once"))
          .body("detail", containsString("was already released by hand by " + ASSIGNEE))
          .body("detail", containsString("a second manual release is refused"));
      GateRefused refused =
          PatchLifecycleTest.single(
              probe, node.ticketId(), EventType.GATE_REFUSED, GateRefused.class);
      assertThat(refused.gate()).isEqualTo("manual-release-once");
      assertThat(refused.actor()).isEqualTo(ASSIGNEE);
    }

    // The rollout-service carries it out: a manual release, visible as such, resolves nothing.
    EventSender.send(
        new HardwareQuarantineReleased(
            node.ticketId(),
            node.ref(),
            ASSIGNEE,
            false,
            Instant.now(),
            HardwareReleaseMode.MANUAL,
            reason),
        ROLLOUTS);
    await()
        .atMost(Duration.ofSeconds(30))
        .until(() -> "MANUAL".equals(ticket(node).extract().path("quarantineReleaseMode")));
    assertThat(TicketFlows.state(node.ticketId())).isEqualTo("ROOT_CAUSE_IDENTIFIED");
    releaseManually(node.ticketId(), ASSIGNEE, "and again")
        .statusCode(409)
        .body("type", equalTo("https://patchops.dev/problems/gate-manual-release-once"));
  }

  @Test
  void aReleaseBeforeTheApprovalResolvesNothingUntilTheApproval() throws Exception {
    Node node = nodeWithRootCause();
    EventSender.send(quarantined(node), ROLLOUTS);
    awaitQuarantined(node);
    try (KafkaProbe tests = KafkaProbe.fromNow(Topics.TESTS)) {
      recordFix(node.ticketId(), ASSIGNEE, "replaced DIMM B2").statusCode(201);
      BurnInRequested burnIn = burnIn(tests, node, 1);
      // The release of the pass overtakes the burn-in result, which comes on another topic.
      EventSender.send(released(node, true), ROLLOUTS);
      await()
          .atMost(Duration.ofSeconds(30))
          .until(() -> ticket(node).extract().path("quarantineReleasedAt") != null);
      EventSender.send(burnInCompleted(node, 1, burnIn.runId(), TestOutcome.PASSED), ORCHESTRATOR);
    }
    awaitState(node.ticketId(), "AWAITING_APPROVAL");
    approveFix(node.ticketId(), 1, "anna", "approver").statusCode(200);
    awaitState(node.ticketId(), "RESOLVED");
    fix(node.ticketId(), 1).body("state", equalTo("RELEASED"));
  }

  @Test
  void releaseWithoutAPassedBurnInResolvesNothingAndNeedsANewQuarantine() throws Exception {
    Node node = nodeWithRootCause();
    EventSender.send(quarantined(node), ROLLOUTS);
    awaitQuarantined(node);
    EventSender.send(released(node, false), ROLLOUTS);
    await()
        .atMost(Duration.ofSeconds(30))
        .until(() -> ticket(node).extract().path("quarantineReleasedAt") != null);
    assertThat(TicketFlows.state(node.ticketId())).isEqualTo("ROOT_CAUSE_IDENTIFIED");
    recordFix(node.ticketId(), ASSIGNEE, "replaced DIMM B2")
        .statusCode(409)
        .body("type", equalTo("https://patchops.dev/problems/gate-node-quarantined"));
  }

  @Test
  void anotherEngineerIsRefusedAndTheRefusalIsRecorded() throws Exception {
    try (KafkaProbe probe = KafkaProbe.fromNow(Topics.TICKETS)) {
      Node node = nodeWithRootCause();
      EventSender.send(quarantined(node), ROLLOUTS);
      awaitQuarantined(node);

      recordFix(node.ticketId(), "erin", "replaced DIMM B2")
          .statusCode(403)
          .contentType("application/problem+json")
          .body("type", equalTo("https://patchops.dev/problems/gate-equipment-lock"))
          .body(
              "detail",
              containsString("is locked to " + ASSIGNEE + " by ticket " + node.ticketId()));
      GateRefused refused =
          PatchLifecycleTest.single(
              probe, node.ticketId(), EventType.GATE_REFUSED, GateRefused.class);
      assertThat(refused.actor()).isEqualTo("erin");
      assertThat(refused.gate()).isEqualTo("equipment-lock");
      assertThat(refused.action()).isEqualTo("record-hardware-fix");
      assertThat(TicketFlows.state(node.ticketId())).isEqualTo("ROOT_CAUSE_IDENTIFIED");
      given()
          .header("Authorization", as("ada", "auditor"))
          .get("/api/v1/tickets/" + node.ticketId() + "/hardware-fixes")
          .then()
          .statusCode(200)
          .body("size()", equalTo(0));

      // An admin may act on locked equipment.
      given()
          .header("Authorization", as("root", "admin"))
          .contentType(ContentType.JSON)
          .body(fixBody("replaced DIMM B2"))
          .post("/api/v1/tickets/" + node.ticketId() + "/hardware-fixes")
          .then()
          .statusCode(201)
          .body("author", equalTo("root"));
    }
  }

  @Test
  void noFixBeforeTheRootCauseAndNoneOnASoftwareTicket() throws Exception {
    try (KafkaProbe probe = KafkaProbe.fromNow(Topics.TICKETS)) {
      Node node = openNode();
      EventSender.send(quarantined(node), ROLLOUTS);
      awaitQuarantined(node);
      recordFix(node.ticketId(), ASSIGNEE, "replaced DIMM B2")
          .statusCode(409)
          .body("type", equalTo("https://patchops.dev/problems/gate-root-cause"))
          .body(
              "detail", containsString("no root cause is recorded for ticket " + node.ticketId()));
      assertThat(
              PatchLifecycleTest.single(
                      probe, node.ticketId(), EventType.GATE_REFUSED, GateRefused.class)
                  .gate())
          .isEqualTo("root-cause");
    }
    String software = TicketFlows.ticketWithRootCause("checkout 500s");
    given()
        .header("Authorization", as("erin", "engineer"))
        .contentType(ContentType.JSON)
        .body(fixBody("replaced DIMM B2"))
        .post("/api/v1/tickets/" + software + "/hardware-fixes")
        .then()
        .statusCode(409)
        .body("type", equalTo("https://patchops.dev/problems/gate-state"))
        .body("detail", containsString("is a SOFTWARE ticket"));
  }

  static Stream<Arguments> invalidFixes() {
    return Stream.of(
        bad("whatWasDone", f -> f.put("whatWasDone", " ")),
        bad("why", f -> f.remove("why")),
        bad("burnInSuites", f -> f.putArray("burnInSuites")),
        bad("burnInSuites[0].name", f -> suite(f).put("name", "Mem Test")),
        bad("burnInSuites[0].image", f -> suite(f).put("image", "registry.example.com/memtest:5")),
        bad("burnInSuites[0].command", f -> suite(f).putArray("command")),
        bad("burnInSuites[0].timeoutSeconds", f -> suite(f).remove("timeoutSeconds")),
        bad("burnInSuites[0].timeoutSeconds", f -> suite(f).put("timeoutSeconds", 0)),
        bad(
            "burnInSuites[1].name",
            f -> ((ObjectNode) f.get("burnInSuites").get(1)).put("name", "memtest")));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("invalidFixes")
  void invalidFieldIsNamed(String field, Consumer<ObjectNode> breakIt) throws Exception {
    ObjectNode body = (ObjectNode) JSON.readTree(fixBody("replaced DIMM B2"));
    breakIt.accept(body);
    given()
        .header("Authorization", as(ASSIGNEE, "engineer"))
        .contentType(ContentType.JSON)
        .body(body.toString())
        .post("/api/v1/tickets/TCK-0/hardware-fixes")
        .then()
        .statusCode(400)
        .contentType("application/problem+json")
        .body("violations.field", hasItem(field));
  }

  private static Arguments bad(String field, Consumer<ObjectNode> breakIt) {
    return Arguments.of(field, breakIt);
  }

  private static ObjectNode suite(ObjectNode fix) {
    return (ObjectNode) fix.get("burnInSuites").get(0);
  }

  static String fixBody(String what) {
    return """
        {"whatWasDone":"%s",
         "why":"EDAC reports correctable errors on B2 at 40/min",
         "burnInSuites":[
           {"name":"memtest","image":"registry.example.com/burnin/memtest@sha256:%s",
            "command":["memtester","4G","3"],"timeoutSeconds":3600},
           {"name":"stress","image":"registry.example.com/burnin/stress-ng@sha256:%s",
            "command":["stress-ng","--vm","2","--timeout","600s"],"timeoutSeconds":900}]}
        """
        .formatted(what, TicketFlows.DIGEST, TicketFlows.DIGEST);
  }

  private static ValidatableResponse recordFix(String ticketId, String user, String what) {
    return given()
        .header("Authorization", as(user, "engineer"))
        .contentType(ContentType.JSON)
        .body(fixBody(what))
        .post("/api/v1/tickets/" + ticketId + "/hardware-fixes")
        .then();
  }

  static ValidatableResponse approveFix(
      String ticketId, int revision, String user, String... roles) {
    return given()
        .header("Authorization", as(user, roles))
        .contentType(ContentType.JSON)
        .post("/api/v1/tickets/" + ticketId + "/hardware-fixes/" + revision + "/approve")
        .then();
  }

  static ValidatableResponse releaseManually(String ticketId, String user, String reason) {
    return given()
        .header("Authorization", as(user, "engineer"))
        .contentType(ContentType.JSON)
        .body(reason == null ? "{}" : "{\"reason\":\"" + reason + "\"}")
        .post("/api/v1/tickets/" + ticketId + "/manual-release")
        .then();
  }

  private static ValidatableResponse fix(String ticketId, int revision) {
    return read("/api/v1/tickets/" + ticketId + "/hardware-fixes/" + revision);
  }

  private static ValidatableResponse ticket(Node node) {
    return read("/api/v1/tickets/" + node.ticketId());
  }

  private static ValidatableResponse lockedBy(Node node) {
    return read("/api/v1/equipment/" + node.equipmentId());
  }

  private static ValidatableResponse read(String path) {
    return given().header("Authorization", as("ada", "auditor")).get(path).then().statusCode(200);
  }

  private static void awaitQuarantined(Node node) {
    await()
        .atMost(Duration.ofSeconds(30))
        .pollInterval(Duration.ofMillis(50))
        .until(() -> ticket(node).extract().path("nodeQuarantinedAt") != null);
  }

  private static Node openNode() {
    String suffix = UUID.randomUUID().toString().substring(0, 8);
    String equipmentId = "srv-" + suffix;
    String nodeName = "worker-" + suffix;
    given()
        .header("Authorization", as("root", "admin"))
        .contentType(ContentType.JSON)
        .body(
            "{\"id\":\"%s\",\"kind\":\"NODE\",\"location\":\"rack 9\",\"nodeName\":\"%s\",\"assignee\":\"%s\"}"
                .formatted(equipmentId, nodeName, ASSIGNEE))
        .post("/api/v1/equipment")
        .then()
        .statusCode(201);
    String ticketId =
        given()
            .header("Authorization", as("rita", "reporter"))
            .contentType(ContentType.JSON)
            .body(
                "{\"kind\":\"HARDWARE\",\"title\":\"ECC errors\",\"severity\":\"SEV2\",\"equipmentId\":\"%s\"}"
                    .formatted(equipmentId))
            .post("/api/v1/tickets")
            .then()
            .statusCode(201)
            .extract()
            .path("id");
    return new Node(equipmentId, nodeName, ticketId);
  }

  private static Node nodeWithRootCause() {
    Node node = openNode();
    recordRootCause(node.ticketId(), addDiagnostic(node.ticketId(), ASSIGNEE), ASSIGNEE);
    return node;
  }

  private static HardwareQuarantined quarantined(Node node) {
    return new HardwareQuarantined(
        node.ticketId(),
        node.ref(),
        node.nodeName(),
        false,
        List.of(),
        Quarantine.TAINT_KEY + "=" + node.ticketId() + ":" + Quarantine.TAINT_EFFECT,
        Instant.now());
  }

  private static HardwareQuarantineReleased released(Node node, boolean burnInPassed) {
    return new HardwareQuarantineReleased(
        node.ticketId(), node.ref(), ROLLOUTS, burnInPassed, Instant.now());
  }

  private static BurnInRequested burnIn(KafkaProbe probe, Node node, int revision)
      throws Exception {
    return PatchLifecycleTest.forRevision(
        probe, node.ticketId(), EventType.BURN_IN_REQUESTED, revision, BurnInRequested.class);
  }

  private static TestRunCompleted burnInCompleted(
      Node node, int revision, String runId, TestOutcome outcome) {
    TestRunCompleted run = PatchLifecycleTest.completed(node.ticketId(), revision, runId, outcome);
    return new TestRunCompleted(
        run.ticketId(),
        run.revision(),
        run.runId(),
        run.attempt(),
        node.nodeName(),
        run.outcome(),
        run.analytics(),
        run.completedAt(),
        null);
  }
}
