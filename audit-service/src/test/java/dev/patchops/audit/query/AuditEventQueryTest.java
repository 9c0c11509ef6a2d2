package dev.patchops.audit.query;

import static dev.patchops.audit.AuditFixtures.awaitTicket;
import static dev.patchops.audit.AuditFixtures.newTicketId;
import static dev.patchops.audit.AuditFixtures.opened;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;

import dev.patchops.audit.AuditFixtures;
import dev.patchops.audit.WithAuditInfra;
import dev.patchops.contract.EventType;
import dev.patchops.contract.events.DiagnosticAdded;
import dev.patchops.contract.model.DiagnosticKind;
import dev.patchops.platform.security.Roles;
import dev.patchops.testing.TestInfra;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.specification.RequestSpecification;
import jakarta.inject.Inject;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

@QuarkusTest
@WithAuditInfra
class AuditEventQueryTest {
  @Inject AuditQuery query;

  private static RequestSpecification auditor() {
    return given().header("Authorization", TestInfra.bearer("carol", Roles.AUDITOR));
  }

  @Test
  void filtersByTicketTypeActorAndTimeAndPagesBySequence() {
    String ticketId = newTicketId();
    AuditFixtures.send(opened(ticketId, "paging"));
    for (int i = 0; i < 4; i++) {
      AuditFixtures.send(
          new DiagnosticAdded(
              ticketId,
              "D-" + i,
              DiagnosticKind.LOG_QUERY,
              "https://logs.example/q/" + i,
              Instant.now(),
              null,
              "evidence " + i,
              "bob"));
    }
    awaitTicket(query, ticketId, 5);

    auditor()
        .queryParam("ticketId", ticketId)
        .queryParam("type", EventType.TICKET_OPENED.type())
        .get("/api/v1/audit/events")
        .then()
        .statusCode(200)
        .body("items", hasSize(1))
        .body("items[0].data.title", equalTo("paging"))
        .body("items[0].hash.length()", equalTo(64))
        .body("nextAfter", equalTo(null));

    List<String> ids = new ArrayList<>();
    Long after = 0L;
    int pages = 0;
    while (after != null) {
      var page =
          auditor()
              .queryParam("ticketId", ticketId)
              .queryParam("type", EventType.DIAGNOSTIC_ADDED.type())
              .queryParam("actor", "ticket-service")
              .queryParam("from", "2020-01-01T00:00:00Z")
              .queryParam("limit", 3)
              .queryParam("after", after)
              .get("/api/v1/audit/events")
              .then()
              .statusCode(200)
              .extract()
              .jsonPath();
      ids.addAll(page.getList("items.data.diagnosticId", String.class));
      after = page.getObject("nextAfter", Long.class);
      pages++;
    }
    assertThat(ids).containsExactly("D-0", "D-1", "D-2", "D-3");
    assertThat(pages).isEqualTo(2);

    auditor()
        .queryParam("ticketId", ticketId)
        .queryParam("to", "2020-01-01T00:00:00Z")
        .get("/api/v1/audit/events")
        .then()
        .statusCode(200)
        .body("items", hasSize(0));
  }

  @Test
  void aReaderCanRecheckEveryHashFromWhatTheApiReturns() throws Exception {
    String ticketId = newTicketId();
    AuditFixtures.send(opened(ticketId, "recheck me"));
    awaitTicket(query, ticketId, 1);
    var item =
        auditor()
            .queryParam("ticketId", ticketId)
            .get("/api/v1/audit/events")
            .then()
            .statusCode(200)
            .extract()
            .jsonPath();
    String prevHash = item.getString("items[0].prevHash");
    String canonical = item.getString("items[0].canonical");
    java.security.MessageDigest sha256 = java.security.MessageDigest.getInstance("SHA-256");
    sha256.update(prevHash.getBytes(java.nio.charset.StandardCharsets.US_ASCII));
    sha256.update(canonical.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    assertThat(java.util.HexFormat.of().formatHex(sha256.digest()))
        .isEqualTo(item.getString("items[0].hash"));
    assertThat(canonical).contains("\"title\":\"recheck me\"");
    assertThat(item.getString("items[0].headers.ce_ticketid")).isEqualTo(ticketId);
  }

  @Test
  void badParametersAreNamedInAProblem() {
    for (String[] bad :
        new String[][] {
          {"limit", "0"}, {"limit", "many"}, {"after", "-1"}, {"from", "yesterday"},
        }) {
      auditor()
          .queryParam(bad[0], bad[1])
          .get("/api/v1/audit/events")
          .then()
          .statusCode(400)
          .contentType("application/problem+json")
          .body("violations[0].field", equalTo(bad[0]));
    }
  }

  @Test
  void onlyAuditorsAndAdminsMayQueryTheTrail() {
    given()
        .header("Authorization", TestInfra.bearer("erin", Roles.ENGINEER, Roles.SRE))
        .get("/api/v1/audit/events")
        .then()
        .statusCode(403);
    given().get("/api/v1/audit/events").then().statusCode(401);
    given()
        .header("Authorization", TestInfra.bearer("dave", Roles.ADMIN))
        .get("/api/v1/audit/events")
        .then()
        .statusCode(200);
  }
}
