package dev.patchops.contract.events;

import dev.patchops.contract.Limit;
import dev.patchops.contract.TicketScoped;
import java.time.Instant;

/** Someone tried to skip a gate of the process and was refused. Refusals are part of the record. */
public record GateRefused(
    @Limit(length = Limit.ID) String ticketId,
    @Limit(length = Limit.WORD) String action,
    @Limit(length = Limit.WORD) String gate,
    @Limit(length = Limit.ACTOR) String actor,
    @Limit(length = Limit.TEXT) String reason,
    Instant refusedAt)
    implements TicketScoped {}
