package dev.patchops.platform;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.patchops.contract.EventType;
import dev.patchops.contract.Topics;
import dev.patchops.platform.testapp.Effect;
import dev.patchops.platform.testapp.TicketEffects;
import dev.patchops.testing.Delivered;
import dev.patchops.testing.KafkaProbe;
import dev.patchops.testing.PatchOpsTest;
import dev.patchops.testing.TestProducer;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

@QuarkusTest
@PatchOpsTest
class InboxTest {
  @Inject TicketEffects effects;
  @Inject MeterRegistry registry;

  @Test
  void sameEventDeliveredThreeTimesHasOneEffect() {
    String ticket = "TCK-INBOX-" + UUID.randomUUID();
    String eventId = UUID.randomUUID().toString();
    double duplicatesBefore = outcome("DUPLICATE");
    String json = TestEvents.ticketOpenedJson(ticket, "delivered thrice");
    for (int i = 0; i < 3; i++) {
      TestProducer.send(
          Topics.TICKETS, ticket, json, TestEvents.headers(EventType.TICKET_OPENED, eventId));
    }
    await()
        .atMost(Duration.ofSeconds(30))
        .until(() -> outcome("DUPLICATE") >= duplicatesBefore + 2);
    assertThat(effectCount(ticket)).isEqualTo(1);
    assertThat(effects.attempts(ticket)).as("handler runs").isEqualTo(1);
  }

  @Test
  void sameIdFromAnotherSourceIsAnotherEvent() {
    String ticket = "TCK-SRC-" + UUID.randomUUID();
    String eventId = UUID.randomUUID().toString();
    String json = TestEvents.ticketOpenedJson(ticket, "two sources");
    var first = TestEvents.headers(EventType.TICKET_OPENED, eventId);
    var second = TestEvents.headers(EventType.TICKET_OPENED, eventId);
    second.put("ce_source", TestEvents.INTAKE_SOURCE);
    TestProducer.send(Topics.TICKETS, ticket, json, first);
    TestProducer.send(Topics.TICKETS, ticket, json, second);
    await().atMost(Duration.ofSeconds(30)).until(() -> effectCount(ticket) == 2);
  }

  @Test
  void transientFailuresAreRetriedAndProcessedOnce() {
    String ticket = "TCK-RETRY-" + UUID.randomUUID();
    effects.failNextAttempts(ticket, 2);
    try (KafkaProbe deadLetters = KafkaProbe.fromNow(Topics.DEAD_LETTER)) {
      var sent =
          TestProducer.send(
              Topics.TICKETS,
              ticket,
              TestEvents.ticketOpenedJson(ticket, "flaky"),
              TestEvents.headers(EventType.TICKET_OPENED, UUID.randomUUID().toString()));
      await().atMost(Duration.ofSeconds(30)).until(() -> effectCount(ticket) == 1);
      assertThat(effects.attempts(ticket)).isEqualTo(3);
      // Parking is synchronous and comes before the offset moves: once the group is past the
      // record, a dead letter of it would be on the topic.
      Delivered.consumed("platform-test", sent);
      assertThat(deadLetters.drain(r -> ticket.equals(r.key()), Duration.ofSeconds(30))).isEmpty();
    }
  }

  private double outcome(String outcome) {
    var counter =
        registry
            .find("patchops.inbox.events")
            .tags("consumer", TicketEffects.CONSUMER, "outcome", outcome)
            .counter();
    return counter == null ? 0 : counter.count();
  }

  static List<String> effectTitles(String ticket) {
    return QuarkusTransaction.requiringNew()
        .call(() -> Effect.<Effect>list("ticketId", ticket).stream().map(e -> e.title).toList());
  }

  static long effectCount(String ticket) {
    return QuarkusTransaction.requiringNew().call(() -> Effect.count("ticketId", ticket));
  }
}
