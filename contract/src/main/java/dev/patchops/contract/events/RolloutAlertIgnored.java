package dev.patchops.contract.events;

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
    String ticketId,
    String rolloutId,
    String alertName,
    String fingerprint,
    @Nullable Severity severity,
    Map<String, String> labels,
    Instant startsAt,
    String correlation,
    String reason,
    String detail,
    Instant recordedAt,
    @Pattern(Pattern.IMAGE_BY_DIGEST) String image,
    RolloutOrigin origin,
    String startedBy)
    implements TicketScoped {}
