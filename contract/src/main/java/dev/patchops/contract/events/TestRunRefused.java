package dev.patchops.contract.events;

import dev.patchops.contract.Limit;
import dev.patchops.contract.Nullable;
import dev.patchops.contract.TicketScoped;
import java.time.Instant;

/**
 * The test-orchestrator refused a direct test-run request: {@code field} of the request and the
 * {@code reason}, as the requester was told.
 */
public record TestRunRefused(
    @Limit(length = Limit.ID) String ticketId,
    @Nullable Integer revision,
    @Limit(length = Limit.ACTOR) String requestedBy,
    @Limit(length = Limit.WORD) String field,
    @Limit(length = Limit.TEXT) String reason,
    Instant refusedAt)
    implements TicketScoped {}
