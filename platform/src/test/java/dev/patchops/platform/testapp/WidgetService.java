package dev.patchops.platform.testapp;

import dev.patchops.contract.events.TicketOpened;
import dev.patchops.contract.model.Severity;
import dev.patchops.contract.model.TicketKind;
import dev.patchops.contract.model.TicketSource;
import dev.patchops.contract.model.WorkloadRef;
import dev.patchops.platform.messaging.Outbox;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.transaction.Transactional;
import java.time.Instant;
import java.util.UUID;

@ApplicationScoped
public class WidgetService {
  @Inject Outbox outbox;

  @Transactional
  public Widget create(String name, String ticketId, Severity severity, String actor) {
    return write(name, ticketId, severity, actor, false);
  }

  /** Publishes, then fails: the transaction must take the event down with it. */
  @Transactional
  public Widget createThenFail(String name, String ticketId, String actor) {
    return write(name, ticketId, Severity.SEV3, actor, true);
  }

  private Widget write(
      String name, String ticketId, Severity severity, String actor, boolean fail) {
    Widget widget = new Widget();
    widget.id = UUID.randomUUID();
    widget.name = name;
    widget.ticketId = ticketId;
    widget.persist();
    outbox.publish(
        new TicketOpened(
            ticketId,
            TicketKind.SOFTWARE,
            name,
            null,
            severity,
            actor,
            TicketSource.REST,
            new WorkloadRef("shop", "Deployment", "checkout"),
            null,
            null,
            Instant.now(),
            null),
        "widgets/" + widget.id,
        actor);
    if (fail) {
      throw new IllegalStateException("simulated failure after the event was written");
    }
    return widget;
  }
}
