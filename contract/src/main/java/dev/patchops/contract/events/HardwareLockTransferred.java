package dev.patchops.contract.events;

import dev.patchops.contract.Limit;
import dev.patchops.contract.TicketScoped;
import java.time.Instant;

/** Reassigning locked equipment moved the open ticket's lock to the new assignee. */
public record HardwareLockTransferred(
    @Limit(length = Limit.ID) String ticketId,
    @Limit(length = Limit.ID) String equipmentId,
    @Limit(length = Limit.ACTOR) String previousAssignee,
    @Limit(length = Limit.ACTOR) String assignee,
    @Limit(length = Limit.ACTOR) String transferredBy,
    Instant transferredAt)
    implements TicketScoped {}
