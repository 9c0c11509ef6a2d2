package dev.patchops.contract.events;

import dev.patchops.contract.Limit;
import dev.patchops.contract.Nullable;
import dev.patchops.contract.PatchOpsEvent;
import dev.patchops.contract.model.EquipmentType;
import java.time.Instant;

/** PatchOps knows a new piece of equipment, and who looks after it. */
public record EquipmentRegistered(
    @Limit(length = Limit.ID) String equipmentId,
    EquipmentType kind,
    @Nullable @Limit(length = 300) String location,
    @Nullable @Limit(length = Limit.K8S_NAME) String nodeName,
    @Limit(length = Limit.ACTOR) String assignee,
    @Limit(length = Limit.ACTOR) String registeredBy,
    Instant registeredAt)
    implements PatchOpsEvent {

  /** All changes of one piece of equipment stay ordered on one partition. */
  @Override
  public String partitionKey() {
    return equipmentId;
  }
}
