package dev.patchops.contract.events;

import dev.patchops.contract.Limit;
import dev.patchops.contract.TicketScoped;
import java.time.Instant;

public record TicketReopened(
    @Limit(length = Limit.ID) String ticketId,
    @Limit(length = Limit.TEXT) String reason,
    @Limit(length = Limit.ACTOR) String reopenedBy,
    Instant reopenedAt)
    implements TicketScoped {}
