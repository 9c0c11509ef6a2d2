package dev.patchops.rollout.canary.messaging;

import static org.assertj.core.api.Assertions.assertThat;

import dev.patchops.contract.CloudEventHeaders;
import dev.patchops.contract.EventType;
import dev.patchops.contract.Topics;
import java.nio.charset.StandardCharsets;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

/** Which records of the tickets topic the rollout-service skips unread. */
class TicketEventFilterTest {

  @Test
  void skipsOnlyTicketEventsTheContractKnowsAndNoRolloutActsOn() {
    assertThat(RolloutEventsConsumer.knownButNotActedOn(typed(EventType.TICKET_OPENED.type())))
        .isTrue();
    assertThat(RolloutEventsConsumer.knownButNotActedOn(typed(EventType.TICKET_CLOSED.type())))
        .isTrue();
    assertThat(RolloutEventsConsumer.knownButNotActedOn(typed(EventType.PATCH_APPROVED.type())))
        .isFalse();
    assertThat(
            RolloutEventsConsumer.knownButNotActedOn(
                typed(EventType.HARDWARE_QUARANTINE_REQUESTED.type())))
        .isFalse();
  }

  @Test
  void recordsWithoutAKnownTypeAreLeftForTheInboxToDeadLetter() {
    assertThat(RolloutEventsConsumer.knownButNotActedOn(typed("dev.patchops.ticket.unheard-of.v1")))
        .isFalse();
    assertThat(RolloutEventsConsumer.knownButNotActedOn(record())).isFalse();
  }

  private static ConsumerRecord<String, byte[]> typed(String type) {
    ConsumerRecord<String, byte[]> record = record();
    record.headers().add(CloudEventHeaders.TYPE, type.getBytes(StandardCharsets.UTF_8));
    return record;
  }

  private static ConsumerRecord<String, byte[]> record() {
    return new ConsumerRecord<>(
        Topics.TICKETS, 0, 0L, "TCK-1", "{}".getBytes(StandardCharsets.UTF_8));
  }
}
