package dev.patchops.contract.events;

import dev.patchops.contract.TicketScoped;
import java.time.Instant;

/**
 * The after-the-fact review of an emergency change, by someone who neither wrote nor approved it.
 */
public record EmergencyChangeReviewed(
    String ticketId,
    int revision,
    String reviewer,
    boolean accepted,
    String findings,
    Instant reviewedAt)
    implements TicketScoped {}
