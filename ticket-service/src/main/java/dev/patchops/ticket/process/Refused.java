package dev.patchops.ticket.process;

/** The domain refusal: a gate said no to an action on a ticket. Recorded before it is thrown. */
public class Refused extends RuntimeException {
  private final transient Refusal refusal;
  private final String ticketId;
  private final String action;

  public Refused(String ticketId, String action, Refusal refusal) {
    super(refusal.reason());
    this.refusal = refusal;
    this.ticketId = ticketId;
    this.action = action;
  }

  public Refusal refusal() {
    return refusal;
  }

  public String ticketId() {
    return ticketId;
  }

  public String action() {
    return action;
  }
}
