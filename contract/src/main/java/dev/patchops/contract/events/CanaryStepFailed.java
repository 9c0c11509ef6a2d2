package dev.patchops.contract.events;

import dev.patchops.contract.Limit;
import dev.patchops.contract.Nullable;
import dev.patchops.contract.Pattern;
import dev.patchops.contract.TicketScoped;
import dev.patchops.contract.model.AnalysisEvidence;
import dev.patchops.contract.model.RolloutOrigin;
import java.time.Instant;
import java.util.List;

/**
 * {@code weight} is the share the step asked for; {@code actualWeight} the canary's real share of
 * the traffic in percent (replica mode: canary / (canary + stable) ready replicas; Gateway API
 * mode: the route's weight), with the replicas that give it. Events written before honest weights
 * carry no actual share.
 */
public record CanaryStepFailed(
    @Limit(length = Limit.ID) String ticketId,
    @Limit(length = Limit.ID) String rolloutId,
    int step,
    int weight,
    @Limit(length = Limit.TEXT) String reason,
    @Limit(items = 48) List<AnalysisEvidence> evidence,
    Instant failedAt,
    @Pattern(Pattern.IMAGE_BY_DIGEST) @Limit(length = Limit.IMAGE) String image,
    RolloutOrigin origin,
    @Limit(length = Limit.ACTOR) String startedBy,
    @Nullable Double actualWeight,
    @Nullable Integer canaryReplicas,
    @Nullable Integer stableReplicas)
    implements TicketScoped {
  /** Without the actual share: as events before honest weights were written. */
  public CanaryStepFailed(
      String ticketId,
      String rolloutId,
      int step,
      int weight,
      String reason,
      List<AnalysisEvidence> evidence,
      Instant failedAt,
      String image,
      RolloutOrigin origin,
      String startedBy) {
    this(
        ticketId, rolloutId, step, weight, reason, evidence, failedAt, image, origin, startedBy,
        null, null, null);
  }
}
