package dev.patchops.ticket.messaging;

import dev.patchops.contract.Channels;
import dev.patchops.contract.CloudEventHeaders;
import dev.patchops.contract.EventType;
import dev.patchops.contract.events.TicketOpened;
import dev.patchops.platform.config.PlatformConfig;
import dev.patchops.platform.messaging.InboundEvents;
import dev.patchops.platform.messaging.PoisonMessageException;
import dev.patchops.platform.rest.ApiException;
import dev.patchops.ticket.tickets.Ticket;
import dev.patchops.ticket.tickets.TicketService;
import io.smallrye.common.annotation.Blocking;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.nio.charset.StandardCharsets;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;
import org.eclipse.microprofile.reactive.messaging.Incoming;

/**
 * Other services open tickets by publishing {@code ticket.opened} with an id of their choosing; the
 * ticket keeps that id, so every later event of it lands on the same partition. The
 * ticket-service's own {@code ticket.opened} events come back here too and are skipped.
 */
@ApplicationScoped
public class TicketIntakeConsumer {
  static final String CONSUMER = "ticket-service.tickets";
  private static final String EXTERNAL_ID = "[A-Za-z0-9][A-Za-z0-9._-]{0,63}";

  @Inject InboundEvents inbound;
  @Inject TicketService tickets;
  @Inject PlatformConfig config;

  @Incoming(Channels.TICKETS_IN)
  @Blocking
  public void consume(ConsumerRecord<String, byte[]> record) {
    // Our own events are most of this topic and need nothing from us: skipped before decoding,
    // validation and the inbox row, which would cost a transaction each.
    Header source = record.headers().lastHeader(CloudEventHeaders.SOURCE);
    if (source != null
        && EventType.source(config.serviceName())
            .equals(new String(source.value(), StandardCharsets.UTF_8))) {
      return;
    }
    inbound.process(
        CONSUMER,
        record,
        event -> {
          if (!(event.payload() instanceof TicketOpened opened)) {
            return;
          }
          if (opened.ticketId().startsWith("TCK-")) {
            throw new PoisonMessageException(
                "ticket id "
                    + opened.ticketId()
                    + " uses the prefix TCK- reserved for our own ids");
          }
          if (!opened.ticketId().matches(EXTERNAL_ID)) {
            throw new PoisonMessageException(
                "ticket id " + opened.ticketId() + " does not match " + EXTERNAL_ID);
          }
          if (Ticket.findById(opened.ticketId()) != null) {
            return;
          }
          String reporter = event.actor() != null ? event.actor() : opened.reporter();
          try {
            tickets.openFromEvent(opened, reporter);
          } catch (ApiException invalid) {
            throw new PoisonMessageException("cannot open ticket: " + invalid.getMessage());
          }
        });
  }
}
