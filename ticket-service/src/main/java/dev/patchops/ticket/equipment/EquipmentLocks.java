package dev.patchops.ticket.equipment;

import dev.patchops.contract.model.TicketKind;
import dev.patchops.platform.security.Roles;
import dev.patchops.ticket.process.CurrentUser;
import dev.patchops.ticket.process.Gates;
import dev.patchops.ticket.tickets.Ticket;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.Optional;

/**
 * An open hardware ticket locks its equipment to the assigned engineer: nobody else but an admin
 * may act on the ticket or the equipment, and every other attempt is refused and recorded.
 */
@ApplicationScoped
public class EquipmentLocks {
  public static final String GATE = "equipment-lock";

  @Inject CurrentUser user;
  @Inject Gates gates;

  public void enforce(Ticket ticket, String action) {
    if (ticket.kind != TicketKind.HARDWARE || ticket.assignee == null) {
      return;
    }
    if (user.hasRole(Roles.ADMIN) || user.name().equals(ticket.assignee)) {
      return;
    }
    throw gates.forbidden(
        ticket.id,
        action,
        GATE,
        user.name(),
        "equipment "
            + ticket.equipmentId
            + " is locked to "
            + ticket.assignee
            + " by ticket "
            + ticket.id);
  }

  /** The open hardware ticket that holds the lock on this equipment, if any. */
  public static Optional<Ticket> holder(String equipmentId) {
    return Ticket.find(
            "equipmentId = ?1 and kind = ?2 and state not in (?3, ?4)",
            equipmentId,
            TicketKind.HARDWARE,
            dev.patchops.ticket.tickets.TicketState.RESOLVED,
            dev.patchops.ticket.tickets.TicketState.CLOSED)
        .firstResultOptional();
  }
}
