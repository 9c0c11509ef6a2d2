package dev.patchops.contract.model;

public enum DiagnosticKind {
  LOG_QUERY,
  DASHBOARD,
  TRACE,
  DUMP,
  ALERT
}
