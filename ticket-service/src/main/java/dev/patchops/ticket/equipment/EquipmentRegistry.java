package dev.patchops.ticket.equipment;

import dev.patchops.contract.events.EquipmentReassigned;
import dev.patchops.contract.events.EquipmentRegistered;
import dev.patchops.contract.events.HardwareLockTransferred;
import dev.patchops.contract.model.EquipmentType;
import dev.patchops.platform.messaging.Outbox;
import dev.patchops.ticket.process.NotFound;
import dev.patchops.ticket.tickets.Ticket;
import dev.patchops.ticket.tickets.TicketService;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.persistence.LockModeType;
import jakarta.transaction.Transactional;
import java.time.Instant;
import java.util.Optional;

/**
 * Equipment and its assignee, every change an event: who looks after a piece of hardware decides
 * who may work on it while a ticket locks it, so the trail must say who changed that and when.
 */
@ApplicationScoped
public class EquipmentRegistry {
  @Inject Outbox outbox;
  @Inject TicketService tickets;

  @Transactional(Transactional.TxType.MANDATORY)
  public Equipment register(
      String id,
      EquipmentType kind,
      String location,
      String nodeName,
      String assignee,
      String actor) {
    Equipment equipment = new Equipment();
    equipment.id = id;
    equipment.kind = kind;
    equipment.location = location;
    equipment.nodeName = nodeName;
    equipment.assignee = assignee;
    equipment.createdAt = Instant.now();
    equipment.updatedAt = equipment.createdAt;
    equipment.persist();
    outbox.publish(
        new EquipmentRegistered(id, kind, location, nodeName, assignee, actor, equipment.createdAt),
        "equipment/" + id,
        actor);
    return equipment;
  }

  /** Reassigning moves the lock too: an open ticket follows its equipment's new assignee. */
  @Transactional(Transactional.TxType.MANDATORY)
  public Equipment reassign(String id, String assignee, String actor) {
    // The equipment row lock orders this against a ticket being opened for the same equipment.
    Equipment equipment = Equipment.findById(id, LockModeType.PESSIMISTIC_WRITE);
    if (equipment == null) {
      throw new NotFound("equipment " + id);
    }
    String previous = equipment.assignee;
    equipment.assignee = assignee;
    equipment.updatedAt = Instant.now();
    // Every publisher of a ticket's events holds the ticket row first.
    Optional<Ticket> holder = EquipmentLocks.holder(id).map(t -> tickets.lock(t.id));
    outbox.publish(
        new EquipmentReassigned(
            id, previous, assignee, holder.map(t -> t.id).orElse(null), actor, equipment.updatedAt),
        "equipment/" + id,
        actor);
    holder.ifPresent(
        ticket -> {
          String from = ticket.assignee;
          ticket.assignee = assignee;
          outbox.publish(
              new HardwareLockTransferred(
                  ticket.id, id, from, assignee, actor, equipment.updatedAt),
              "tickets/" + ticket.id + "/equipment/" + id,
              actor);
        });
    return equipment;
  }
}
