package dev.patchops.contract.events;

import dev.patchops.contract.TicketScoped;
import dev.patchops.contract.model.EquipmentRef;
import java.time.Instant;

public record HardwareQuarantineReleased(
    String ticketId,
    EquipmentRef equipment,
    String releasedBy,
    boolean burnInPassed,
    Instant releasedAt)
    implements TicketScoped {}
