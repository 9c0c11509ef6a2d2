package dev.patchops.platform;

import dev.patchops.contract.ContractJson;
import dev.patchops.contract.EventType;
import dev.patchops.contract.events.TicketOpened;
import dev.patchops.contract.model.Severity;
import dev.patchops.contract.model.TicketKind;
import dev.patchops.contract.model.TicketSource;
import dev.patchops.contract.model.WorkloadRef;
import dev.patchops.testing.EventSender;
import java.time.Instant;
import java.util.Map;

/** Records as another service would put them on the wire. */
final class TestEvents {
  private TestEvents() {}

  static String ticketOpenedJson(String ticketId, String title) {
    try {
      return ContractJson.mapper().writeValueAsString(opened(ticketId, title));
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  static TicketOpened opened(String ticketId, String title) {
    return new TicketOpened(
        ticketId,
        TicketKind.SOFTWARE,
        title,
        null,
        Severity.SEV2,
        "someone",
        TicketSource.EVENT,
        new WorkloadRef("shop", "Deployment", "cart"),
        null,
        null,
        Instant.now(),
        null);
  }

  /** Headers of the type's producer, as the contract requires. */
  static Map<String, String> headers(EventType type, String id) {
    return EventSender.headers(type, id, type.producer().serviceName());
  }

  /** An outside system this test application lists as an intake source. */
  static final String INTAKE_SOURCE = "/patchops/monitoring-bridge";
}
