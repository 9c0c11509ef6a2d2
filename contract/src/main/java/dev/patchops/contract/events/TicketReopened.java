package dev.patchops.contract.events;

import dev.patchops.contract.TicketScoped;
import java.time.Instant;

public record TicketReopened(String ticketId, String reason, String reopenedBy, Instant reopenedAt)
    implements TicketScoped {}
