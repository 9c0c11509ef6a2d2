package dev.patchops.platform;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.patchops.contract.CloudEventHeaders;
import dev.patchops.contract.DeadLetterHeaders;
import dev.patchops.contract.EventType;
import dev.patchops.contract.Topics;
import dev.patchops.platform.testapp.TicketEffects;
import dev.patchops.testing.Delivered;
import dev.patchops.testing.KafkaProbe;
import dev.patchops.testing.PatchOpsTest;
import dev.patchops.testing.TestProducer;
import io.quarkus.test.junit.QuarkusTest;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

@QuarkusTest
@PatchOpsTest
class DeadLetterTest {

  @ParameterizedTest
  @ValueSource(strings = {"malformed-json", "schema-violation", "unknown-type", "no-headers"})
  void poisonGoesToTheDeadLetterTopicWithAReasonAndTheNextMessageIsProcessed(String kind) {
    String poisonTicket = "TCK-POISON-" + UUID.randomUUID();
    String goodTicket = "TCK-GOOD-" + UUID.randomUUID();
    String poisonId = UUID.randomUUID().toString();
    Map<String, String> headers = TestEvents.headers(EventType.TICKET_OPENED, poisonId);
    String value = TestEvents.ticketOpenedJson(poisonTicket, "poison");
    String expectedReason;
    switch (kind) {
      case "malformed-json" -> {
        value = "{\"ticketId\": \"" + poisonTicket + "\", ";
        expectedReason = "not valid JSON";
      }
      case "schema-violation" -> {
        value = value.replace("\"severity\":\"SEV2\",", "");
        expectedReason = "severity";
      }
      case "unknown-type" -> {
        headers.put(CloudEventHeaders.TYPE, "dev.patchops.ticket.teleported.v1");
        expectedReason = "unknown event type dev.patchops.ticket.teleported.v1";
      }
      default -> {
        headers.clear();
        expectedReason = "not a CloudEvents 1.0";
      }
    }

    try (KafkaProbe deadLetters = KafkaProbe.fromNow(Topics.DEAD_LETTER)) {
      // Same key, so both land on one partition and the good one queues behind the poison.
      TestProducer.send(Topics.TICKETS, poisonTicket, value, headers);
      var behindThePoison =
          TestProducer.send(
              Topics.TICKETS,
              poisonTicket,
              TestEvents.ticketOpenedJson(poisonTicket, "good after poison"),
              TestEvents.headers(EventType.TICKET_OPENED, UUID.randomUUID().toString()));
      TestProducer.send(
          Topics.TICKETS,
          goodTicket,
          TestEvents.ticketOpenedJson(goodTicket, "good"),
          TestEvents.headers(EventType.TICKET_OPENED, UUID.randomUUID().toString()));

      List<ConsumerRecord<String, byte[]>> parked =
          deadLetters.collect(
              r -> poisonTicket.equals(r.key()),
              1,
              Duration.ofSeconds(30),
              // The good record behind the poison is consumed only after the poison is parked.
              () -> Delivered.consumed("platform-test", behindThePoison));
      assertThat(parked).hasSize(1);
      ConsumerRecord<String, byte[]> dead = parked.get(0);
      assertThat(KafkaProbe.header(dead, DeadLetterHeaders.REASON)).contains(expectedReason);
      assertThat(KafkaProbe.header(dead, DeadLetterHeaders.ORIGINAL_TOPIC))
          .isEqualTo(Topics.TICKETS);
      assertThat(KafkaProbe.header(dead, DeadLetterHeaders.CONSUMER))
          .isEqualTo(TicketEffects.CONSUMER);
      assertThat(KafkaProbe.header(dead, DeadLetterHeaders.ORIGINAL_OFFSET)).matches("[0-9]+");
      assertThat(KafkaProbe.value(dead)).isEqualTo(value);
      if (!headers.isEmpty()) {
        assertThat(KafkaProbe.header(dead, CloudEventHeaders.ID)).isEqualTo(poisonId);
      }
    }
    await().atMost(Duration.ofSeconds(30)).until(() -> InboxTest.effectCount(goodTicket) == 1);
    await().atMost(Duration.ofSeconds(30)).until(() -> InboxTest.effectCount(poisonTicket) == 1);
  }

  @Test
  void messageThatKeepsFailingIsDeadLetteredAfterBoundedRetries() {
    try (KafkaProbe deadLetters = KafkaProbe.fromNow(Topics.DEAD_LETTER)) {
      String eventId = UUID.randomUUID().toString();
      TestProducer.send(
          Topics.TICKETS,
          TicketEffects.ALWAYS_FAILS,
          TestEvents.ticketOpenedJson(TicketEffects.ALWAYS_FAILS, "never works"),
          TestEvents.headers(EventType.TICKET_OPENED, eventId));
      List<ConsumerRecord<String, byte[]>> parked =
          deadLetters.collect(
              r -> eventId.equals(KafkaProbe.header(r, CloudEventHeaders.ID)),
              1,
              Duration.ofSeconds(30));
      assertThat(parked).hasSize(1);
      assertThat(KafkaProbe.header(parked.get(0), DeadLetterHeaders.REASON))
          .contains("after 3 attempts")
          .contains("downstream refuses ticket");
      assertThat(KafkaProbe.header(parked.get(0), DeadLetterHeaders.ATTEMPTS)).isEqualTo("3");
    }
  }
}
