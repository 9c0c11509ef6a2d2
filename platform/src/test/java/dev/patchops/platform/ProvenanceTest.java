package dev.patchops.platform;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.patchops.contract.CloudEventHeaders;
import dev.patchops.contract.DeadLetterHeaders;
import dev.patchops.contract.EventType;
import dev.patchops.contract.Topics;
import dev.patchops.platform.testapp.TicketEffects;
import dev.patchops.testing.KafkaProbe;
import dev.patchops.testing.PatchOpsTest;
import dev.patchops.testing.TestProducer;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Events are trusted only from the producer the contract names for their type. */
@QuarkusTest
@PatchOpsTest
class ProvenanceTest {
  @Inject MeterRegistry registry;

  @ParameterizedTest
  @ValueSource(
      strings = {"/patchops/rollout-service", "/patchops/audit-service", "/somewhere/else"})
  void anEventFromAnotherSourceThanItsProducerIsDeadLetteredAndCountedAndTheNextOneProcessed(
      String forgedSource) {
    String ticket = "TCK-FORGED-" + UUID.randomUUID();
    String forgedId = UUID.randomUUID().toString();
    Map<String, String> forged = TestEvents.headers(EventType.TICKET_OPENED, forgedId);
    forged.put(CloudEventHeaders.SOURCE, forgedSource);
    double untrustedBefore = untrusted();
    try (KafkaProbe deadLetters = KafkaProbe.fromNow(Topics.DEAD_LETTER)) {
      // Same key: the genuine event queues behind the forged one on its partition.
      TestProducer.send(
          Topics.TICKETS, ticket, TestEvents.ticketOpenedJson(ticket, "forged"), forged);
      TestProducer.send(
          Topics.TICKETS,
          ticket,
          TestEvents.ticketOpenedJson(ticket, "genuine"),
          TestEvents.headers(EventType.TICKET_OPENED, UUID.randomUUID().toString()));

      List<ConsumerRecord<String, byte[]>> parked =
          deadLetters.collect(
              r -> forgedId.equals(KafkaProbe.header(r, CloudEventHeaders.ID)),
              1,
              Duration.ofSeconds(30));
      assertThat(parked).hasSize(1);
      assertThat(KafkaProbe.header(parked.get(0), DeadLetterHeaders.REASON))
          .contains("untrusted source")
          .contains(forgedSource)
          .contains("/patchops/ticket-service");
      assertThat(KafkaProbe.header(parked.get(0), DeadLetterHeaders.CONSUMER))
          .isEqualTo(TicketEffects.CONSUMER);
      assertThat(KafkaProbe.header(parked.get(0), DeadLetterHeaders.ERROR_CLASS))
          .isEqualTo("UntrustedSourceException");
    }
    await().atMost(Duration.ofSeconds(30)).until(() -> InboxTest.effectCount(ticket) == 1);
    assertThat(InboxTest.effectTitles(ticket)).containsExactly("genuine");
    assertThat(untrusted()).isEqualTo(untrustedBefore + 1);
  }

  private double untrusted() {
    Counter counter =
        registry
            .find("patchops.inbox.untrusted")
            .tags("consumer", TicketEffects.CONSUMER, "type", EventType.TICKET_OPENED.type())
            .counter();
    return counter == null ? 0 : counter.count();
  }
}
