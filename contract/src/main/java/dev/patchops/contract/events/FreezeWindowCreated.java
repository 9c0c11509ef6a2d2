package dev.patchops.contract.events;

import dev.patchops.contract.Limit;
import dev.patchops.contract.PatchOpsEvent;
import java.time.Instant;

/**
 * A change freeze was declared. The rollout-service keeps its own copy of the windows from these
 * events, so that no start path (approval, REST, kubectl) can begin a normal rollout inside one.
 */
public record FreezeWindowCreated(
    @Limit(length = Limit.ID) String windowId,
    Instant startsAt,
    Instant endsAt,
    @Limit(length = Limit.TEXT) String reason,
    @Limit(length = Limit.ACTOR) String createdBy,
    Instant createdAt)
    implements PatchOpsEvent {

  /** All changes of one window stay ordered on one partition. */
  @Override
  public String partitionKey() {
    return windowId;
  }
}
