package dev.patchops.contract.model;

/** The taint that keeps workloads off a quarantined node; only burn-in Jobs tolerate it. */
public final class Quarantine {
  public static final String TAINT_KEY = "patchops.dev/quarantine";
  public static final String TAINT_EFFECT = "NoSchedule";

  private Quarantine() {}
}
