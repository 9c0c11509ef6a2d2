package dev.patchops.audit;

import static org.awaitility.Awaitility.await;

import dev.patchops.audit.query.AuditQuery;
import dev.patchops.audit.trail.TrailRecord;
import dev.patchops.contract.PatchOpsEvent;
import dev.patchops.contract.events.TicketOpened;
import dev.patchops.contract.model.Severity;
import dev.patchops.contract.model.TicketKind;
import dev.patchops.contract.model.TicketSource;
import dev.patchops.contract.model.WorkloadRef;
import dev.patchops.testing.EventSender;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

/** Events as the other services send them, and a wait for the trail to hold them. */
public final class AuditFixtures {
  private AuditFixtures() {}

  public static String newTicketId() {
    return "T-" + UUID.randomUUID().toString().substring(0, 8).toUpperCase();
  }

  public static TicketOpened opened(String ticketId, String title) {
    return new TicketOpened(
        ticketId,
        TicketKind.SOFTWARE,
        title,
        "checkout returns 502",
        Severity.SEV2,
        "alice",
        TicketSource.REST,
        new WorkloadRef("shop", "Deployment", "checkout"),
        null,
        null,
        Instant.parse("2026-11-26T10:00:00Z"),
        Instant.parse("2026-11-26T09:58:00Z"));
  }

  public static String send(PatchOpsEvent event) {
    return EventSender.send(
        event, dev.patchops.contract.EventType.forPayload(event).producer().serviceName());
  }

  public static List<TrailRecord> awaitTicket(AuditQuery query, String ticketId, int count) {
    return await()
        .atMost(Duration.ofSeconds(30))
        .pollInterval(Duration.ofMillis(100))
        .until(() -> query.ticket(ticketId), records -> records.size() >= count);
  }
}
