package dev.patchops.contract.model;

public enum RootCauseMethod {
  FIVE_WHYS,
  FISHBONE,
  FAULT_TREE
}
