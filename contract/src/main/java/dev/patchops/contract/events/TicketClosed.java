package dev.patchops.contract.events;

import dev.patchops.contract.Limit;
import dev.patchops.contract.Nullable;
import dev.patchops.contract.TicketScoped;
import java.time.Instant;

/** A ticket was closed; nothing more happens on it. */
public record TicketClosed(
    @Limit(length = Limit.ID) String ticketId,
    @Limit(length = Limit.ACTOR) String closedBy,
    @Nullable @Limit(length = Limit.TEXT) String note,
    Instant closedAt)
    implements TicketScoped {}
