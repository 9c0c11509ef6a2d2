package dev.patchops.ticket;

import static dev.patchops.ticket.TicketFlows.as;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.equalTo;

import dev.patchops.contract.CloudEventHeaders;
import dev.patchops.contract.ContractJson;
import dev.patchops.contract.EventType;
import dev.patchops.contract.Topics;
import dev.patchops.contract.events.AlertReceived;
import dev.patchops.contract.events.HardwareQuarantineRequested;
import dev.patchops.testing.KafkaProbe;
import dev.patchops.testing.PatchOpsTest;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.ValidatableResponse;
import java.time.Duration;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * Correlation by the {@code node} label: an alert naming a node reaches that node's equipment,
 * opening its hardware ticket (which asks the rollout-service to quarantine the node) or joining
 * the one that already holds it. A node no equipment is registered for opens nothing.
 */
@QuarkusTest
@PatchOpsTest
class NodeAlertCorrelationTest {
  private static final String AM_TOKEN = "test-alertmanager-token";

  static String nodeAlert(String fingerprint, String node) {
    return """
        {"version":"4","groupKey":"{}:{alertname=\\"NodeEccErrors\\"}","truncatedAlerts":0,
         "status":"firing","receiver":"patchops","groupLabels":{"alertname":"NodeEccErrors"},
         "commonLabels":{},"commonAnnotations":{},"externalURL":"http://alertmanager:9093",
         "alerts":[{"status":"firing",
           "labels":{"alertname":"NodeEccErrors","severity":"warning","node":"%s"},
           "annotations":{"summary":"correctable ECC errors rising"},
           "startsAt":"2026-11-26T09:12:00Z","endsAt":"0001-01-01T00:00:00Z",
           "generatorURL":"http://prometheus:9090/graph","fingerprint":"%s"}]}
        """
        .formatted(node, fingerprint);
  }

  static ValidatableResponse post(String body) {
    return given()
        .header("Authorization", "Bearer " + AM_TOKEN)
        .contentType(ContentType.JSON)
        .body(body)
        .post("/hooks/alertmanager")
        .then();
  }

  @Test
  void anAlertLabelledWithANodeOpensThatNodesHardwareTicketAndItsQuarantine() throws Exception {
    String equipment = "eq-" + UUID.randomUUID().toString().substring(0, 8);
    String node = "worker-" + UUID.randomUUID().toString().substring(0, 8);
    given()
        .header("Authorization", as("root", "admin"))
        .contentType(ContentType.JSON)
        .body(
            "{\"id\":\"%s\",\"kind\":\"NODE\",\"location\":\"rack 2\",\"nodeName\":\"%s\",\"assignee\":\"hank\"}"
                .formatted(equipment, node))
        .post("/api/v1/equipment")
        .then()
        .statusCode(201);
    String first = UUID.randomUUID().toString().substring(0, 16);
    try (KafkaProbe probe = KafkaProbe.fromNow(Topics.TICKETS, Topics.ALERTS)) {
      String ticketId =
          post(nodeAlert(first, node))
              .statusCode(202)
              .body("uncorrelated", equalTo(0))
              .extract()
              .path("tickets[0]");
      assertThat(ticketId).isNotNull();
      given()
          .header("Authorization", as("ada", "auditor"))
          .get("/api/v1/tickets/" + ticketId)
          .then()
          .statusCode(200)
          .body("kind", equalTo("HARDWARE"))
          .body("source", equalTo("ALERT"))
          .body("equipmentId", equalTo(equipment))
          .body("assignee", equalTo("hank"));

      // One collect for both: the probe hands each record to one collect only.
      var records =
          probe.collect(
              r ->
                  (ticketId.equals(r.key())
                          && EventType.HARDWARE_QUARANTINE_REQUESTED
                              .type()
                              .equals(KafkaProbe.header(r, CloudEventHeaders.TYPE)))
                      || (EventType.ALERT_RECEIVED
                              .type()
                              .equals(KafkaProbe.header(r, CloudEventHeaders.TYPE))
                          && KafkaProbe.value(r).contains(first)),
              2,
              Duration.ofSeconds(30));
      assertThat(records).hasSize(2);
      HardwareQuarantineRequested quarantine =
          ContractJson.mapper()
              .readValue(
                  records.stream()
                      .filter(r -> r.topic().equals(Topics.TICKETS))
                      .findFirst()
                      .orElseThrow()
                      .value(),
                  HardwareQuarantineRequested.class);
      assertThat(quarantine.nodeName()).isEqualTo(node);
      assertThat(quarantine.equipment().equipmentId()).isEqualTo(equipment);
      AlertReceived alert =
          ContractJson.mapper()
              .readValue(
                  records.stream()
                      .filter(r -> r.topic().equals(Topics.ALERTS))
                      .findFirst()
                      .orElseThrow()
                      .value(),
                  AlertReceived.class);
      assertThat(alert.ticketId()).isEqualTo(ticketId);
      assertThat(alert.labels()).containsEntry("node", node);

      // Another alert of the same node joins the ticket that holds its equipment.
      post(nodeAlert(UUID.randomUUID().toString().substring(0, 16), node))
          .statusCode(202)
          .body("tickets", contains(ticketId));
    }
  }

  @Test
  void aNodeWithoutRegisteredEquipmentOpensNoTicket() {
    String node = "worker-" + UUID.randomUUID().toString().substring(0, 8);
    post(nodeAlert(UUID.randomUUID().toString().substring(0, 16), node))
        .statusCode(202)
        .body("received", equalTo(1))
        .body("tickets", empty())
        .body("uncorrelated", equalTo(1));
  }
}
