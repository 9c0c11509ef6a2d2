package dev.patchops.contract.model;

import dev.patchops.contract.Nullable;

public record EquipmentRef(String equipmentId, EquipmentType type, @Nullable String location) {}
