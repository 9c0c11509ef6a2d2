package dev.patchops.contract.events;

import dev.patchops.contract.TicketScoped;
import dev.patchops.contract.model.EquipmentRef;
import java.time.Instant;

/**
 * A hardware fix whose burn-in passed was approved by someone other than its author and the
 * equipment's assignee. Only now may the quarantined node go back into service.
 */
public record HardwareFixApproved(
    String ticketId,
    int revision,
    EquipmentRef equipment,
    String nodeName,
    String burnInRunId,
    String author,
    String assignee,
    String approvedBy,
    Instant approvedAt)
    implements TicketScoped {}
