package dev.patchops.contract.model;

public enum TestCaseStatus {
  PASSED,
  FAILED,
  ERROR,
  SKIPPED
}
