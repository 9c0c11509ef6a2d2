package dev.patchops.contract.model;

/** How a quarantined node went back into service. */
public enum HardwareReleaseMode {
  /** The burn-in of the current fix passed and someone other than the assignee approved it. */
  BURN_IN,
  /** Plan B: the assigned engineer released the node by hand, with a reason, without a burn-in. */
  MANUAL
}
