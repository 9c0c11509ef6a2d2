package dev.patchops.ticket.equipment;

import dev.patchops.contract.model.TicketKind;
import dev.patchops.ticket.process.CurrentUser;
import dev.patchops.ticket.process.Gates;
import dev.patchops.ticket.process.Policies;
import dev.patchops.ticket.tickets.Ticket;
import dev.patchops.ticket.tickets.TicketState;
import io.quarkus.panache.common.Parameters;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * An open hardware ticket locks its equipment to the assigned engineer: nobody else but an admin
 * may act on the ticket or the equipment, and every other attempt is refused and recorded.
 */
@ApplicationScoped
public class EquipmentLocks {
  @Inject CurrentUser user;
  @Inject Gates gates;

  public void enforce(Ticket ticket, String action) {
    gates.enforce(
        ticket.id,
        action,
        user.name(),
        Policies.equipmentLock(
            ticket.id, ticket.kind, ticket.equipmentId, ticket.assignee, user.actor()));
  }

  private static final String OPEN_HARDWARE = "kind = :kind and state not in (:resolved, :closed)";

  /** The open hardware ticket that holds the lock on this equipment, if any. */
  public static Optional<Ticket> holder(String equipmentId) {
    return Ticket.find(
            OPEN_HARDWARE + " and equipmentId = :equipment",
            openHardware().and("equipment", equipmentId))
        .firstResultOptional();
  }

  /** Equipment id to the id of the open ticket that locks it, for all locked equipment. */
  public static Map<String, String> holders() {
    return Ticket.<Ticket>find(OPEN_HARDWARE, openHardware()).stream()
        .collect(Collectors.toMap(t -> t.equipmentId, t -> t.id));
  }

  private static Parameters openHardware() {
    return Parameters.with("kind", TicketKind.HARDWARE)
        .and("resolved", TicketState.RESOLVED)
        .and("closed", TicketState.CLOSED);
  }
}
