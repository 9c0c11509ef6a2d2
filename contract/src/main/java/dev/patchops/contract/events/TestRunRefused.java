package dev.patchops.contract.events;

import dev.patchops.contract.Nullable;
import dev.patchops.contract.TicketScoped;
import java.time.Instant;

/**
 * The test-orchestrator refused a direct test-run request: {@code field} of the request and the
 * {@code reason}, as the requester was told.
 */
public record TestRunRefused(
    String ticketId,
    @Nullable Integer revision,
    String requestedBy,
    String field,
    String reason,
    Instant refusedAt)
    implements TicketScoped {}
