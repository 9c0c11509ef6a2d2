package dev.patchops.contract.events;

import dev.patchops.contract.TicketScoped;
import dev.patchops.contract.model.EquipmentRef;
import java.time.Instant;

/**
 * Plan B: the assigned engineer asks for the quarantined node back in service without a passed,
 * approved burn-in, and says why. Allowed once per ticket.
 */
public record HardwareManualReleaseRequested(
    String ticketId,
    EquipmentRef equipment,
    String nodeName,
    String requestedBy,
    String reason,
    Instant requestedAt)
    implements TicketScoped {}
