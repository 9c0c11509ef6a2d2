package dev.patchops.ticket;

import static dev.patchops.ticket.TicketFlows.addDiagnostic;
import static dev.patchops.ticket.TicketFlows.as;
import static dev.patchops.ticket.TicketFlows.openSoftwareTicket;
import static dev.patchops.ticket.TicketFlows.revisionBody;
import static dev.patchops.ticket.TicketFlows.sha;
import static dev.patchops.ticket.TicketFlows.ticketWithRootCause;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.patchops.testing.PatchOpsTest;
import io.agroal.api.AgroalDataSource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.ValidatableResponse;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * The largest legal input of each kind named in the reliability issue is refused at the edge or
 * gives an event that Kafka takes (under 1 MiB). Text is U+0001, six bytes once JSON-escaped.
 */
@QuarkusTest
@PatchOpsTest
class EventSizeLimitsTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int KAFKA_RECORD_LIMIT = 1024 * 1024;
  private static final int HEADROOM = 16 * 1024;

  @Inject AgroalDataSource dataSource;

  private static String worst(int chars) {
    return "\u0001".repeat(chars);
  }

  private static ObjectNode revision(int suites, int args, int argChars) throws Exception {
    return revision(suites, args, worst(argChars));
  }

  private static ObjectNode revision(int suites, int args, String arg) throws Exception {
    ObjectNode body = (ObjectNode) JSON.readTree(revisionBody(sha(UUID.randomUUID().hashCode())));
    body.put("changeWhat", worst(10_000));
    body.put("changeWhy", worst(10_000));
    ArrayNode list = body.putArray("testSuites");
    for (int s = 0; s < suites; s++) {
      ObjectNode suite = list.addObject();
      suite.put("name", "suite-" + s);
      suite.put("image", "registry.example.com/shop/checkout-tests:1");
      ArrayNode command = suite.putArray("command");
      for (int a = 0; a < args; a++) {
        command.add(arg);
      }
    }
    return body;
  }

  private static ValidatableResponse propose(String ticketId, ObjectNode body) {
    return given()
        .header("Authorization", as("dev-dana", "engineer"))
        .contentType(ContentType.JSON)
        .body(body.toString())
        .post("/api/v1/tickets/" + ticketId + "/revisions")
        .then();
  }

  @Test
  void aRevisionWithTwentySuitesOfFiftyLongArgumentsIsRefusedNamingTheField() throws Exception {
    String ticketId = ticketWithRootCause("twenty long suites");
    // ASCII here: the body (4 MB) stays under the HTTP body limit, so the field is what is refused
    propose(ticketId, revision(20, 50, "a".repeat(4000)))
        .statusCode(400)
        .contentType("application/problem+json")
        .body("violations.field", hasItem("testSuites[0].command"));
    propose(ticketId, revision(1, 1, 257))
        .statusCode(400)
        .body("violations.field", hasItem(containsString("testSuites[0].command")));
  }

  @Test
  void theLargestLegalRevisionGivesEventsKafkaTakes() throws Exception {
    String ticketId = ticketWithRootCause("largest legal revision");
    propose(ticketId, revision(20, 20, 256)).statusCode(201);
    long bytes = largestOutboxPayload("dev.patchops.ticket.patch-proposed.v1", ticketId);
    // The 400 arguments alone are 614,400 bytes escaped: the event is really at its largest.
    assertThat(bytes).isGreaterThan(600_000).isLessThan(KAFKA_RECORD_LIMIT - HEADROOM);
  }

  @Test
  void anAlertWithHugeLabelsIsRefusedNamingTheField() {
    String fingerprint = UUID.randomUUID().toString();
    postAlertmanager(alert(fingerprint, "cart-huge", 64, 513, 0, 0))
        .statusCode(400)
        .contentType("application/problem+json")
        .body("violations[0].field", containsString("alerts[0].labels"))
        .body("detail", org.hamcrest.Matchers.notNullValue());
    postAlertmanager(alert(fingerprint, "cart-huge", 65, 10, 0, 0))
        .statusCode(400)
        .body("violations[0].field", equalTo("alerts[0].labels"));
    postAlertmanager(alert(fingerprint, "cart-huge", 3, 10, 1, 1025))
        .statusCode(400)
        .body("violations[0].field", containsString("alerts[0].annotations"));
    // The refusal is whole: nothing of the alert was recorded.
    assertThat(count("select count(*) from alert_occurrence where fingerprint = ?", fingerprint))
        .isZero();
  }

  @Test
  void theLargestLegalAlertGivesAnEventKafkaTakes() {
    String fingerprint = UUID.randomUUID().toString();
    postAlertmanager(alert(fingerprint, "cart-largest", 64, 512, 32, 1024)).statusCode(202);
    long bytes = largestOutboxPayloadOfSubject("alerts/" + fingerprint);
    assertThat(bytes).isGreaterThan(500_000).isLessThan(KAFKA_RECORD_LIMIT - HEADROOM);
  }

  @Test
  void aPagerDutyDetailOverTheLabelBoundIsRefusedNamingIt() {
    String body =
        """
        {"routing_key":"R0123","event_action":"trigger","dedup_key":"%s",
         "payload":{"summary":"queue depth","source":"billing-worker","severity":"error",
                    "custom_details":{"namespace":"shop","deployment":"%s"}}}
        """
            .formatted(UUID.randomUUID(), "d".repeat(513));
    given()
        .header("X-PagerDuty-Signature", "v1=" + AlertHookTest.hmac("test-pagerduty-secret", body))
        .contentType(ContentType.JSON)
        .body(body.getBytes(java.nio.charset.StandardCharsets.UTF_8))
        .post("/hooks/pagerduty")
        .then()
        .statusCode(400)
        .contentType("application/problem+json")
        .body("violations[0].field", equalTo("payload.custom_details.deployment"));
  }

  @Test
  void longEvidenceReferencesAreRefusedNamingTheField() {
    String ticketId = openSoftwareTicket("long evidence");
    String diagnostic = addDiagnostic(ticketId);
    ArrayNode refs = JSON.createArrayNode();
    refs.add(diagnostic);
    refs.add(worst(513));
    ObjectNode body = JSON.createObjectNode();
    body.put("method", "FIVE_WHYS");
    body.putArray("whys").add("one");
    body.put("rootCause", "cause");
    body.putArray("affectedComponents").add("checkout");
    body.set("evidenceRefs", refs);
    given()
        .header("Authorization", as("erin", "engineer"))
        .contentType(ContentType.JSON)
        .body(body.toString())
        .put("/api/v1/tickets/" + ticketId + "/root-cause")
        .then()
        .statusCode(400)
        .contentType("application/problem+json")
        .body("violations.field", hasItem("evidenceRefs[1]"));
  }

  /** An Alertmanager group of one alert with the given number and size of labels. */
  private static String alert(
      String fingerprint, String deployment, int labels, int labelChars, int notes, int noteChars) {
    ObjectNode body = JSON.createObjectNode();
    body.put("version", "4");
    body.put("status", "firing");
    body.put("receiver", "patchops");
    ObjectNode alert = body.putArray("alerts").addObject();
    alert.put("status", "firing");
    ObjectNode l = alert.putObject("labels");
    l.put("alertname", "Huge");
    l.put("namespace", "shop");
    l.put("deployment", deployment);
    for (int i = l.size(); i < labels; i++) {
      String key = String.format("%04d", i);
      l.put(key + worst(Math.min(labelChars, 512) - 4), worst(labelChars));
    }
    ObjectNode a = alert.putObject("annotations");
    for (int i = 0; i < notes; i++) {
      String key = String.format("%04d", i);
      a.put(key + worst(Math.min(noteChars, 1024) - 4), worst(noteChars));
    }
    alert.put("startsAt", "2026-12-05T07:00:00Z");
    alert.put("fingerprint", fingerprint);
    return body.toString();
  }

  private static ValidatableResponse postAlertmanager(String body) {
    return given()
        .header("Authorization", "Bearer test-alertmanager-token")
        .contentType(ContentType.JSON)
        .body(body)
        .post("/hooks/alertmanager")
        .then();
  }

  private long largestOutboxPayload(String type, String ticketId) {
    return count(
        "select coalesce(max(octet_length(payload)), 0) from outbox_event"
            + " where type = '"
            + type
            + "' and ticket_id = ?",
        ticketId);
  }

  private long largestOutboxPayloadOfSubject(String subject) {
    return count(
        "select coalesce(max(octet_length(payload)), 0) from outbox_event where subject = ?",
        subject);
  }

  private long count(String sql, String parameter) {
    try (Connection connection = dataSource.getConnection();
        PreparedStatement statement = connection.prepareStatement(sql)) {
      statement.setString(1, parameter);
      try (ResultSet rs = statement.executeQuery()) {
        rs.next();
        return rs.getLong(1);
      }
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
  }
}
