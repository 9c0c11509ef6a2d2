package dev.patchops.ticket;

import static dev.patchops.ticket.TicketFlows.as;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import dev.patchops.contract.EventType;
import dev.patchops.contract.Topics;
import dev.patchops.contract.events.GateRefused;
import dev.patchops.contract.events.HardwareQuarantineRequested;
import dev.patchops.contract.model.EquipmentType;
import dev.patchops.testing.KafkaProbe;
import dev.patchops.testing.PatchOpsTest;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.ValidatableResponse;
import java.time.Instant;
import java.util.UUID;
import org.junit.jupiter.api.Test;

@QuarkusTest
@PatchOpsTest
class HardwareLockTest {

  @Test
  void hardwareTicketLocksTheNodeToItsEngineerAndRequestsQuarantine() throws Exception {
    String node = "node-" + UUID.randomUUID().toString().substring(0, 8);
    given()
        .header("Authorization", as("root", "admin"))
        .contentType(ContentType.JSON)
        .body(
            "{\"id\":\"%s\",\"kind\":\"NODE\",\"location\":\"rack 4, dc-east\",\"nodeName\":\"worker-7\",\"assignee\":\"hank\"}"
                .formatted(node))
        .post("/api/v1/equipment")
        .then()
        .statusCode(201);

    try (KafkaProbe probe = KafkaProbe.fromNow(Topics.TICKETS)) {
      String ticketId =
          openHardware(node).statusCode(201).body("assignee", equalTo("hank")).extract().path("id");
      HardwareQuarantineRequested quarantine =
          PatchLifecycleTest.single(
              probe,
              ticketId,
              EventType.HARDWARE_QUARANTINE_REQUESTED,
              HardwareQuarantineRequested.class);
      assertThat(quarantine.equipment().type()).isEqualTo(EquipmentType.NODE);
      assertThat(quarantine.equipment().equipmentId()).isEqualTo(node);
      assertThat(quarantine.assignee()).isEqualTo("hank");

      diagnostic(ticketId, "erin", "engineer")
          .statusCode(403)
          .body("type", equalTo("https://patchops.dev/problems/gate-equipment-lock"))
          .body("detail", containsString("is locked to hank by ticket " + ticketId));
      GateRefused refused =
          PatchLifecycleTest.single(probe, ticketId, EventType.GATE_REFUSED, GateRefused.class);
      assertThat(refused.actor()).isEqualTo("erin");
      assertThat(refused.gate()).isEqualTo("equipment-lock");

      diagnostic(ticketId, "hank", "engineer").statusCode(201);
      diagnostic(ticketId, "root", "admin").statusCode(201);

      openHardware(node)
          .statusCode(409)
          .body("detail", containsString("is locked by open ticket " + ticketId));

      given()
          .header("Authorization", as("ada", "auditor"))
          .get("/api/v1/equipment/" + node)
          .then()
          .body("lockedByTicket", equalTo(ticketId));

      given()
          .header("Authorization", as("root", "admin"))
          .contentType(ContentType.JSON)
          .body("{\"assignee\":\"ivy\"}")
          .put("/api/v1/equipment/" + node + "/assignee")
          .then()
          .statusCode(200);
      diagnostic(ticketId, "hank", "engineer").statusCode(403);
      diagnostic(ticketId, "ivy", "engineer").statusCode(201);
    }
  }

  @Test
  void unknownEquipmentAndNodeWithoutNodeNameAreRejected() {
    openHardware("no-such-thing")
        .statusCode(400)
        .body("violations[0].field", equalTo("equipmentId"));
    given()
        .header("Authorization", as("root", "admin"))
        .contentType(ContentType.JSON)
        .body("{\"id\":\"n1\",\"kind\":\"NODE\",\"assignee\":\"hank\"}")
        .post("/api/v1/equipment")
        .then()
        .statusCode(400)
        .body("violations[0].field", equalTo("nodeName"));
  }

  private static ValidatableResponse openHardware(String equipmentId) {
    return given()
        .header("Authorization", as("rita", "reporter"))
        .contentType(ContentType.JSON)
        .body(
            "{\"kind\":\"HARDWARE\",\"title\":\"ECC errors\",\"severity\":\"SEV3\",\"equipmentId\":\"%s\"}"
                .formatted(equipmentId))
        .post("/api/v1/tickets")
        .then();
  }

  private static ValidatableResponse diagnostic(String ticketId, String user, String role) {
    return given()
        .header("Authorization", as(user, role))
        .contentType(ContentType.JSON)
        .body(
            "{\"kind\":\"DUMP\",\"uri\":\"s3://dumps/edac.log\",\"capturedAt\":\"%s\"}"
                .formatted(Instant.now().minusSeconds(5)))
        .post("/api/v1/tickets/" + ticketId + "/diagnostics")
        .then();
  }
}
