package dev.patchops.contract.events;

import dev.patchops.contract.Limit;
import dev.patchops.contract.Nullable;
import dev.patchops.contract.PatchOpsEvent;
import dev.patchops.contract.model.RolloutOrigin;
import dev.patchops.contract.model.WorkloadRef;
import java.time.Instant;

/**
 * A start of a rollout was refused by the start gate (no approval, a replay, a freeze, an emergency
 * without its role or reason): nothing in the cluster changed. {@code gate} names the rule, {@code
 * origin} the path that tried (approval, REST, kubectl, emergency) and {@code actor} who.
 */
public record RolloutStartRefused(
    @Nullable @Limit(length = Limit.ID) String ticketId,
    @Limit(length = Limit.ID) String rolloutId,
    @Nullable @Limit(length = Limit.K8S_NAME) String resourceName,
    WorkloadRef workload,
    @Nullable @Limit(length = Limit.IMAGE) String image,
    int revision,
    RolloutOrigin origin,
    @Limit(length = Limit.ACTOR) String actor,
    @Limit(length = Limit.WORD) String gate,
    @Limit(length = Limit.TEXT) String reason,
    Instant refusedAt)
    implements PatchOpsEvent {

  /** With the ticket's other events when there is a ticket, else by the rollout. */
  @Override
  public String partitionKey() {
    return ticketId != null ? ticketId : rolloutId;
  }
}
