package dev.patchops.contract.events;

import dev.patchops.contract.TicketScoped;
import java.time.Instant;

public record TicketResolved(
    String ticketId, String resolution, String resolvedBy, Instant resolvedAt)
    implements TicketScoped {}
