package dev.patchops.orchestrator.run;

/**
 * REQUESTED, then RUNNING under a lease (a crashed executor's lease runs out and the run is taken
 * up again; every step resumes idempotently), then COMPLETED with an outcome once the results are
 * recorded, and finally CLEANED once the mirror is gone.
 */
public enum RunState {
  REQUESTED,
  RUNNING,
  COMPLETED,
  CLEANED
}
