package dev.patchops.contract.model;

public enum RevertTrigger {
  ANALYSIS,
  ALERT,
  MANUAL_ABORT,
  WATCH_WINDOW_ALERT,
  RECOVERY
}
