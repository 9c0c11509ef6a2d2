package dev.patchops.contract.events;

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
    String ticketId,
    String rolloutId,
    int revision,
    WorkloadRef workload,
    String reason,
    Instant at,
    @Pattern(Pattern.IMAGE_BY_DIGEST) String image,
    RolloutOrigin origin,
    String startedBy)
    implements TicketScoped {}
