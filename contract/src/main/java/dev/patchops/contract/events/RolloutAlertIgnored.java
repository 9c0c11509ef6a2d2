package dev.patchops.contract.events;

import dev.patchops.contract.Limit;
import dev.patchops.contract.Nullable;
import dev.patchops.contract.Pattern;
import dev.patchops.contract.TicketScoped;
import dev.patchops.contract.model.RolloutOrigin;
import dev.patchops.contract.model.Severity;
import java.time.Instant;
import java.util.Map;

/**
 * A firing alert reached an active rollout's workload but did not revert it: it started before the
 * rollout began, or its severity is not one the rollout's policy reverts on. Kept in the trail so
 * the decision not to act is as visible as a revert.
 *
 * @param correlation how the alert was mapped to the rollout's workload (e.g. {@code pod
 *     checkout-abc -> ReplicaSet checkout-7f -> Deployment checkout})
 * @param reason why it did not revert: {@code started-before-rollout} or {@code severity}
 */
public record RolloutAlertIgnored(
    @Limit(length = Limit.ID) String ticketId,
    @Limit(length = Limit.ID) String rolloutId,
    @Limit(length = 512) String alertName,
    @Limit(length = 255) String fingerprint,
    @Nullable Severity severity,
    @Limit(items = 64, length = 512) Map<String, String> labels,
    Instant startsAt,
    @Limit(length = 1024) String correlation,
    @Limit(length = Limit.WORD) String reason,
    @Limit(length = Limit.TEXT) String detail,
    Instant recordedAt,
    @Pattern(Pattern.IMAGE_BY_DIGEST) @Limit(length = Limit.IMAGE) String image,
    RolloutOrigin origin,
    @Limit(length = Limit.ACTOR) String startedBy)
    implements TicketScoped {}
