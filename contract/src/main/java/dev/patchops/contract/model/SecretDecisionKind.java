package dev.patchops.contract.model;

/** What the mirror did with a production Secret. */
public enum SecretDecisionKind {
  COPIED,
  PLACEHOLDER
}
