package dev.patchops.contract.events;

import dev.patchops.contract.Limit;
import dev.patchops.contract.TicketScoped;
import java.time.Instant;

public record TicketResolved(
    @Limit(length = Limit.ID) String ticketId,
    @Limit(length = Limit.TEXT) String resolution,
    @Limit(length = Limit.ACTOR) String resolvedBy,
    Instant resolvedAt)
    implements TicketScoped {}
