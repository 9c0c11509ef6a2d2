package dev.patchops.contract.events;

import dev.patchops.contract.Pattern;
import dev.patchops.contract.TicketScoped;
import dev.patchops.contract.model.RolloutOrigin;
import java.time.Instant;

/**
 * Someone paused, resumed or promoted a rollout by hand (REST or the PatchRollout's spec); an abort
 * is announced by {@link RolloutReverted} with the trigger {@code MANUAL_ABORT}.
 */
public record RolloutControlled(
    String ticketId,
    String rolloutId,
    String command,
    String actor,
    Instant at,
    @Pattern(Pattern.IMAGE_BY_DIGEST) String image,
    RolloutOrigin origin,
    String startedBy)
    implements TicketScoped {}
