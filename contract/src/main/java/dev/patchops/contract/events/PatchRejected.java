package dev.patchops.contract.events;

import dev.patchops.contract.Limit;
import dev.patchops.contract.TicketScoped;
import java.time.Instant;

public record PatchRejected(
    @Limit(length = Limit.ID) String ticketId,
    int revision,
    @Limit(length = Limit.ACTOR) String rejectedBy,
    @Limit(length = Limit.TEXT) String reason,
    Instant rejectedAt)
    implements TicketScoped {}
