package dev.patchops.contract.events;

import dev.patchops.contract.Nullable;
import dev.patchops.contract.PatchOpsEvent;
import dev.patchops.contract.model.EquipmentType;
import java.time.Instant;

/** PatchOps knows a new piece of equipment, and who looks after it. */
public record EquipmentRegistered(
    String equipmentId,
    EquipmentType kind,
    @Nullable String location,
    @Nullable String nodeName,
    String assignee,
    String registeredBy,
    Instant registeredAt)
    implements PatchOpsEvent {

  /** All changes of one piece of equipment stay ordered on one partition. */
  @Override
  public String partitionKey() {
    return equipmentId;
  }
}
