package dev.patchops.ticket;

import static dev.patchops.ticket.TicketFlows.as;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.everyItem;
import static org.hamcrest.Matchers.greaterThanOrEqualTo;
import static org.hamcrest.Matchers.hasSize;

import dev.patchops.testing.PatchOpsTest;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import java.util.UUID;
import org.junit.jupiter.api.Test;

@QuarkusTest
@PatchOpsTest
class TicketQueryTest {

  @Test
  void filtersAndPagesTickets() {
    String deployment = "inventory-" + UUID.randomUUID().toString().substring(0, 8);
    for (String severity : new String[] {"SEV1", "SEV2", "SEV2"}) {
      given()
          .header("Authorization", as("rita", "reporter"))
          .contentType(ContentType.JSON)
          .body(
              "{\"kind\":\"SOFTWARE\",\"title\":\"t\",\"severity\":\"%s\",\"workload\":{\"namespace\":\"shop\",\"kind\":\"Deployment\",\"name\":\"%s\"}}"
                  .formatted(severity, deployment))
          .post("/api/v1/tickets")
          .then()
          .statusCode(201);
    }
    given()
        .header("Authorization", as("ada", "auditor"))
        .get("/api/v1/tickets?workload=" + deployment + "&severity=sev2&state=OPENED")
        .then()
        .statusCode(200)
        .body("total", equalTo(2))
        .body("items.severity", everyItem(equalTo("SEV2")));
    given()
        .header("Authorization", as("ada", "auditor"))
        .get("/api/v1/tickets?workload=" + deployment + "&size=2&page=1")
        .then()
        .statusCode(200)
        .body("total", equalTo(3))
        .body("items", hasSize(1))
        .body("page", equalTo(1));
    given()
        .header("Authorization", as("ada", "auditor"))
        .get("/api/v1/tickets?kind=SOFTWARE&size=200")
        .then()
        .body("items.size()", greaterThanOrEqualTo(3));
  }

  @Test
  void closingATicketIsRecorded() throws Exception {
    try (dev.patchops.testing.KafkaProbe probe =
        dev.patchops.testing.KafkaProbe.fromNow(dev.patchops.contract.Topics.TICKETS)) {
      String ticketId = TicketFlows.openSoftwareTicket("false alarm");
      given()
          .header("Authorization", as("erin", "engineer"))
          .contentType(ContentType.JSON)
          .body("{\"note\":\"duplicate of an existing incident\"}")
          .post("/api/v1/tickets/" + ticketId + "/close")
          .then()
          .statusCode(200)
          .body("state", equalTo("CLOSED"))
          .body("closedAt", org.hamcrest.Matchers.notNullValue());
      dev.patchops.contract.events.TicketClosed closed =
          PatchLifecycleTest.single(
              probe,
              ticketId,
              dev.patchops.contract.EventType.TICKET_CLOSED,
              dev.patchops.contract.events.TicketClosed.class);
      org.assertj.core.api.Assertions.assertThat(closed.note())
          .isEqualTo("duplicate of an existing incident");
      org.assertj.core.api.Assertions.assertThat(closed.closedBy()).isEqualTo("erin");
    }
  }

  @Test
  void badQueryParametersAreNamed() {
    given()
        .header("Authorization", as("ada", "auditor"))
        .get("/api/v1/tickets?state=BROKEN")
        .then()
        .statusCode(400)
        .contentType("application/problem+json")
        .body("violations[0].field", equalTo("state"))
        .body("violations[0].reason", containsString("OPENED"));
    given()
        .header("Authorization", as("ada", "auditor"))
        .get("/api/v1/tickets?size=1000")
        .then()
        .statusCode(400)
        .body("violations[0].field", equalTo("size"));
    given()
        .header("Authorization", as("ada", "auditor"))
        .get("/api/v1/tickets?page=first")
        .then()
        .statusCode(400)
        .body("violations[0].field", equalTo("page"));
  }

  @Test
  void openTicketValidationNamesFields() {
    given()
        .header("Authorization", as("rita", "reporter"))
        .contentType(ContentType.JSON)
        .body("{\"kind\":\"SOFTWARE\",\"title\":\"\",\"severity\":\"SEV2\"}")
        .post("/api/v1/tickets")
        .then()
        .statusCode(400)
        .body("violations.field", org.hamcrest.Matchers.hasItem("title"));
    given()
        .header("Authorization", as("rita", "reporter"))
        .contentType(ContentType.JSON)
        .body("{\"kind\":\"SOFTWARE\",\"title\":\"x\",\"severity\":\"SEV2\"}")
        .post("/api/v1/tickets")
        .then()
        .statusCode(400)
        .body("violations[0].field", equalTo("workload"));
    given()
        .header("Authorization", as("rita", "reporter"))
        .contentType(ContentType.JSON)
        .body(
            "{\"kind\":\"SOFTWARE\",\"title\":\"x\",\"severity\":\"SEV2\",\"workload\":{\"namespace\":\"Shop_NS\",\"kind\":\"Deployment\",\"name\":\"a\"}}")
        .post("/api/v1/tickets")
        .then()
        .statusCode(400)
        .body("violations[0].field", equalTo("workload.namespace"));
  }
}
