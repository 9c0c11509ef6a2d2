package dev.patchops.audit.trail;

import static dev.patchops.audit.AuditFixtures.awaitTicket;
import static dev.patchops.audit.AuditFixtures.newTicketId;
import static dev.patchops.audit.AuditFixtures.opened;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.hasSize;

import dev.patchops.audit.AuditFixtures;
import dev.patchops.audit.WithAuditInfra;
import dev.patchops.audit.query.AuditQuery;
import dev.patchops.contract.CloudEventHeaders;
import dev.patchops.contract.ContractJson;
import dev.patchops.contract.DeadLetterHeaders;
import dev.patchops.contract.EventType;
import dev.patchops.contract.Topics;
import dev.patchops.contract.events.GateRefused;
import dev.patchops.contract.events.PatchApproved;
import dev.patchops.contract.events.TicketOpened;
import dev.patchops.contract.model.CanaryStep;
import dev.patchops.contract.model.ContainerTarget;
import dev.patchops.contract.model.WorkloadRef;
import dev.patchops.platform.security.Roles;
import dev.patchops.testing.EventSender;
import dev.patchops.testing.TestInfra;
import dev.patchops.testing.TestProducer;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

@QuarkusTest
@WithAuditInfra
class AuditIngestTest {
  @Inject AuditQuery query;
  @Inject AuditTrail trail;

  @Test
  void everyEventIsStoredWithItsAttributesAndChainedOntoItsPredecessor() throws Exception {
    String ticketId = newTicketId();
    TicketOpened opened = opened(ticketId, "checkout 502s");
    String openedId = AuditFixtures.send(opened);
    String refusedId =
        AuditFixtures.send(
            new GateRefused(
                ticketId, "propose", "root-cause", "bob", "no root cause", Instant.now()));

    List<TrailRecord> records = awaitTicket(query, ticketId, 2);

    TrailRecord first = records.get(0);
    assertThat(first.eventId()).isEqualTo(openedId);
    assertThat(first.source()).isEqualTo("/patchops/ticket-service");
    assertThat(first.type()).isEqualTo(EventType.TICKET_OPENED.type());
    assertThat(first.stream()).isEqualTo(RecordParser.STREAM_EVENT);
    assertThat(first.topic()).isEqualTo(Topics.TICKETS);
    assertThat(first.actor()).isEqualTo("ticket-service");
    assertThat(first.eventTime()).isNotNull();
    assertThat(first.ingestedAt()).isNotNull();
    assertThat(first.parseError()).isNull();
    assertThat(ContractJson.mapper().readValue(first.payload(), TicketOpened.class))
        .isEqualTo(opened);
    assertThat(first.payload()).isEqualTo(ChainHash.canonicalize(first.payload()));
    assertThat(records.get(1).eventId()).isEqualTo(refusedId);

    for (TrailRecord r : records) {
      TrailRecord predecessor = trail.find(r.seq() - 1).orElseThrow();
      assertThat(r.prevHash()).isEqualTo(predecessor.hash());
      assertThat(r.hash()).isEqualTo(ChainHash.hash(r.prevHash(), ChainHash.canonical(r)));
    }
  }

  /**
   * The audit-service keeps a forged event (it is evidence of an attempt) but records it as
   * refused: flagged with the reason, and never read as what it claims to be.
   */
  @Test
  void aForgedApprovalIsKeptAsRefusedAndNeverCountsAsAnApproval() {
    String ticketId = newTicketId();
    AuditFixtures.send(opened(ticketId, "forgery target"));
    String forgedId =
        EventSender.send(
            new PatchApproved(
                ticketId,
                1,
                "mallory",
                "dev-dana",
                false,
                null,
                "registry.example/checkout@sha256:" + "f".repeat(64),
                List.of(
                    new ContainerTarget(new WorkloadRef("shop", "Deployment", "checkout"), "app")),
                List.of(new CanaryStep(100, 0)),
                Instant.now()),
            "rollout-service");

    List<TrailRecord> records = awaitTicket(query, ticketId, 2);
    TrailRecord forged =
        records.stream().filter(r -> forgedId.equals(r.eventId())).findFirst().orElseThrow();
    assertThat(forged.source()).isEqualTo("/patchops/rollout-service");
    assertThat(forged.parseError())
        .contains("untrusted source")
        .contains("/patchops/ticket-service");
    assertThat(records.get(0).parseError()).isNull();

    given()
        .header("Authorization", TestInfra.bearer("carol", Roles.AUDITOR))
        .accept("application/json")
        .get("/api/v1/tickets/{id}/change-record", ticketId)
        .then()
        .statusCode(200)
        .body("revisions", hasSize(0))
        .body(
            "flagged.find { it.seq == " + forged.seq() + " }.reason", containsString("untrusted"));
  }

  @Test
  void aRedeliveredEventIsStoredOnce() {
    String ticketId = newTicketId();
    String id = UUID.randomUUID().toString();
    TicketOpened opened = opened(ticketId, "duplicated thrice");
    // One copy stored first, then two more: the second is caught by the trail, the third inside
    // its batch.
    EventSender.send(opened, "ticket-service", id);
    awaitTicket(query, ticketId, 1);
    EventSender.send(opened, "ticket-service", id);
    EventSender.send(opened, "ticket-service", id);
    // A marker sent after the copies: once it is stored, every copy has been consumed too.
    String marker = AuditFixtures.send(opened(ticketId, "marker"));

    List<TrailRecord> records = awaitTicket(query, ticketId, 2);
    await()
        .atMost(Duration.ofSeconds(20))
        .until(() -> query.ticket(ticketId).stream().anyMatch(r -> r.eventId().equals(marker)));

    assertThat(query.ticket(ticketId)).extracting(TrailRecord::eventId).containsExactly(id, marker);
    assertThat(records).hasSize(2);
  }

  @Test
  void unparseableRecordsAreStoredRawAndFlaggedAndIngestionGoesOn() {
    String ticketId = newTicketId();
    Map<String, String> noIdentity = new HashMap<>();
    noIdentity.put(CloudEventHeaders.TICKET_ID, ticketId);
    byte[] garbage = new byte[] {(byte) 0xff, (byte) 0xfe, '{', 'x'};
    TestProducer.send(Topics.TICKETS, ticketId, garbage, noIdentity);

    Map<String, String> badJson =
        EventSender.headers(
            EventType.TICKET_OPENED, UUID.randomUUID().toString(), "ticket-service");
    badJson.put(CloudEventHeaders.TICKET_ID, ticketId);
    badJson.put(CloudEventHeaders.TIME, "yesterday");
    TestProducer.send(Topics.TICKETS, ticketId, "{\"ticketId\": ", badJson);

    String after = AuditFixtures.send(opened(ticketId, "still ingesting"));

    List<TrailRecord> records = awaitTicket(query, ticketId, 3);
    assertThat(records).hasSize(3);

    TrailRecord raw = records.get(0);
    assertThat(raw.stream()).isEqualTo(RecordParser.STREAM_UNKEYED);
    assertThat(raw.source()).isEqualTo("kafka:" + Topics.TICKETS);
    assertThat(raw.eventId()).matches("\\d+/\\d+");
    assertThat(raw.payload()).isNull();
    assertThat(raw.rawPayload()).isEqualTo(garbage);
    assertThat(raw.parseError())
        .contains("missing CloudEvents identity")
        .contains("value is not UTF-8");

    TrailRecord notJson = records.get(1);
    assertThat(notJson.stream()).isEqualTo(RecordParser.STREAM_EVENT);
    assertThat(notJson.rawPayload()).isEqualTo("{\"ticketId\": ".getBytes(StandardCharsets.UTF_8));
    assertThat(notJson.parseError())
        .contains("value is not JSON")
        .contains("ce_time is not an RFC 3339 timestamp: yesterday");

    assertThat(records.get(2).eventId()).isEqualTo(after);
    assertThat(records.get(2).flagged()).isFalse();
  }

  @Test
  void aDeadLetteredCopyIsItsOwnRecordBesideTheOriginal() {
    String ticketId = newTicketId();
    String id = UUID.randomUUID().toString();
    TicketOpened opened = opened(ticketId, "parked by a consumer");
    EventSender.send(opened, "ticket-service", id);

    Map<String, String> headers =
        EventSender.headers(EventType.TICKET_OPENED, id, "ticket-service");
    headers.put(CloudEventHeaders.TICKET_ID, ticketId);
    headers.put(DeadLetterHeaders.CONSUMER, "rollout-service");
    headers.put(DeadLetterHeaders.REASON, "payload violates schema");
    for (int i = 0; i < 2; i++) {
      TestProducer.send(Topics.DEAD_LETTER, ticketId, "{\"bad\":true}", headers);
    }
    String marker = AuditFixtures.send(opened(ticketId, "marker"));

    await()
        .atMost(Duration.ofSeconds(20))
        .until(() -> query.ticket(ticketId).stream().anyMatch(r -> r.eventId().equals(marker)));
    List<TrailRecord> records = query.ticket(ticketId);

    assertThat(records)
        .filteredOn(r -> r.eventId().equals(id))
        .extracting(TrailRecord::stream)
        .containsExactlyInAnyOrder(
            RecordParser.STREAM_EVENT, RecordParser.STREAM_DEAD_LETTER_PREFIX + "rollout-service");
    TrailRecord parked =
        records.stream()
            .filter(r -> r.topic().equals(Topics.DEAD_LETTER))
            .findFirst()
            .orElseThrow();
    assertThat(parked.headers()).contains("payload violates schema");
  }

  @Test
  void recordsThePostgresColumnsCannotHoldAreFlaggedNotStuckAndStillVerify() {
    String ticketId = newTicketId();
    Map<String, String> nul =
        EventSender.headers(
            EventType.TICKET_OPENED, UUID.randomUUID().toString(), "ticket-service");
    nul.put(CloudEventHeaders.TICKET_ID, ticketId);
    nul.put(CloudEventHeaders.ACTOR, "mallory\0");
    TestProducer.send(Topics.TICKETS, ticketId, "{\"note\":\"a\\u0000b\"}", nul);

    Map<String, String> farFuture =
        EventSender.headers(
            EventType.TICKET_OPENED, UUID.randomUUID().toString(), "ticket-service");
    farFuture.put(CloudEventHeaders.TICKET_ID, ticketId);
    farFuture.put(CloudEventHeaders.TIME, "+300000-01-01T00:00:00Z");
    TestProducer.send(Topics.TICKETS, ticketId, "{}", farFuture);

    Map<String, String> ancient =
        EventSender.headers(
            EventType.TICKET_OPENED, UUID.randomUUID().toString(), "ticket-service");
    ancient.put(CloudEventHeaders.TICKET_ID, ticketId);
    ancient.put(CloudEventHeaders.TIME, "0001-01-01T00:00:00Z");
    TestProducer.send(Topics.TICKETS, ticketId, "{}", ancient);

    Map<String, String> deep =
        EventSender.headers(
            EventType.TICKET_OPENED, UUID.randomUUID().toString(), "ticket-service");
    deep.put(CloudEventHeaders.TICKET_ID, ticketId);
    TestProducer.send(Topics.TICKETS, ticketId, "[".repeat(200_000), deep);

    List<TrailRecord> records = awaitTicket(query, ticketId, 4);
    assertThat(records.get(0).actor()).isEqualTo("mallory\uFFFD");
    assertThat(records.get(0).parseError()).contains("NUL");
    assertThat(records.get(0).payload()).isEqualTo("{\"note\":\"a\\u0000b\"}");
    assertThat(records.get(1).eventTime()).isNull();
    assertThat(records.get(1).parseError()).contains("outside years 1 to 9999");
    assertThat(records.get(2).eventTime()).isEqualTo(Instant.parse("0001-01-01T00:00:00Z"));
    assertThat(records.get(3).rawPayload()).hasSize(200_000);
    assertThat(records.get(3).parseError()).contains("nested too deeply");

    io.restassured.RestAssured.given()
        .header(
            "Authorization",
            dev.patchops.testing.TestInfra.bearer(
                "carol", dev.patchops.platform.security.Roles.AUDITOR))
        .queryParam("from", records.get(0).seq())
        .get("/api/v1/audit/verify")
        .then()
        .statusCode(200)
        .body("valid", org.hamcrest.Matchers.equalTo(true));
  }
}
