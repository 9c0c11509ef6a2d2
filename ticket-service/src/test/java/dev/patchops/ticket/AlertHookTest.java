package dev.patchops.ticket;

import static dev.patchops.ticket.TicketFlows.as;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.hasSize;

import dev.patchops.contract.CloudEventHeaders;
import dev.patchops.contract.ContractJson;
import dev.patchops.contract.EventType;
import dev.patchops.contract.Topics;
import dev.patchops.contract.events.AlertReceived;
import dev.patchops.contract.model.Severity;
import dev.patchops.testing.Delivered;
import dev.patchops.testing.KafkaProbe;
import dev.patchops.testing.PatchOpsTest;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.ValidatableResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.UUID;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

@QuarkusTest
@PatchOpsTest
class AlertHookTest {
  private static final String AM_TOKEN = "test-alertmanager-token";

  @Test
  void alertmanagerFiringDeliveredThreeTimesOpensOneTicketAndOneAlertEvent() throws Exception {
    String deployment = "cart-" + UUID.randomUUID().toString().substring(0, 8);
    String fingerprint = UUID.randomUUID().toString().substring(0, 16);
    String body = alertmanager("firing", fingerprint, deployment, "2026-11-26T09:12:00Z", null);
    try (KafkaProbe probe = KafkaProbe.fromNow(Topics.ALERTS, Topics.TICKETS)) {
      String ticketId =
          postAlertmanager(body)
              .statusCode(202)
              .body("received", equalTo(1))
              .body("duplicates", equalTo(0))
              .body("tickets", hasSize(1))
              .extract()
              .path("tickets[0]");
      postAlertmanager(body)
          .statusCode(202)
          .body("duplicates", equalTo(1))
          .body("tickets", contains(ticketId));
      postAlertmanager(body)
          .statusCode(202)
          .body("duplicates", equalTo(1))
          .body("tickets", contains(ticketId));

      given()
          .header("Authorization", as("ada", "auditor"))
          .get("/api/v1/tickets/" + ticketId)
          .then()
          .body("source", equalTo("ALERT"))
          .body("severity", equalTo("SEV1"))
          .body("workload.name", equalTo(deployment))
          .body("alertFingerprint", equalTo(fingerprint))
          .body("title", equalTo("CheckoutErrorRate: 5xx above 5% for 5 minutes"))
          .body("detectedAt", equalTo("2026-11-26T09:12:00Z"))
          .body("alerts", hasSize(1))
          .body("alerts[0].fingerprint", equalTo(fingerprint))
          .body("alerts[0].state", equalTo("FIRING"))
          .body("alerts[0].startsAt", equalTo("2026-11-26T09:12:00Z"))
          .body("alerts[0].endedAt", equalTo(null))
          .body("alerts[0].deliveries", equalTo(3));

      List<ConsumerRecord<String, byte[]>> records =
          probe.collect(
              r -> ticketId.equals(r.key()) || fingerprint.equals(r.key()),
              2,
              Duration.ofSeconds(30),
              // Every delivery's transaction has committed (202): once its events are sent, the
              // log holds any second copy.
              Delivered::outboxSent);
      assertThat(records)
          .extracting(r -> KafkaProbe.header(r, CloudEventHeaders.TYPE))
          .containsExactlyInAnyOrder(
              EventType.TICKET_OPENED.type(), EventType.ALERT_RECEIVED.type());
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
      assertThat(alert.severity()).isEqualTo(Severity.SEV1);
      assertThat(alert.workload().name()).isEqualTo(deployment);
      assertThat(alert.labels()).containsEntry("namespace", "shop");

      // Resolved: one event, and a repeated resolve changes nothing.
      String resolved =
          alertmanager(
              "resolved", fingerprint, deployment, "2026-11-26T09:12:00Z", "2026-11-26T09:40:00Z");
      postAlertmanager(resolved).statusCode(202).body("duplicates", equalTo(0));
      postAlertmanager(resolved).statusCode(202).body("duplicates", equalTo(1));
      List<ConsumerRecord<String, byte[]>> resolvedEvents =
          probe.collect(
              r ->
                  EventType.ALERT_RESOLVED
                          .type()
                          .equals(KafkaProbe.header(r, CloudEventHeaders.TYPE))
                      && ticketId.equals(r.key()),
              1,
              Duration.ofSeconds(30),
              // Every delivery's transaction has committed (202): once its events are sent, the
              // log holds any second copy.
              Delivered::outboxSent);
      assertThat(resolvedEvents).hasSize(1);
      // The ticket shows it too, not only the trail: on the ticket and in the list.
      given()
          .header("Authorization", as("rita", "reporter"))
          .get("/api/v1/tickets/" + ticketId)
          .then()
          .body("alerts", hasSize(1))
          .body("alerts[0].state", equalTo("RESOLVED"))
          .body("alerts[0].endedAt", equalTo("2026-11-26T09:40:00Z"));
      given()
          .header("Authorization", as("ada", "auditor"))
          .queryParam("workload", deployment)
          .get("/api/v1/tickets")
          .then()
          .body("items", hasSize(1))
          .body("items[0].alerts[0].state", equalTo("RESOLVED"));
    }
  }

  @Test
  void alertForAWorkloadWithAnOpenTicketJoinsThatTicket() {
    String deployment = "search-" + UUID.randomUUID().toString().substring(0, 8);
    String ticketId = TicketFlows.openSoftwareTicket("slow search", deployment);
    postAlertmanager(
            alertmanager(
                "firing", UUID.randomUUID().toString(), deployment, "2026-11-26T10:00:00Z", null))
        .statusCode(202)
        .body("tickets", contains(ticketId));
  }

  @Test
  void alertWithoutAKnownTargetIsRecordedButOpensNoTicket() {
    String body =
        """
        {"version":"4","groupKey":"{}:{}","status":"firing","receiver":"patchops",
         "alerts":[{"status":"firing","labels":{"alertname":"Watchdog"},"annotations":{},
                    "startsAt":"2026-11-26T10:00:00Z","endsAt":"0001-01-01T00:00:00Z",
                    "fingerprint":"%s"}]}
        """
            .formatted(UUID.randomUUID());
    postAlertmanager(body)
        .statusCode(202)
        .body("uncorrelated", equalTo(1))
        .body("tickets", hasSize(0));
  }

  @Test
  void alertNamingAWorkloadThatCannotExistIsRecordedAndRefused() throws Exception {
    List<String> names =
        List.of(
            "<script>alert(1)</script>",
            "' OR 1=1 --",
            "cart\u0007bell",
            "\uff43\uff41\uff52\uff54",
            "c".repeat(254),
            "Cart");
    List<String> fingerprints = new java.util.ArrayList<>();
    try (KafkaProbe probe = KafkaProbe.fromNow(Topics.ALERTS)) {
      for (String name : names) {
        String fingerprint = UUID.randomUUID().toString();
        fingerprints.add(fingerprint);
        String escaped = ContractJson.mapper().writeValueAsString(name);
        postAlertmanager(
                alertmanager(
                    "firing",
                    fingerprint,
                    escaped.substring(1, escaped.length() - 1),
                    "2026-11-26T10:00:00Z",
                    null))
            .statusCode(202)
            .body("received", equalTo(1))
            .body("refused", equalTo(1))
            .body("uncorrelated", equalTo(0))
            .body("tickets", hasSize(0));
      }
      List<ConsumerRecord<String, byte[]>> records =
          probe.collect(
              r -> fingerprints.contains(r.key()),
              names.size(),
              Duration.ofSeconds(30),
              Duration.ofSeconds(1));
      assertThat(records).hasSize(names.size());
      for (ConsumerRecord<String, byte[]> r : records) {
        AlertReceived alert = ContractJson.mapper().readValue(r.value(), AlertReceived.class);
        assertThat(alert.ticketId()).as("no ticket for %s", alert.labels()).isNull();
        assertThat(alert.workload()).isNull();
        assertThat(alert.refusal()).startsWith("label deployment is not a Kubernetes object name");
        assertThat(names).contains(alert.labels().get("deployment"));
      }
    }
    // The same alert for a real name opens its ticket: the refusal is the name's.
    postAlertmanager(
            alertmanager(
                "firing",
                UUID.randomUUID().toString(),
                "cart-" + UUID.randomUUID().toString().substring(0, 8),
                "2026-11-26T10:00:00Z",
                null))
        .statusCode(202)
        .body("refused", equalTo(0))
        .body("tickets", hasSize(1));
  }

  @Test
  void aNulCharacterOrAWrongTypeInAnAlertIs400NamingTheField() {
    String good =
        alertmanager(
            "firing", UUID.randomUUID().toString(), "cart-nul", "2026-11-26T10:00:00Z", null);
    postAlertmanager(
            good.replace("\"namespace\":\"shop\"", "\"namespace\":\"shop\",\"team\":\"a\\u0000b\""))
        .statusCode(400)
        .contentType("application/problem+json")
        .body("violations[0].field", equalTo("alerts[0].labels.team"))
        .body("violations[0].reason", equalTo("must not contain the NUL character (U+0000)"));
    postAlertmanager(good.replace("\"namespace\":\"shop\"", "\"namespace\":\"shop\",\"team\":5"))
        .statusCode(400)
        .body("violations[0].field", equalTo("alerts[0].labels.team"))
        .body("violations[0].reason", containsString("as a string"));
    postAlertmanager(good.replace("\"truncatedAlerts\":0", "\"truncatedAlerts\":\"0\""))
        .statusCode(400)
        .body("violations[0].field", equalTo("truncatedAlerts"));
  }

  /** Found by AlertHookFuzzTest: a number is read as epoch seconds, past PostgreSQL's range. */
  @Test
  void anAlertTimeOutsideTheYears1To9999Is400NamingTheField() {
    String good =
        alertmanager(
            "firing", UUID.randomUUID().toString(), "cart-time", "2026-11-26T10:00:00Z", null);
    postAlertmanager(
            good.replace("\"startsAt\":\"2026-11-26T10:00:00Z\"", "\"startsAt\":5336534271583103"))
        .statusCode(400)
        .contentType("application/problem+json")
        .body("violations[0].field", equalTo("alerts[0].startsAt"))
        .body("violations[0].reason", equalTo("must be a time between the years 1 and 9999"));
    postAlertmanager(
            good.replace(
                "\"endsAt\":\"0001-01-01T00:00:00Z\"", "\"endsAt\":\"+10000-01-01T00:00:00Z\""))
        .statusCode(400)
        .body("violations[0].field", equalTo("alerts[0].endsAt"));
    postAlertmanager(good).statusCode(202).body("received", equalTo(1));
  }

  /** Found by AlertHookFuzzTest: custom_details is free-form, and its NUL reached the database. */
  @Test
  void aPagerDutyCustomDetailThatBecomesALabelIsAStringWithoutNul() {
    String good = pagerDuty("trigger", UUID.randomUUID().toString(), "billing-nul");
    postPagerDuty(good.replace("\"namespace\":\"shop\"", "\"namespace\":\"sh\\u0000op\""))
        .statusCode(400)
        .contentType("application/problem+json")
        .body("violations[0].field", equalTo("payload.custom_details.namespace"))
        .body("violations[0].reason", equalTo("must not contain the NUL character (U+0000)"));
    postPagerDuty(good.replace("\"namespace\":\"shop\"", "\"namespace\":{\"a\\u0000\":1}"))
        .statusCode(400)
        .body("violations[0].field", equalTo("payload.custom_details.namespace"))
        .body("violations[0].reason", equalTo("must be a string"));
    postPagerDuty(good).statusCode(202).body("received", equalTo(1));
  }

  @Test
  void grafanaSignedWithHmacAndTimestampIsAcceptedAndForgeriesAreNot() {
    String deployment = "ledger-" + UUID.randomUUID().toString().substring(0, 8);
    String body = grafana(UUID.randomUUID().toString(), deployment);
    String now = Long.toString(Instant.now().getEpochSecond());
    grafanaPost(body, hmac("test-grafana-secret", now + ":" + body), now)
        .statusCode(202)
        .body("tickets", hasSize(1));
    grafanaPost(body, hmac("wrong-secret", now + ":" + body), now)
        .statusCode(401)
        .contentType("application/problem+json")
        .body("detail", equalTo("signature does not match the body"));
    String stale = Long.toString(Instant.now().minusSeconds(3600).getEpochSecond());
    grafanaPost(body, hmac("test-grafana-secret", stale + ":" + body), stale)
        .statusCode(401)
        .body("detail", containsString("outside the allowed window"));
    given()
        .header("Authorization", "Bearer test-grafana-token")
        .contentType(ContentType.JSON)
        .body(body)
        .post("/hooks/grafana")
        .then()
        .statusCode(202)
        .body("duplicates", equalTo(1));
  }

  @Test
  void pagerDutyTriggerAcknowledgeResolveAndRetriggerFollowItsDedupRules() {
    String deployment = "billing-" + UUID.randomUUID().toString().substring(0, 8);
    String dedupKey = "pd-" + UUID.randomUUID();
    String trigger = pagerDuty("trigger", dedupKey, deployment);
    String ticketId =
        postPagerDuty(trigger)
            .statusCode(202)
            .body("duplicates", equalTo(0))
            .extract()
            .path("tickets[0]");
    postPagerDuty(trigger).statusCode(202).body("duplicates", equalTo(1));
    postPagerDuty(pagerDuty("acknowledge", dedupKey, null))
        .statusCode(202)
        .body("duplicates", equalTo(0));
    postPagerDuty(pagerDuty("resolve", dedupKey, null))
        .statusCode(202)
        .body("duplicates", equalTo(0));
    postPagerDuty(pagerDuty("resolve", dedupKey, null))
        .statusCode(202)
        .body("duplicates", equalTo(1));
    // A captured trigger replayed after the resolve changes nothing: no new occurrence.
    postPagerDuty(trigger)
        .statusCode(202)
        .body("duplicates", equalTo(1))
        .body("tickets", hasSize(0));
    given()
        .header("Authorization", as("ada", "auditor"))
        .get("/api/v1/tickets/" + ticketId)
        .then()
        .body("alerts", hasSize(1))
        .body("alerts[0].state", equalTo("RESOLVED"));
    // A new trigger (PagerDuty's carries its own time) is a new occurrence, on the open ticket.
    postPagerDuty(pagerDuty("trigger", dedupKey, deployment, Instant.now()))
        .statusCode(202)
        .body("duplicates", equalTo(0))
        .body("tickets", contains(ticketId));
    given()
        .header("Authorization", as("ada", "auditor"))
        .get("/api/v1/tickets/" + ticketId)
        .then()
        .body("alerts", hasSize(2));
    // A trigger older than the replay window is refused as a replay.
    postPagerDuty(
            pagerDuty("trigger", dedupKey, deployment, Instant.now().minus(Duration.ofDays(31))))
        .statusCode(400)
        .contentType("application/problem+json")
        .body("violations[0].field", equalTo("payload.timestamp"));

    given()
        .header("X-PagerDuty-Signature", "v1=" + hmac("nope", trigger))
        .contentType(ContentType.JSON)
        .body(trigger)
        .post("/hooks/pagerduty")
        .then()
        .statusCode(401);
  }

  @Test
  void badTokenMissingAuthMalformedBodyAndWrongSchemaGetTheRight4xx() {
    String body = alertmanager("firing", "fp-x", "x", "2026-11-26T10:00:00Z", null);
    given()
        .header("Authorization", "Bearer wrong")
        .contentType(ContentType.JSON)
        .body(body)
        .post("/hooks/alertmanager")
        .then()
        .statusCode(401)
        .contentType("application/problem+json");
    given()
        .contentType(ContentType.JSON)
        .body(body)
        .post("/hooks/alertmanager")
        .then()
        .statusCode(401);
    postAlertmanager("{\"version\":\"4\",\"alerts\":[")
        .statusCode(400)
        .contentType("application/problem+json")
        .body("violations[0].field", equalTo("body"));
    postAlertmanager(body.replace(",\"fingerprint\":\"fp-x\"", ""))
        .statusCode(400)
        .body("violations.field", hasItem("alerts[0].fingerprint"));
    postAlertmanager(
            body.replace("\"startsAt\":\"2026-11-26T10:00:00Z\"", "\"startsAt\":\"yesterday\""))
        .statusCode(400)
        .body("violations[0].field", equalTo("alerts[0].startsAt"));
    StringBuilder many = new StringBuilder("{\"version\":\"4\",\"status\":\"firing\",\"alerts\":[");
    for (int i = 0; i < 1001; i++) {
      many.append(i == 0 ? "" : ",")
          .append(
              "{\"status\":\"firing\",\"labels\":{},\"startsAt\":\"2026-11-26T10:00:00Z\",\"fingerprint\":\"f")
          .append(i)
          .append("\"}");
    }
    postAlertmanager(many.append("]}").toString())
        .statusCode(400)
        .body("violations.field", hasItem("alerts"));
    // Pagerduty without its signature header cannot fall back to a token: none is configured.
    given()
        .contentType(ContentType.JSON)
        .body(pagerDuty("trigger", "k", "x"))
        .post("/hooks/pagerduty")
        .then()
        .statusCode(401);
  }

  @Test
  void aThousandAlertsInOnePayloadAreAccepted() {
    StringBuilder body = new StringBuilder("{\"version\":\"4\",\"status\":\"firing\",\"alerts\":[");
    String run = UUID.randomUUID().toString().substring(0, 8);
    for (int i = 0; i < 1000; i++) {
      body.append(i == 0 ? "" : ",")
          .append(
              "{\"status\":\"firing\",\"labels\":{\"alertname\":\"Bulk\",\"namespace\":\"bulk\",\"deployment\":\"svc-")
          .append(run)
          .append("-")
          .append(i % 20)
          .append("\"},\"startsAt\":\"2026-11-26T10:00:00Z\",\"fingerprint\":\"")
          .append(run)
          .append("-")
          .append(i)
          .append("\"}");
    }
    postAlertmanager(body.append("]}").toString())
        .statusCode(202)
        .body("received", equalTo(1000))
        .body("tickets", hasSize(20));
  }

  @Test
  void theSameAlertTwiceInOnePayloadAndAStartFinerThanMicrosecondsAreDuplicates() {
    // The hook reads a batch's occurrences in one query up front: an alert repeated within its
    // payload, or redelivered with a start time finer than PostgreSQL keeps, is still found.
    String deployment = "twice-" + UUID.randomUUID().toString().substring(0, 8);
    String fingerprint = UUID.randomUUID().toString().substring(0, 16);
    String alert =
        "{\"status\":\"firing\",\"labels\":{\"alertname\":\"Twice\",\"namespace\":\"shop\","
            + "\"deployment\":\""
            + deployment
            + "\"},\"startsAt\":\"2026-11-26T09:12:00.123456789Z\",\"fingerprint\":\""
            + fingerprint
            + "\"}";
    String body =
        "{\"version\":\"4\",\"status\":\"firing\",\"alerts\":[" + alert + "," + alert + "]}";
    String ticketId =
        postAlertmanager(body)
            .statusCode(202)
            .body("received", equalTo(2))
            .body("duplicates", equalTo(1))
            .body("tickets", hasSize(1))
            .extract()
            .path("tickets[0]");
    postAlertmanager(body)
        .statusCode(202)
        .body("duplicates", equalTo(2))
        .body("tickets", contains(ticketId));
    given()
        .header("Authorization", as("ada", "auditor"))
        .get("/api/v1/tickets/" + ticketId)
        .then()
        .body("alerts", hasSize(1))
        .body("alerts[0].deliveries", equalTo(4));
  }

  @Test
  void aPayloadNamingNewWorkloadsAndOneWithATicketGivesEachAlertItsWorkloadsTicket() {
    // The hook opens a payload's new tickets together before it records the alerts: each new
    // workload gets one ticket, titled from its first alert, and a workload with an open ticket
    // keeps it.
    String run = UUID.randomUUID().toString().substring(0, 8);
    String existing = TicketFlows.openSoftwareTicket("slow search", "kept-" + run);
    String body =
        "{\"version\":\"4\",\"status\":\"firing\",\"alerts\":["
            + alert("First", "new-a-" + run, run + "-1")
            + ","
            + alert("Kept", "kept-" + run, run + "-2")
            + ","
            + alert("Second", "new-a-" + run, run + "-3")
            + ","
            + alert("Other", "new-b-" + run, run + "-4")
            + "]}";
    List<String> ids =
        postAlertmanager(body)
            .statusCode(202)
            .body("received", equalTo(4))
            .body("duplicates", equalTo(0))
            .body("uncorrelated", equalTo(0))
            .body("tickets", hasSize(3))
            .body("tickets", hasItem(existing))
            .extract()
            .path("tickets");
    String a = ticketOf("new-a-" + run);
    String b = ticketOf("new-b-" + run);
    assertThat(ids).containsExactlyInAnyOrder(existing, a, b);
    given()
        .header("Authorization", as("ada", "auditor"))
        .get("/api/v1/tickets/" + a)
        .then()
        .body("title", equalTo("First"))
        .body(
            "alerts.fingerprint", org.hamcrest.Matchers.containsInAnyOrder(run + "-1", run + "-3"));
    given()
        .header("Authorization", as("ada", "auditor"))
        .get("/api/v1/tickets/" + b)
        .then()
        .body("title", equalTo("Other"))
        .body("alerts.fingerprint", contains(run + "-4"));
    given()
        .header("Authorization", as("ada", "auditor"))
        .get("/api/v1/tickets/" + existing)
        .then()
        .body("alerts.fingerprint", contains(run + "-2"));
  }

  @Test
  void anAlertRepeatedInOnePayloadWithOtherLabelsIsADuplicateAndOpensNothingForThem() {
    // Alertmanager derives the fingerprint from the labels; a sender that does not is held to the
    // first copy: the second is a duplicate, and its workload gets no ticket without an alert.
    String run = UUID.randomUUID().toString().substring(0, 8);
    String fingerprint = run + "-same";
    String body =
        "{\"version\":\"4\",\"status\":\"firing\",\"alerts\":["
            + alert("Repeated", "first-" + run, fingerprint)
            + ","
            + alert("Repeated", "second-" + run, fingerprint)
            + "]}";
    String ticket =
        postAlertmanager(body)
            .statusCode(202)
            .body("received", equalTo(2))
            .body("duplicates", equalTo(1))
            .body("tickets", hasSize(1))
            .extract()
            .path("tickets[0]");
    assertThat(ticketOf("first-" + run)).isEqualTo(ticket);
    given()
        .header("Authorization", as("ada", "auditor"))
        .queryParam("workload", "second-" + run)
        .get("/api/v1/tickets")
        .then()
        .body("items", hasSize(0));
  }

  static String alert(String name, String deployment, String fingerprint) {
    return "{\"status\":\"firing\",\"labels\":{\"alertname\":\""
        + name
        + "\",\"namespace\":\"shop\",\"deployment\":\""
        + deployment
        + "\"},\"startsAt\":\"2026-11-26T09:12:00Z\",\"fingerprint\":\""
        + fingerprint
        + "\"}";
  }

  /** The one ticket of a workload. */
  static String ticketOf(String deployment) {
    return given()
        .header("Authorization", as("ada", "auditor"))
        .queryParam("workload", deployment)
        .get("/api/v1/tickets")
        .then()
        .body("items", hasSize(1))
        .extract()
        .path("items[0].id");
  }

  static String alertmanager(
      String status, String fingerprint, String deployment, String startsAt, String endsAt) {
    return """
        {"version":"4","groupKey":"{}/{severity=\\"critical\\"}:{alertname=\\"CheckoutErrorRate\\"}",
         "truncatedAlerts":0,"status":"%s","receiver":"patchops",
         "groupLabels":{"alertname":"CheckoutErrorRate"},
         "commonLabels":{"alertname":"CheckoutErrorRate","severity":"critical"},
         "commonAnnotations":{},"externalURL":"http://alertmanager:9093",
         "alerts":[{"status":"%s",
           "labels":{"alertname":"CheckoutErrorRate","severity":"critical","namespace":"shop",
                     "deployment":"%s","pod":"%s-7d9f8c6b5-x2x4q"},
           "annotations":{"summary":"5xx above 5%% for 5 minutes","description":"error ratio 0.071"},
           "startsAt":"%s","endsAt":"%s",
           "generatorURL":"http://prometheus:9090/graph?g0.expr=...","fingerprint":"%s"}]}
        """
        .formatted(
            status,
            status,
            deployment,
            deployment,
            startsAt,
            endsAt == null ? "0001-01-01T00:00:00Z" : endsAt,
            fingerprint);
  }

  static String grafana(String fingerprint, String deployment) {
    return """
        {"receiver":"patchops","status":"firing","orgId":1,"groupKey":"{}:{}","truncatedAlerts":0,
         "title":"[FIRING:1] LedgerLatency","state":"alerting","message":"p99 above 2s","version":"1",
         "externalURL":"http://grafana:3000/",
         "alerts":[{"status":"firing",
           "labels":{"alertname":"LedgerLatency","severity":"warning","namespace":"shop","deployment":"%s"},
           "annotations":{"summary":"p99 latency above 2s"},
           "startsAt":"2026-11-26T11:00:00Z","endsAt":"0001-01-01T00:00:00Z",
           "generatorURL":"http://grafana:3000/alerting/grafana/abc/view","fingerprint":"%s",
           "silenceURL":"http://grafana:3000/alerting/silence/new","dashboardURL":"","panelURL":"",
           "values":{"B":2.4}}]}
        """
        .formatted(deployment, fingerprint);
  }

  static String pagerDuty(String action, String dedupKey, String deployment) {
    return pagerDuty(action, dedupKey, deployment, Instant.now().minus(Duration.ofMinutes(5)));
  }

  static String pagerDuty(String action, String dedupKey, String deployment, Instant timestamp) {
    if (deployment == null) {
      return "{\"routing_key\":\"R0123\",\"event_action\":\"%s\",\"dedup_key\":\"%s\"}"
          .formatted(action, dedupKey);
    }
    return """
        {"routing_key":"R0123","event_action":"%s","dedup_key":"%s",
         "payload":{"summary":"billing queue depth above 10k","source":"billing-worker",
                    "severity":"error","timestamp":"%s","component":"billing",
                    "class":"QueueDepth",
                    "custom_details":{"namespace":"shop","deployment":"%s","depth":12345}},
         "client":"Prometheus","client_url":"http://prometheus:9090"}
        """
        .formatted(action, dedupKey, timestamp, deployment);
  }

  private static ValidatableResponse postAlertmanager(String body) {
    return given()
        .header("Authorization", "Bearer " + AM_TOKEN)
        .contentType(ContentType.JSON)
        .body(body)
        .post("/hooks/alertmanager")
        .then();
  }

  private static ValidatableResponse grafanaPost(String body, String signature, String timestamp) {
    return given()
        .header("X-Grafana-Alerting-Signature", signature)
        .header("X-Grafana-Alerting-Signature-Timestamp", timestamp)
        .contentType(ContentType.JSON)
        .body(body.getBytes(StandardCharsets.UTF_8))
        .post("/hooks/grafana")
        .then();
  }

  private static ValidatableResponse postPagerDuty(String body) {
    return given()
        .header(
            "X-PagerDuty-Signature",
            "v1=" + hmac("old-rotated-secret", body) + ",v1=" + hmac("test-pagerduty-secret", body))
        .contentType(ContentType.JSON)
        .body(body.getBytes(StandardCharsets.UTF_8))
        .post("/hooks/pagerduty")
        .then();
  }

  static String hmac(String secret, String data) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
      return HexFormat.of().formatHex(mac.doFinal(data.getBytes(StandardCharsets.UTF_8)));
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }
}
