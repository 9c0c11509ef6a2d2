package dev.patchops.ticket.messaging;

import dev.patchops.contract.Channels;
import dev.patchops.contract.CloudEventHeaders;
import dev.patchops.contract.EventType;
import dev.patchops.contract.events.TicketOpened;
import dev.patchops.platform.config.PlatformConfig;
import dev.patchops.platform.messaging.InboundEvents;
import dev.patchops.platform.messaging.PoisonMessageException;
import dev.patchops.ticket.process.InvalidInput;
import dev.patchops.ticket.process.Refused;
import dev.patchops.ticket.tickets.Ticket;
import dev.patchops.ticket.tickets.TicketService;
import io.smallrye.common.annotation.Blocking;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.nio.charset.StandardCharsets;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
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

  /**
   * Takes the topic a poll at a time (batch mode, see application.properties): our own events are
   * most of it, and one record at a time each of them would still cost a hop to a worker thread and
   * the connector's per-message machinery just to be skipped (about 15 % of the service's CPU while
   * tickets are created at 1,500/s). The offsets of a poll are committed once this returns; a
   * record that throws leaves them uncommitted, so the poll is redelivered and the inbox skips what
   * was already processed.
   */
  @Incoming(Channels.TICKETS_IN)
  @Blocking
  public void consume(ConsumerRecords<String, byte[]> records) {
    String ownSource = EventType.source(config.serviceName());
    for (ConsumerRecord<String, byte[]> record : records) {
      if (!fromOurselves(record, ownSource)) {
        consume(record);
      }
    }
  }

  /** Our own events need nothing from us: skipped before decoding, validation and the inbox row. */
  private static boolean fromOurselves(ConsumerRecord<String, byte[]> record, String ownSource) {
    Header source = record.headers().lastHeader(CloudEventHeaders.SOURCE);
    return source != null && ownSource.equals(new String(source.value(), StandardCharsets.UTF_8));
  }

  private void consume(ConsumerRecord<String, byte[]> record) {
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
          } catch (InvalidInput | Refused invalid) {
            throw new PoisonMessageException("cannot open ticket: " + invalid.getMessage());
          }
        });
  }
}
