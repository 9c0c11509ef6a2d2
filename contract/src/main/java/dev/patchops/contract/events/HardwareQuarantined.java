package dev.patchops.contract.events;

import dev.patchops.contract.TicketScoped;
import dev.patchops.contract.model.EquipmentRef;
import java.time.Instant;
import java.util.List;

/**
 * The node is cordoned and carries the quarantine taint. {@code previousUnschedulable} and {@code
 * previousTaints} are the checkpoint that a release restores.
 */
public record HardwareQuarantined(
    String ticketId,
    EquipmentRef equipment,
    String nodeName,
    boolean previousUnschedulable,
    List<String> previousTaints,
    String taint,
    Instant quarantinedAt)
    implements TicketScoped {}
