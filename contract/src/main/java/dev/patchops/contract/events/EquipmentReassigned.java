package dev.patchops.contract.events;

import dev.patchops.contract.Limit;
import dev.patchops.contract.Nullable;
import dev.patchops.contract.PatchOpsEvent;
import java.time.Instant;

/**
 * Equipment has a new assignee. {@code lockedByTicket} is the open hardware ticket whose lock moved
 * with it, if any (that ticket also gets a {@link HardwareLockTransferred}).
 */
public record EquipmentReassigned(
    @Limit(length = Limit.ID) String equipmentId,
    @Limit(length = Limit.ACTOR) String previousAssignee,
    @Limit(length = Limit.ACTOR) String assignee,
    @Nullable @Limit(length = Limit.ID) String lockedByTicket,
    @Limit(length = Limit.ACTOR) String reassignedBy,
    Instant reassignedAt)
    implements PatchOpsEvent {

  @Override
  public String partitionKey() {
    return equipmentId;
  }
}
