package dev.patchops.contract.model;

public enum EquipmentType {
  NODE,
  DISK,
  SWITCH,
  OTHER
}
