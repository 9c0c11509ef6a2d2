package dev.patchops.contract.events;

import dev.patchops.contract.TicketScoped;
import java.time.Instant;

public record PatchRejected(
    String ticketId, int revision, String rejectedBy, String reason, Instant rejectedAt)
    implements TicketScoped {}
