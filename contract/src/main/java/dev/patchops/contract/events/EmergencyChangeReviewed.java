package dev.patchops.contract.events;

import dev.patchops.contract.Limit;
import dev.patchops.contract.TicketScoped;
import java.time.Instant;

/**
 * The after-the-fact review of an emergency change, by someone who neither wrote nor approved it.
 */
public record EmergencyChangeReviewed(
    @Limit(length = Limit.ID) String ticketId,
    int revision,
    @Limit(length = Limit.ACTOR) String reviewer,
    boolean accepted,
    @Limit(length = 10_000) String findings,
    Instant reviewedAt)
    implements TicketScoped {}
