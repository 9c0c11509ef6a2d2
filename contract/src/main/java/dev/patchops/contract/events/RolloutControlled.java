package dev.patchops.contract.events;

import dev.patchops.contract.TicketScoped;
import java.time.Instant;

/**
 * Someone paused, resumed or promoted a rollout by hand (REST or the PatchRollout's spec); an abort
 * is announced by {@link RolloutReverted} with the trigger {@code MANUAL_ABORT}.
 */
public record RolloutControlled(
    String ticketId, String rolloutId, String command, String actor, Instant at)
    implements TicketScoped {}
