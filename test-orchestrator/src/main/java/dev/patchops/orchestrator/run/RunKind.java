package dev.patchops.orchestrator.run;

/**
 * A patch revision tested in a mirror of its production namespace, or a hardware fix tested by a
 * burn-in on the quarantined node itself, in a namespace of its own that mirrors nothing.
 */
public enum RunKind {
  MIRROR,
  BURN_IN
}
