package dev.patchops.contract.events;

import dev.patchops.contract.TicketScoped;
import java.time.Instant;

/** Reassigning locked equipment moved the open ticket's lock to the new assignee. */
public record HardwareLockTransferred(
    String ticketId,
    String equipmentId,
    String previousAssignee,
    String assignee,
    String transferredBy,
    Instant transferredAt)
    implements TicketScoped {}
