package dev.patchops.orchestrator.revision.messaging;

import dev.patchops.contract.Channels;
import dev.patchops.contract.CloudEventHeaders;
import dev.patchops.contract.EventType;
import dev.patchops.contract.events.PatchProposed;
import dev.patchops.orchestrator.revision.Revisions;
import dev.patchops.platform.messaging.InboundEvents;
import io.smallrye.common.annotation.Blocking;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.nio.charset.StandardCharsets;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;
import org.eclipse.microprofile.reactive.messaging.Incoming;

/**
 * Learns revisions and their authors from {@code ticket.patch-proposed}. The rest of the tickets
 * topic is skipped by its {@code ce_type} header, with no transaction or inbox row; a record with
 * no type or an unknown one still goes through the inbox, which dead-letters it.
 */
@ApplicationScoped
public class ProposalConsumer {
  static final String CONSUMER = "test-orchestrator.tickets";

  @Inject InboundEvents inbound;
  @Inject Revisions revisions;

  @Incoming(Channels.TICKETS_IN)
  @Blocking
  public void consume(ConsumerRecord<String, byte[]> record) {
    if (knownButNotActedOn(record)) {
      return;
    }
    inbound.process(
        CONSUMER,
        record,
        event -> {
          if (event.payload() instanceof PatchProposed proposed) {
            revisions.proposed(proposed);
          }
        });
  }

  static boolean knownButNotActedOn(ConsumerRecord<String, byte[]> record) {
    Header type = record.headers().lastHeader(CloudEventHeaders.TYPE);
    if (type == null) {
      return false;
    }
    String value = new String(type.value(), StandardCharsets.UTF_8);
    return !EventType.PATCH_PROPOSED.type().equals(value) && EventType.fromType(value).isPresent();
  }
}
