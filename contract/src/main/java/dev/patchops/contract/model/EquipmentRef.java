package dev.patchops.contract.model;

import dev.patchops.contract.Limit;
import dev.patchops.contract.Nullable;

public record EquipmentRef(
    @Limit(length = Limit.ID) String equipmentId,
    EquipmentType type,
    @Nullable @Limit(length = 300) String location) {}
