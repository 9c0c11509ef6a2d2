package dev.patchops.contract.events;

import dev.patchops.contract.Limit;
import dev.patchops.contract.PatchOpsEvent;
import java.time.Instant;

/** A change freeze was lifted before its end: from now on normal starts are allowed again. */
public record FreezeWindowDeleted(
    @Limit(length = Limit.ID) String windowId,
    @Limit(length = Limit.ACTOR) String deletedBy,
    Instant deletedAt)
    implements PatchOpsEvent {

  @Override
  public String partitionKey() {
    return windowId;
  }
}
