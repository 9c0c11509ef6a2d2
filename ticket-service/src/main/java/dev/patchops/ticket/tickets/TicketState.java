package dev.patchops.ticket.tickets;

import java.util.EnumSet;
import java.util.Map;
import java.util.Set;

/**
 * The life of a ticket. Every change of state goes through {@link #canMoveTo}; anything else is
 * refused with 409 and the reason. See docs/architecture.md for the diagram.
 */
public enum TicketState {
  OPENED,
  DIAGNOSING,
  ROOT_CAUSE_IDENTIFIED,
  PATCH_PROPOSED,
  TESTING,
  CHANGES_REQUESTED,
  AWAITING_APPROVAL,
  APPROVED,
  ROLLING_OUT,
  MONITORING,
  RESOLVED,
  REVERTED,
  CLOSED;

  private static final Map<TicketState, Set<TicketState>> NEXT =
      Map.ofEntries(
          Map.entry(OPENED, EnumSet.of(DIAGNOSING, ROOT_CAUSE_IDENTIFIED, CLOSED)),
          Map.entry(DIAGNOSING, EnumSet.of(ROOT_CAUSE_IDENTIFIED, CLOSED)),
          Map.entry(ROOT_CAUSE_IDENTIFIED, EnumSet.of(PATCH_PROPOSED, CLOSED)),
          Map.entry(PATCH_PROPOSED, EnumSet.of(TESTING, CHANGES_REQUESTED, AWAITING_APPROVAL)),
          // TESTING -> MONITORING: a hardware fix whose burn-in passed waits there for the node's
          // release.
          Map.entry(TESTING, EnumSet.of(CHANGES_REQUESTED, AWAITING_APPROVAL, MONITORING)),
          Map.entry(CHANGES_REQUESTED, EnumSet.of(PATCH_PROPOSED, CLOSED)),
          Map.entry(AWAITING_APPROVAL, EnumSet.of(APPROVED, CHANGES_REQUESTED, PATCH_PROPOSED)),
          Map.entry(APPROVED, EnumSet.of(ROLLING_OUT, MONITORING, REVERTED, CHANGES_REQUESTED)),
          Map.entry(ROLLING_OUT, EnumSet.of(MONITORING, REVERTED)),
          Map.entry(MONITORING, EnumSet.of(RESOLVED, REVERTED)),
          Map.entry(REVERTED, EnumSet.of(CHANGES_REQUESTED, PATCH_PROPOSED, CLOSED)),
          Map.entry(RESOLVED, EnumSet.of(CLOSED, DIAGNOSING)),
          Map.entry(CLOSED, EnumSet.noneOf(TicketState.class)));

  public boolean canMoveTo(TicketState next) {
    return NEXT.get(this).contains(next);
  }

  public Set<TicketState> next() {
    return Set.copyOf(NEXT.get(this));
  }

  /** States in which a new patch revision may be proposed. */
  public boolean acceptsRevision() {
    return canMoveTo(PATCH_PROPOSED);
  }
}
