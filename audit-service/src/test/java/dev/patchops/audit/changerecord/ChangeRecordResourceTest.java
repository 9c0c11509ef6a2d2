package dev.patchops.audit.changerecord;

import static dev.patchops.audit.AuditFixtures.awaitTicket;
import static dev.patchops.audit.AuditFixtures.newTicketId;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.not;

import dev.patchops.audit.WithAuditInfra;
import dev.patchops.audit.query.AuditQuery;
import dev.patchops.audit.trail.RecordParser;
import dev.patchops.audit.trail.TrailRecord;
import dev.patchops.contract.CloudEventHeaders;
import dev.patchops.contract.EventType;
import dev.patchops.platform.security.Roles;
import dev.patchops.testing.EventSender;
import dev.patchops.testing.TestInfra;
import dev.patchops.testing.TestProducer;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * The change record served from a trail that was really ingested from Kafka: the same realistic
 * histories as the builder's unit tests, sent as the services send them, one by one so the trail
 * holds them in the order they happened.
 */
@QuarkusTest
@WithAuditInfra
class ChangeRecordResourceTest {
  private static final String TITLE = "<script>alert(1)</script> checkout | 502";

  @Inject AuditQuery query;

  private void ingest(String ticketId, List<TrailRecord> history) {
    int sent = 0;
    for (TrailRecord r : history) {
      if (!RecordParser.STREAM_EVENT.equals(r.stream()) || r.payload() == null) {
        continue;
      }
      EventType type = EventType.fromType(r.type()).orElse(null);
      if (type == null) {
        continue;
      }
      Map<String, String> headers =
          EventSender.headers(type, UUID.randomUUID().toString(), type.producer().serviceName());
      headers.put(CloudEventHeaders.ACTOR, r.actor());
      headers.put(CloudEventHeaders.TICKET_ID, ticketId);
      // The histories hold a few deliberately broken payloads; they travel as they are.
      TestProducer.send(type.topic(), ticketId, r.payload(), headers);
      awaitTicket(query, ticketId, ++sent);
    }
  }

  @Test
  void aCompleteTicketsRecordHasEverySectionAndNothingMissing() throws Exception {
    String ticketId = newTicketId();
    ingest(ticketId, ChangeRecordFixtures.completeHistory(ticketId, TITLE));

    given()
        .header("Authorization", TestInfra.bearer("carol", Roles.AUDITOR))
        .accept("application/json")
        .get("/api/v1/tickets/{id}/change-record", ticketId)
        .then()
        .statusCode(200)
        .contentType("application/json")
        .body("ticketId", equalTo(ticketId))
        .body("ticket.title", equalTo(TITLE))
        .body("completeness.missing", hasSize(0))
        .body("revisions", hasSize(3))
        .body("rollouts.size()", equalTo(2))
        .body("rollouts.reverts.flatten()", hasSize(1))
        .body("alerts.size()", equalTo(2))
        .body("chain.links[0].hash.length()", equalTo(64))
        .body("outcome", not(equalTo(null)));

    String html =
        given()
            .header("Authorization", TestInfra.bearer("erin", Roles.ENGINEER))
            .accept("text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8")
            .get("/api/v1/tickets/{id}/change-record", ticketId)
            .then()
            .statusCode(200)
            .contentType("text/html")
            .header("Content-Security-Policy", containsString("default-src 'none'"))
            .extract()
            .asString();
    assertThat(html).contains("&lt;script&gt;alert(1)&lt;/script&gt;").doesNotContain("<script");
    assertThat(html).contains("Timeline", "Root cause", "Revisions", "Rollouts", "Completeness");

    String markdown =
        given()
            .header("Authorization", TestInfra.bearer("erin", Roles.ENGINEER))
            .queryParam("format", "markdown")
            .get("/api/v1/tickets/{id}/change-record", ticketId)
            .then()
            .statusCode(200)
            .contentType("text/markdown")
            .extract()
            .asString();
    assertThat(markdown).contains("# Change record").doesNotContain("<script>");
  }

  @Test
  void anIncompleteTicketNamesWhatTheAuditorsWillNotFind() throws Exception {
    String ticketId = newTicketId();
    ingest(ticketId, ChangeRecordFixtures.incompleteHistory(ticketId));

    List<String> missing =
        given()
            .header("Authorization", TestInfra.bearer("carol", Roles.AUDITOR))
            .get("/api/v1/tickets/{id}/change-record", ticketId)
            .then()
            .statusCode(200)
            .extract()
            .jsonPath()
            .getList("completeness.missing", String.class);
    assertThat(missing)
        .containsExactlyInAnyOrder(
            "approval",
            "test-evidence",
            "backout-plan",
            "change-window",
            "outcome",
            "post-implementation-review");
  }

  @Test
  void unknownTicketsAndFormatsAreClearErrors() {
    String auditor = TestInfra.bearer("carol", Roles.AUDITOR);
    given()
        .header("Authorization", auditor)
        .get("/api/v1/tickets/{id}/change-record", "T-NOPE")
        .then()
        .statusCode(404)
        .contentType("application/problem+json");
    given()
        .header("Authorization", auditor)
        .queryParam("format", "pdf")
        .get("/api/v1/tickets/{id}/change-record", "T-NOPE")
        .then()
        .statusCode(400)
        .body("violations[0].field", equalTo("format"));
    given().get("/api/v1/tickets/{id}/change-record", "T-NOPE").then().statusCode(401);
    given()
        .header("Authorization", TestInfra.bearer("rita", Roles.REPORTER))
        .get("/api/v1/tickets/{id}/change-record", "T-NOPE")
        .then()
        .statusCode(403);
  }
}
