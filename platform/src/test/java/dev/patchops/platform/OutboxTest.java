package dev.patchops.platform;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.patchops.contract.CloudEventHeaders;
import dev.patchops.contract.ContractJson;
import dev.patchops.contract.EventType;
import dev.patchops.contract.Topics;
import dev.patchops.contract.events.TicketOpened;
import dev.patchops.contract.model.Severity;
import dev.patchops.contract.schema.SamplePayloads;
import dev.patchops.platform.messaging.Outbox;
import dev.patchops.platform.testapp.Widget;
import dev.patchops.platform.testapp.WidgetService;
import dev.patchops.testing.Delivered;
import dev.patchops.testing.KafkaProbe;
import dev.patchops.testing.PatchOpsTest;
import io.agroal.api.AgroalDataSource;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import jakarta.transaction.TransactionalException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

@QuarkusTest
@PatchOpsTest
class OutboxTest {
  @Inject WidgetService widgets;
  @Inject Outbox outbox;
  @Inject jakarta.transaction.TransactionManager transactions;
  @Inject AgroalDataSource dataSource;

  @Test
  void committedStateChangeAndItsEventArriveTogetherWithCompleteCloudEventsHeaders()
      throws Exception {
    String ticket = "TCK-" + (100_000 + (int) (Math.random() * 800_000));
    try (KafkaProbe probe = KafkaProbe.fromNow(Topics.TICKETS)) {
      Instant before = Instant.now();
      Widget widget = widgets.create("checkout returns 502", ticket, Severity.SEV1, "alice");

      List<ConsumerRecord<String, byte[]>> records =
          probe.collect(
              r -> ticket.equals(r.key()), 1, Duration.ofSeconds(30), Delivered::outboxSent);
      assertThat(records).hasSize(1);
      ConsumerRecord<String, byte[]> record = records.get(0);

      String eventId = KafkaProbe.header(record, CloudEventHeaders.ID);
      assertThat(eventIdsInOutbox(ticket)).containsExactly(eventId);
      assertThat(QuarkusTransaction.requiringNew().call(() -> Widget.<Widget>findById(widget.id)))
          .isNotNull();

      assertThat(KafkaProbe.header(record, CloudEventHeaders.SPEC_VERSION)).isEqualTo("1.0");
      assertThat(KafkaProbe.header(record, CloudEventHeaders.SOURCE))
          .isEqualTo("/patchops/platform-test");
      assertThat(KafkaProbe.header(record, CloudEventHeaders.TYPE))
          .isEqualTo("dev.patchops.ticket.opened.v1");
      assertThat(KafkaProbe.header(record, CloudEventHeaders.SUBJECT))
          .isEqualTo("widgets/" + widget.id);
      assertThat(KafkaProbe.header(record, CloudEventHeaders.DATA_SCHEMA))
          .isEqualTo(EventType.TICKET_OPENED.dataSchema());
      assertThat(KafkaProbe.header(record, CloudEventHeaders.CONTENT_TYPE))
          .isEqualTo("application/json");
      assertThat(KafkaProbe.header(record, CloudEventHeaders.TICKET_ID)).isEqualTo(ticket);
      assertThat(KafkaProbe.header(record, CloudEventHeaders.ACTOR)).isEqualTo("alice");
      assertThat(UUID.fromString(eventId).toString()).as("a canonical UUID").isEqualTo(eventId);
      Instant time = Instant.parse(KafkaProbe.header(record, CloudEventHeaders.TIME));
      assertThat(time).isBetween(before.minusSeconds(1), Instant.now());

      TicketOpened payload = ContractJson.mapper().readValue(record.value(), TicketOpened.class);
      assertThat(payload.ticketId()).isEqualTo(ticket);
      assertThat(payload.title()).isEqualTo("checkout returns 502");
      assertThat(payload.severity()).isEqualTo(Severity.SEV1);
    }
  }

  @Test
  void rolledBackTransactionPublishesNothingAndLeavesNoRow() throws Exception {
    String ticket = "TCK-" + (900_000 + (int) (Math.random() * 99_999));
    try (KafkaProbe probe = KafkaProbe.fromNow(Topics.TICKETS)) {
      assertThatThrownBy(() -> widgets.createThenFail("doomed", ticket, "bob"))
          .hasMessageContaining("simulated failure");
      // A marker committed after the failed one proves the relay ran past the point in time.
      String marker = ticket + "-after";
      widgets.create("marker", marker, Severity.SEV4, "bob");
      List<ConsumerRecord<String, byte[]>> records =
          probe.collect(
              r -> ticket.equals(r.key()) || marker.equals(r.key()),
              1,
              Duration.ofSeconds(30),
              // Every row written so far is sent: the doomed one, had it been kept, too.
              Delivered::outboxSent);
      assertThat(records).extracting(ConsumerRecord::key).containsExactly(marker);
    }
    assertThat(eventIdsInOutbox(ticket)).isEmpty();
    assertThat(QuarkusTransaction.requiringNew().call(() -> Widget.count("ticketId", ticket)))
        .isZero();
  }

  @Test
  void publishingOutsideATransactionIsRefused() {
    assertThatThrownBy(
            () -> outbox.publish(SamplePayloads.full(EventType.TICKET_OPENED), null, "x"))
        .isInstanceOf(TransactionalException.class);
  }

  private int transactionStatus() {
    try {
      return transactions.getStatus();
    } catch (jakarta.transaction.SystemException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The widget and its event are written first, so a refusal that only skipped the row fails. */
  @Test
  void payloadThatViolatesItsSchemaIsRefusedAndRollsBack() throws Exception {
    String ticket = "TCK-" + (100_000 + (int) (Math.random() * 800_000)) + "-r";
    TicketOpened invalid =
        new TicketOpened(
            ticket,
            null,
            "no kind",
            null,
            Severity.SEV3,
            "eve",
            null,
            null,
            null,
            null,
            Instant.now(),
            null);
    assertThatThrownBy(
            () ->
                QuarkusTransaction.requiringNew()
                    .run(
                        () -> {
                          widgets.create(
                              "written before the bad event", ticket, Severity.SEV3, "eve");
                          try {
                            outbox.publish(invalid, null, "eve");
                          } catch (IllegalArgumentException refused) {
                            // The refusal alone must doom the transaction: a caller that catches it
                            // cannot commit the state change without its event.
                            assertThat(transactionStatus())
                                .as("transaction status after the refusal")
                                .isEqualTo(jakarta.transaction.Status.STATUS_MARKED_ROLLBACK);
                            throw refused;
                          }
                        }))
        .hasMessageContaining("violates its schema")
        .hasMessageContaining("kind");
    assertThat(QuarkusTransaction.requiringNew().call(() -> Widget.count("ticketId", ticket)))
        .as("the widget written in the same transaction")
        .isZero();
    assertThat(eventIdsInOutbox(ticket)).as("the widget's own event").isEmpty();
    assertThat(keySeqs(ticket)).isEmpty();
  }

  @Test
  void eventsWrittenAsOneBatchAreNumberedPerKeyInListOrderAndPublishedInThatOrder()
      throws Exception {
    int n = 100_000 + (int) (Math.random() * 800_000);
    String a = "TCK-" + n + "-a";
    String b = "TCK-" + n + "-b";
    try (KafkaProbe probe = KafkaProbe.fromNow(Topics.TICKETS)) {
      List<UUID> ids =
          QuarkusTransaction.requiringNew()
              .call(
                  () -> {
                    List<Outbox.Event> events =
                        List.of(
                            outbox.event(opened(a, "a1"), "x/a1", "alice"),
                            outbox.event(opened(b, "b1"), "x/b1", "alice"),
                            outbox.event(opened(a, "a2"), "x/a2", "alice"));
                    outbox.write(events);
                    return events.stream().map(Outbox.Event::eventId).toList();
                  });
      UUID third =
          QuarkusTransaction.requiringNew()
              .call(() -> outbox.publish(opened(a, "a3"), "x/a3", "bob"));

      assertThat(keySeqs(a)).containsExactly(1L, 2L, 3L);
      assertThat(keySeqs(b)).containsExactly(1L);
      assertThat(eventIdsInOutbox(a))
          .containsExactly(ids.get(0).toString(), ids.get(2).toString(), third.toString());
      List<ConsumerRecord<String, byte[]>> records =
          probe.collect(r -> a.equals(r.key()), 3, Duration.ofSeconds(30), Delivered::outboxSent);
      assertThat(records)
          .extracting(r -> KafkaProbe.header(r, CloudEventHeaders.SUBJECT))
          .containsExactly("x/a1", "x/a2", "x/a3");
    }
  }

  @Test
  void aBatchWithAnEventThatViolatesItsSchemaIsRefusedBeforeAnythingIsWritten() throws Exception {
    String key = "TCK-" + (100_000 + (int) (Math.random() * 800_000)) + "-v";
    assertThatThrownBy(
            () ->
                QuarkusTransaction.requiringNew()
                    .run(
                        () ->
                            outbox.write(
                                List.of(
                                    outbox.event(opened(key, "fine"), null, "eve"),
                                    outbox.event(opened(key, null), null, "eve")))))
        .hasMessageContaining("violates its schema");
    assertThat(keySeqs(key)).isEmpty();
  }

  private static TicketOpened opened(String ticketId, String title) {
    return new TicketOpened(
        ticketId,
        dev.patchops.contract.model.TicketKind.SOFTWARE,
        title,
        null,
        Severity.SEV3,
        "alice",
        dev.patchops.contract.model.TicketSource.REST,
        new dev.patchops.contract.model.WorkloadRef("shop", "Deployment", "checkout"),
        null,
        null,
        Instant.now(),
        null);
  }

  private List<Long> keySeqs(String key) throws Exception {
    try (Connection connection = dataSource.getConnection();
        PreparedStatement select =
            connection.prepareStatement(
                "select key_seq from outbox_event where record_key = ? order by id")) {
      select.setString(1, key);
      try (ResultSet rs = select.executeQuery()) {
        List<Long> seqs = new java.util.ArrayList<>();
        while (rs.next()) {
          seqs.add(rs.getLong(1));
        }
        return seqs;
      }
    }
  }

  private List<String> eventIdsInOutbox(String ticket) throws Exception {
    try (Connection connection = dataSource.getConnection();
        PreparedStatement select =
            connection.prepareStatement(
                "select event_id from outbox_event where record_key = ? order by id")) {
      select.setString(1, ticket);
      try (ResultSet rs = select.executeQuery()) {
        List<String> ids = new java.util.ArrayList<>();
        while (rs.next()) {
          ids.add(rs.getString(1));
        }
        return ids;
      }
    }
  }
}
