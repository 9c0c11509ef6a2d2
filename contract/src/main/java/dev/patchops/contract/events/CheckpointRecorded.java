package dev.patchops.contract.events;

import dev.patchops.contract.Limit;
import dev.patchops.contract.Nullable;
import dev.patchops.contract.Pattern;
import dev.patchops.contract.TicketScoped;
import dev.patchops.contract.model.RolloutOrigin;
import dev.patchops.contract.model.RolloutPolicyRef;
import dev.patchops.contract.model.WorkloadRef;
import java.time.Instant;
import java.util.Map;

/**
 * The known rollback point, and the first event of a rollout that changes anything. Only content
 * hashes travel; Secret data never leaves the service.
 *
 * @param policy the PatchRolloutPolicy the rollout runs with, and its generation; null when no
 *     policy matched the workload and the service's documented defaults apply
 */
public record CheckpointRecorded(
    @Limit(length = Limit.ID) String ticketId,
    @Limit(length = Limit.ID) String rolloutId,
    int revision,
    WorkloadRef workload,
    @Limit(length = Limit.ID) String checkpointId,
    @Limit(length = Limit.WORD) String specHash,
    @Limit(items = 128, length = 320) Map<String, String> configHashes,
    Instant recordedAt,
    @Pattern(Pattern.IMAGE_BY_DIGEST) @Limit(length = Limit.IMAGE) String image,
    RolloutOrigin origin,
    @Limit(length = Limit.ACTOR) String startedBy,
    @Nullable RolloutPolicyRef policy)
    implements TicketScoped {

  /** A rollout that runs with the service's defaults, no policy. */
  public CheckpointRecorded(
      String ticketId,
      String rolloutId,
      int revision,
      WorkloadRef workload,
      String checkpointId,
      String specHash,
      Map<String, String> configHashes,
      Instant recordedAt,
      String image,
      RolloutOrigin origin,
      String startedBy) {
    this(
        ticketId,
        rolloutId,
        revision,
        workload,
        checkpointId,
        specHash,
        configHashes,
        recordedAt,
        image,
        origin,
        startedBy,
        null);
  }
}
