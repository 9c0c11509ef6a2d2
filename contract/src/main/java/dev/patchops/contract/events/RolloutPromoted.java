package dev.patchops.contract.events;

import dev.patchops.contract.Limit;
import dev.patchops.contract.Pattern;
import dev.patchops.contract.TicketScoped;
import dev.patchops.contract.model.RolloutOrigin;
import dev.patchops.contract.model.WorkloadRef;
import java.time.Instant;

/** The patch runs on every replica; the checkpoint stays armed until {@code watchUntil}. */
public record RolloutPromoted(
    @Limit(length = Limit.ID) String ticketId,
    @Limit(length = Limit.ID) String rolloutId,
    int revision,
    WorkloadRef workload,
    Instant promotedAt,
    Instant watchUntil,
    @Pattern(Pattern.IMAGE_BY_DIGEST) @Limit(length = Limit.IMAGE) String image,
    RolloutOrigin origin,
    @Limit(length = Limit.ACTOR) String startedBy)
    implements TicketScoped {}
