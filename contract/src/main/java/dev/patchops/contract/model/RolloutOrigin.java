package dev.patchops.contract.model;

/**
 * The path by which a rollout reached production. Every rollout event names it, so the trail shows
 * which gate each change went through, and an {@link #EMERGENCY} start (which skipped the approval
 * and freeze gates) stays visible for its review after the fact.
 */
public enum RolloutOrigin {
  /** Started by the rollout-service on a {@code ticket.patch-approved} event. */
  APPROVAL,
  /** Started over the rollout-service's REST API for an approved revision. */
  REST,
  /** Started by a PatchRollout applied with kubectl for an approved revision. */
  KUBECTL,
  /** Started around the approval and freeze gates, by an authorised role with a reason. */
  EMERGENCY
}
