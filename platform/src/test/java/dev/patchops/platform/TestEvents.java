package dev.patchops.platform;

import dev.patchops.contract.CloudEventHeaders;
import dev.patchops.contract.ContractJson;
import dev.patchops.contract.EventType;
import dev.patchops.contract.events.TicketOpened;
import dev.patchops.contract.model.Severity;
import dev.patchops.contract.model.TicketKind;
import dev.patchops.contract.model.TicketSource;
import dev.patchops.contract.model.WorkloadRef;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;

/** Records as another service would put them on the wire. */
final class TestEvents {
  private TestEvents() {}

  static String ticketOpenedJson(String ticketId, String title) {
    try {
      return ContractJson.mapper()
          .writeValueAsString(
              new TicketOpened(
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
                  null));
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  static Map<String, String> headers(EventType type, String id) {
    Map<String, String> headers = new HashMap<>();
    headers.put(CloudEventHeaders.ID, id);
    headers.put(CloudEventHeaders.SOURCE, "/patchops/another-service");
    headers.put(CloudEventHeaders.SPEC_VERSION, "1.0");
    headers.put(CloudEventHeaders.TYPE, type.type());
    headers.put(CloudEventHeaders.CONTENT_TYPE, "application/json");
    headers.put(CloudEventHeaders.TIME, Instant.now().toString());
    return headers;
  }
}
