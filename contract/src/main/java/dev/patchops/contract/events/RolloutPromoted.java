package dev.patchops.contract.events;

import dev.patchops.contract.Pattern;
import dev.patchops.contract.TicketScoped;
import dev.patchops.contract.model.RolloutOrigin;
import dev.patchops.contract.model.WorkloadRef;
import java.time.Instant;

/** The patch runs on every replica; the checkpoint stays armed until {@code watchUntil}. */
public record RolloutPromoted(
    String ticketId,
    String rolloutId,
    int revision,
    WorkloadRef workload,
    Instant promotedAt,
    Instant watchUntil,
    @Pattern(Pattern.IMAGE_BY_DIGEST) String image,
    RolloutOrigin origin,
    String startedBy)
    implements TicketScoped {}
