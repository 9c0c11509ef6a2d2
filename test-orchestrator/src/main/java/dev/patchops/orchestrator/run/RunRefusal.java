package dev.patchops.orchestrator.run;

/**
 * A test-run request the process does not allow: which field of it, and why. A domain refusal; the
 * REST edge maps {@link Kind} to a status.
 */
public class RunRefusal extends RuntimeException {
  public enum Kind {
    /** The request is malformed or asks for something the revision did not propose. */
    INVALID,
    /** The revision it names was never proposed. */
    UNKNOWN_REVISION,
    /** The requester may not test this revision. */
    NOT_ALLOWED
  }

  private final Kind kind;
  private final String field;
  private final String reason;

  public RunRefusal(Kind kind, String field, String reason) {
    super(field + ": " + reason);
    this.kind = kind;
    this.field = field;
    this.reason = reason;
  }

  public Kind kind() {
    return kind;
  }

  public String field() {
    return field;
  }

  public String reason() {
    return reason;
  }
}
