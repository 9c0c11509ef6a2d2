package dev.patchops.ticket.process;

/** A request the domain cannot take as it is: the field at fault and why. No gate is involved. */
public class InvalidInput extends RuntimeException {
  private final String field;
  private final String reason;

  public InvalidInput(String field, String reason) {
    super(field + ": " + reason);
    this.field = field;
    this.reason = reason;
  }

  public String field() {
    return field;
  }

  public String reason() {
    return reason;
  }
}
