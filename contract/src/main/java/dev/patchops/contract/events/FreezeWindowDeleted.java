package dev.patchops.contract.events;

import dev.patchops.contract.PatchOpsEvent;
import java.time.Instant;

/** A change freeze was lifted before its end: from now on normal starts are allowed again. */
public record FreezeWindowDeleted(String windowId, String deletedBy, Instant deletedAt)
    implements PatchOpsEvent {

  @Override
  public String partitionKey() {
    return windowId;
  }
}
