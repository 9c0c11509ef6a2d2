package dev.patchops.contract.events;

import dev.patchops.contract.Pattern;
import dev.patchops.contract.TicketScoped;
import dev.patchops.contract.model.RolloutOrigin;
import java.time.Instant;

public record CanaryStepStarted(
    String ticketId,
    String rolloutId,
    int step,
    int weight,
    Instant startedAt,
    @Pattern(Pattern.IMAGE_BY_DIGEST) String image,
    RolloutOrigin origin,
    String startedBy)
    implements TicketScoped {}
