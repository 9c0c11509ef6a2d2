package dev.patchops.contract.events;

import dev.patchops.contract.Nullable;
import dev.patchops.contract.TicketScoped;
import java.time.Instant;

/** A ticket was closed; nothing more happens on it. */
public record TicketClosed(
    String ticketId, String closedBy, @Nullable String note, Instant closedAt)
    implements TicketScoped {}
