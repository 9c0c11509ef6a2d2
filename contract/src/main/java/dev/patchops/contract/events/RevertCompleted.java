package dev.patchops.contract.events;

import dev.patchops.contract.TicketScoped;
import java.time.Instant;
import java.util.List;

/** The workload matches its checkpoint again ({@code verified}) and the canary is gone. */
public record RevertCompleted(
    String ticketId,
    String rolloutId,
    boolean verified,
    long durationMs,
    List<String> restored,
    Instant completedAt)
    implements TicketScoped {}
