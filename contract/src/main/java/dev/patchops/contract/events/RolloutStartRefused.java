package dev.patchops.contract.events;

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
    @Nullable String ticketId,
    String rolloutId,
    @Nullable String resourceName,
    WorkloadRef workload,
    @Nullable String image,
    int revision,
    RolloutOrigin origin,
    String actor,
    String gate,
    String reason,
    Instant refusedAt)
    implements PatchOpsEvent {

  /** With the ticket's other events when there is a ticket, else by the rollout. */
  @Override
  public String partitionKey() {
    return ticketId != null ? ticketId : rolloutId;
  }
}
