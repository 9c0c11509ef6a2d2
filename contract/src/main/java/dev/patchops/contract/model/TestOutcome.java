package dev.patchops.contract.model;

public enum TestOutcome {
  PASSED,
  FAILED,
  ERROR
}
