package dev.patchops.contract.events;

import dev.patchops.contract.Limit;
import dev.patchops.contract.TicketScoped;
import java.time.Instant;

public record TestEnvironmentDeleted(
    @Limit(length = Limit.ID) String ticketId,
    int revision,
    @Limit(length = Limit.ID) String runId,
    int attempt,
    @Limit(length = Limit.K8S_NAME) String namespace,
    @Limit(length = Limit.TEXT) String reason,
    Instant deletedAt)
    implements TicketScoped {}
