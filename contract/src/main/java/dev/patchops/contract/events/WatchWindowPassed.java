package dev.patchops.contract.events;

import dev.patchops.contract.TicketScoped;
import java.time.Instant;

public record WatchWindowPassed(String ticketId, String rolloutId, Instant passedAt)
    implements TicketScoped {}
