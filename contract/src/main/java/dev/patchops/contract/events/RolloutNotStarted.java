package dev.patchops.contract.events;

import dev.patchops.contract.Limit;
import dev.patchops.contract.Pattern;
import dev.patchops.contract.TicketScoped;
import dev.patchops.contract.model.RolloutOrigin;
import dev.patchops.contract.model.WorkloadRef;
import java.time.Instant;

/**
 * An approved revision's rollout ended before it changed anything: refused (another rollout of the
 * workload is active) or failed to start (no checkpoint could be recorded). The workload is as it
 * was; the ticket goes back to the developers with the reason.
 */
public record RolloutNotStarted(
    @Limit(length = Limit.ID) String ticketId,
    @Limit(length = Limit.ID) String rolloutId,
    int revision,
    WorkloadRef workload,
    @Limit(length = Limit.TEXT) String reason,
    Instant at,
    @Pattern(Pattern.IMAGE_BY_DIGEST) @Limit(length = Limit.IMAGE) String image,
    RolloutOrigin origin,
    @Limit(length = Limit.ACTOR) String startedBy)
    implements TicketScoped {}
