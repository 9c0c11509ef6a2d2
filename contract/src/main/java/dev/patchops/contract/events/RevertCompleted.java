package dev.patchops.contract.events;

import dev.patchops.contract.Limit;
import dev.patchops.contract.Nullable;
import dev.patchops.contract.Pattern;
import dev.patchops.contract.TicketScoped;
import dev.patchops.contract.model.RolloutOrigin;
import java.time.Instant;
import java.util.List;

/**
 * The workload matches its checkpoint again ({@code verified}) and the canary is gone. {@code
 * durationMs} runs from {@code detectedAt} (the failure seen) to {@code completedAt} (the live spec
 * verified); {@code restoreIssuedAt} is when the restore reached the API, and {@code apiFailures}
 * how many attempts the API refused on the way.
 */
public record RevertCompleted(
    @Limit(length = Limit.ID) String ticketId,
    @Limit(length = Limit.ID) String rolloutId,
    boolean verified,
    long durationMs,
    @Limit(items = 200, length = 320) List<String> restored,
    Instant completedAt,
    @Nullable Instant detectedAt,
    @Nullable Instant restoreIssuedAt,
    int apiFailures,
    @Pattern(Pattern.IMAGE_BY_DIGEST) @Limit(length = Limit.IMAGE) String image,
    RolloutOrigin origin,
    @Limit(length = Limit.ACTOR) String startedBy)
    implements TicketScoped {}
