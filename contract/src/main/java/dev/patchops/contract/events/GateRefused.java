package dev.patchops.contract.events;

import dev.patchops.contract.TicketScoped;
import java.time.Instant;

/** Someone tried to skip a gate of the process and was refused. Refusals are part of the record. */
public record GateRefused(
    String ticketId, String action, String gate, String actor, String reason, Instant refusedAt)
    implements TicketScoped {}
