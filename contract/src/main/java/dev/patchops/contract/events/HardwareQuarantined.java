package dev.patchops.contract.events;

import dev.patchops.contract.Limit;
import dev.patchops.contract.TicketScoped;
import dev.patchops.contract.model.EquipmentRef;
import java.time.Instant;
import java.util.List;

/**
 * The node is cordoned and carries the quarantine taint. {@code previousUnschedulable} and {@code
 * previousTaints} are the checkpoint that a release restores.
 */
public record HardwareQuarantined(
    @Limit(length = Limit.ID) String ticketId,
    EquipmentRef equipment,
    @Limit(length = Limit.K8S_NAME) String nodeName,
    boolean previousUnschedulable,
    @Limit(items = 64, length = 512) List<String> previousTaints,
    @Limit(length = 512) String taint,
    Instant quarantinedAt)
    implements TicketScoped {}
