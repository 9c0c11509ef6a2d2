package dev.patchops.contract.events;

import dev.patchops.contract.Limit;
import dev.patchops.contract.TicketScoped;
import dev.patchops.contract.model.EquipmentRef;
import java.time.Instant;

/**
 * Plan B: the assigned engineer asks for the quarantined node back in service without a passed,
 * approved burn-in, and says why. Allowed once per ticket.
 */
public record HardwareManualReleaseRequested(
    @Limit(length = Limit.ID) String ticketId,
    EquipmentRef equipment,
    @Limit(length = Limit.K8S_NAME) String nodeName,
    @Limit(length = Limit.ACTOR) String requestedBy,
    @Limit(length = Limit.TEXT) String reason,
    Instant requestedAt)
    implements TicketScoped {}
