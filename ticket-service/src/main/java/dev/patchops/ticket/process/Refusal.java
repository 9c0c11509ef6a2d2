package dev.patchops.ticket.process;

/**
 * Why a gate refuses an action. {@code field} names the request field at fault for an {@link
 * Kind#INVALID} refusal, null otherwise.
 */
public record Refusal(Gate gate, Kind kind, String field, String reason) {

  /** What kind of refusal it is; the REST edge turns it into 400, 403 or 409. */
  public enum Kind {
    /** The request lacks or misstates something the gate needs. */
    INVALID,
    /** This person may not do this. */
    FORBIDDEN,
    /** Not now: the ticket or the world is not in a state that allows it. */
    CONFLICT
  }

  public static Refusal invalid(Gate gate, String field, String reason) {
    return new Refusal(gate, Kind.INVALID, field, reason);
  }

  public static Refusal forbidden(Gate gate, String reason) {
    return new Refusal(gate, Kind.FORBIDDEN, null, reason);
  }

  public static Refusal conflict(Gate gate, String reason) {
    return new Refusal(gate, Kind.CONFLICT, null, reason);
  }

  /**
   * The reason as the trail records it: with the field, since the event has no field of its own.
   */
  public String recordedReason() {
    return field == null ? reason : field + " " + reason;
  }
}
