package dev.patchops.contract.events;

import dev.patchops.contract.TicketScoped;
import java.time.Instant;

public record CanaryStepStarted(
    String ticketId, String rolloutId, int step, int weight, Instant startedAt)
    implements TicketScoped {}
