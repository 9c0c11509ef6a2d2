package dev.patchops.contract.events;

import dev.patchops.contract.Limit;
import dev.patchops.contract.Pattern;
import dev.patchops.contract.TicketScoped;
import dev.patchops.contract.model.RolloutOrigin;
import java.time.Instant;

/**
 * Someone paused, resumed or promoted a rollout by hand (REST or the PatchRollout's spec); an abort
 * is announced by {@link RolloutReverted} with the trigger {@code MANUAL_ABORT}.
 */
public record RolloutControlled(
    @Limit(length = Limit.ID) String ticketId,
    @Limit(length = Limit.ID) String rolloutId,
    @Limit(length = Limit.WORD) String command,
    @Limit(length = Limit.ACTOR) String actor,
    Instant at,
    @Pattern(Pattern.IMAGE_BY_DIGEST) @Limit(length = Limit.IMAGE) String image,
    RolloutOrigin origin,
    @Limit(length = Limit.ACTOR) String startedBy)
    implements TicketScoped {}
