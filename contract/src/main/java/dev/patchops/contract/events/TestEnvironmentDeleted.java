package dev.patchops.contract.events;

import dev.patchops.contract.TicketScoped;
import java.time.Instant;

public record TestEnvironmentDeleted(
    String ticketId,
    int revision,
    String runId,
    int attempt,
    String namespace,
    String reason,
    Instant deletedAt)
    implements TicketScoped {}
