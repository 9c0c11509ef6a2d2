package dev.patchops.contract.events;

import dev.patchops.contract.Pattern;
import dev.patchops.contract.TicketScoped;
import dev.patchops.contract.model.RolloutOrigin;
import java.time.Instant;

public record WatchWindowPassed(
    String ticketId,
    String rolloutId,
    Instant passedAt,
    @Pattern(Pattern.IMAGE_BY_DIGEST) String image,
    RolloutOrigin origin,
    String startedBy)
    implements TicketScoped {}
