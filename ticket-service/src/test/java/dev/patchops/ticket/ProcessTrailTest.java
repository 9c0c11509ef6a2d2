package dev.patchops.ticket;

import static dev.patchops.ticket.TicketFlows.as;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.nullValue;

import dev.patchops.contract.CloudEventHeaders;
import dev.patchops.contract.ContractJson;
import dev.patchops.contract.EventType;
import dev.patchops.contract.Topics;
import dev.patchops.contract.events.EquipmentReassigned;
import dev.patchops.contract.events.EquipmentRegistered;
import dev.patchops.contract.events.FreezeWindowCreated;
import dev.patchops.contract.events.FreezeWindowDeleted;
import dev.patchops.contract.events.HardwareLockTransferred;
import dev.patchops.contract.model.EquipmentType;
import dev.patchops.testing.Delivered;
import dev.patchops.testing.KafkaProbe;
import dev.patchops.testing.PatchOpsTest;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

/** Who changed the rules of the process: freeze windows and equipment are events in the trail. */
@QuarkusTest
@PatchOpsTest
class ProcessTrailTest {

  @Test
  void freezeWindowCreatedAndDeletedAreEvents() throws Exception {
    String windowId = null;
    boolean deleted = false;
    try (KafkaProbe probe = KafkaProbe.fromNow(Topics.TICKETS)) {
      Instant startsAt = Instant.parse("2030-11-28T00:00:00Z");
      Instant endsAt = Instant.parse("2030-11-29T00:00:00Z");
      windowId =
          given()
              .header("Authorization", as("root", "admin"))
              .contentType(ContentType.JSON)
              .body(
                  "{\"startsAt\":\"%s\",\"endsAt\":\"%s\",\"reason\":\"Black Friday 2030\"}"
                      .formatted(startsAt, endsAt))
              .post("/api/v1/freeze-windows")
              .then()
              .statusCode(201)
              .extract()
              .path("id");
      String id = windowId;
      FreezeWindowCreated created =
          one(probe, id, EventType.FREEZE_WINDOW_CREATED, FreezeWindowCreated.class);
      assertThat(created.createdBy()).isEqualTo("root");
      assertThat(created.startsAt()).isEqualTo(startsAt);
      assertThat(created.endsAt()).isEqualTo(endsAt);
      assertThat(created.reason()).isEqualTo("Black Friday 2030");

      given()
          .header("Authorization", as("root", "admin"))
          .delete("/api/v1/freeze-windows/" + id)
          .then()
          .statusCode(204);
      deleted = true;
      FreezeWindowDeleted deletedEvent =
          one(probe, id, EventType.FREEZE_WINDOW_DELETED, FreezeWindowDeleted.class);
      assertThat(deletedEvent.deletedBy()).isEqualTo("root");
    } finally {
      // Never leave a window behind for the tests after this one, whatever failed above.
      if (windowId != null && !deleted) {
        given()
            .header("Authorization", as("root", "admin"))
            .delete("/api/v1/freeze-windows/" + windowId);
      }
    }
    // An invalid window is refused at the REST edge with the field, and publishes nothing.
    given()
        .header("Authorization", as("root", "admin"))
        .contentType(ContentType.JSON)
        .body(
            "{\"startsAt\":\"2030-01-02T00:00:00Z\",\"endsAt\":\"2030-01-01T00:00:00Z\","
                + "\"reason\":\"backwards\"}")
        .post("/api/v1/freeze-windows")
        .then()
        .statusCode(400)
        .contentType("application/problem+json")
        .body("violations[0].field", equalTo("endsAt"));
  }

  @Test
  void equipmentRegisteredReassignedAndTheLockTransferAreEvents() throws Exception {
    String suffix = UUID.randomUUID().toString().substring(0, 8);
    String equipmentId = "srv-" + suffix;
    try (KafkaProbe probe = KafkaProbe.fromNow(Topics.TICKETS)) {
      given()
          .header("Authorization", as("root", "admin"))
          .contentType(ContentType.JSON)
          .body(
              "{\"id\":\"%s\",\"kind\":\"NODE\",\"location\":\"rack 4\",\"nodeName\":\"worker-%s\",\"assignee\":\"hank\"}"
                  .formatted(equipmentId, suffix))
          .post("/api/v1/equipment")
          .then()
          .statusCode(201);
      EquipmentRegistered registered =
          one(probe, equipmentId, EventType.EQUIPMENT_REGISTERED, EquipmentRegistered.class);
      assertThat(registered.assignee()).isEqualTo("hank");
      assertThat(registered.registeredBy()).isEqualTo("root");
      assertThat(registered.kind()).isEqualTo(EquipmentType.NODE);
      assertThat(registered.nodeName()).isEqualTo("worker-" + suffix);

      String ticketId =
          given()
              .header("Authorization", as("rita", "reporter"))
              .contentType(ContentType.JSON)
              .body(
                  "{\"kind\":\"HARDWARE\",\"title\":\"fan failure\",\"severity\":\"SEV3\",\"equipmentId\":\"%s\"}"
                      .formatted(equipmentId))
              .post("/api/v1/tickets")
              .then()
              .statusCode(201)
              .extract()
              .path("id");

      given()
          .header("Authorization", as("root", "admin"))
          .contentType(ContentType.JSON)
          .body("{\"assignee\":\"ivy\"}")
          .put("/api/v1/equipment/" + equipmentId + "/assignee")
          .then()
          .statusCode(200)
          .body("assignee", equalTo("ivy"))
          .body("lockedByTicket", equalTo(ticketId));
      // One poll for both: the probe drops what a collect does not match.
      List<ConsumerRecord<String, byte[]>> records =
          probe.collect(
              r ->
                  (equipmentId.equals(r.key())
                          && EventType.EQUIPMENT_REASSIGNED
                              .type()
                              .equals(KafkaProbe.header(r, CloudEventHeaders.TYPE)))
                      || (ticketId.equals(r.key())
                          && EventType.HARDWARE_LOCK_TRANSFERRED
                              .type()
                              .equals(KafkaProbe.header(r, CloudEventHeaders.TYPE))),
              2,
              Duration.ofSeconds(30),
              // Exactly these: any second copy is in the log once the outbox has sent it.
              Delivered::outboxSent);
      assertThat(records).hasSize(2);
      EquipmentReassigned reassigned =
          ContractJson.mapper()
              .readValue(
                  records.stream()
                      .filter(r -> equipmentId.equals(r.key()))
                      .findFirst()
                      .orElseThrow()
                      .value(),
                  EquipmentReassigned.class);
      assertThat(reassigned.previousAssignee()).isEqualTo("hank");
      assertThat(reassigned.assignee()).isEqualTo("ivy");
      assertThat(reassigned.lockedByTicket()).isEqualTo(ticketId);
      assertThat(reassigned.reassignedBy()).isEqualTo("root");
      HardwareLockTransferred transferred =
          ContractJson.mapper()
              .readValue(
                  records.stream()
                      .filter(r -> ticketId.equals(r.key()))
                      .findFirst()
                      .orElseThrow()
                      .value(),
                  HardwareLockTransferred.class);
      assertThat(transferred.equipmentId()).isEqualTo(equipmentId);
      assertThat(transferred.previousAssignee()).isEqualTo("hank");
      assertThat(transferred.assignee()).isEqualTo("ivy");
      assertThat(transferred.transferredBy()).isEqualTo("root");
    }
  }

  @Test
  void reportersSeeTestOutcomesButNotLogsOrSecretDecisions() {
    String ticketId = GatesTest.passedRevision("reporter reads tests", "dev-dana");
    String path = "/api/v1/tickets/" + ticketId + "/revisions";
    given()
        .header("Authorization", as("rita", "reporter"))
        .get(path + "/1")
        .then()
        .statusCode(200)
        .body("testOutcome", equalTo("PASSED"))
        .body("testAnalytics", nullValue());
    given()
        .header("Authorization", as("rita", "reporter"))
        .get(path)
        .then()
        .statusCode(200)
        .body("[0].testOutcome", equalTo("PASSED"))
        .body("[0].testAnalytics", nullValue());
    given()
        .header("Authorization", as("erin", "engineer"))
        .get(path + "/1")
        .then()
        .statusCode(200)
        .body("testAnalytics", notNullValue());
    given()
        .header("Authorization", as("ada", "auditor"))
        .get(path)
        .then()
        .statusCode(200)
        .body("[0].testAnalytics", notNullValue());
  }

  private static <T> T one(KafkaProbe probe, String key, EventType type, Class<T> payload)
      throws Exception {
    List<ConsumerRecord<String, byte[]>> records =
        probe.collect(
            r ->
                key.equals(r.key())
                    && type.type().equals(KafkaProbe.header(r, CloudEventHeaders.TYPE)),
            1,
            Duration.ofSeconds(30),
            Delivered::outboxSent);
    assertThat(records).as("%s for %s", type.type(), key).hasSize(1);
    return ContractJson.mapper().readValue(records.get(0).value(), payload);
  }
}
