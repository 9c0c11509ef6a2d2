package dev.patchops.ticket.patch;

public enum RevisionState {
  TESTING,
  FAILED,
  PASSED,
  APPROVED,
  REJECTED,
  SUPERSEDED,
  REVERTED
}
