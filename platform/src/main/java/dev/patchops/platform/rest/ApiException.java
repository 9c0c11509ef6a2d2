package dev.patchops.platform.rest;

import java.util.List;

/**
 * A refusal the API means to give: the status, a stable problem type, and a reason a person can act
 * on. Services throw it; {@link ProblemMappers} renders it.
 */
public class ApiException extends RuntimeException {
  private final int status;
  private final String problemType;
  private final String title;
  private final List<Problem.Violation> violations;

  public ApiException(
      int status,
      String problemType,
      String title,
      String detail,
      List<Problem.Violation> violations) {
    super(detail);
    this.status = status;
    this.problemType = problemType;
    this.title = title;
    this.violations = List.copyOf(violations);
  }

  public static ApiException badRequest(String field, String reason) {
    return new ApiException(
        400,
        "invalid-request",
        "Invalid request",
        field + ": " + reason,
        List.of(new Problem.Violation(field, reason)));
  }

  public static ApiException notFound(String what) {
    return new ApiException(404, "not-found", "Not found", what + " does not exist", List.of());
  }

  /** A gate of the process or an illegal state transition. */
  public static ApiException conflict(String problemType, String detail) {
    return new ApiException(409, problemType, "Conflict", detail, List.of());
  }

  public static ApiException forbidden(String problemType, String detail) {
    return new ApiException(403, problemType, "Forbidden", detail, List.of());
  }

  public int status() {
    return status;
  }

  public String problemType() {
    return problemType;
  }

  public String title() {
    return title;
  }

  public List<Problem.Violation> violations() {
    return violations;
  }
}
