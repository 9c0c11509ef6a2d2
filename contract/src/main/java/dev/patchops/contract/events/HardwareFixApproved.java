package dev.patchops.contract.events;

import dev.patchops.contract.Limit;
import dev.patchops.contract.TicketScoped;
import dev.patchops.contract.model.EquipmentRef;
import java.time.Instant;

/**
 * A hardware fix whose burn-in passed was approved by someone other than its author and the
 * equipment's assignee. Only now may the quarantined node go back into service.
 */
public record HardwareFixApproved(
    @Limit(length = Limit.ID) String ticketId,
    int revision,
    EquipmentRef equipment,
    @Limit(length = Limit.K8S_NAME) String nodeName,
    @Limit(length = Limit.ID) String burnInRunId,
    @Limit(length = Limit.ACTOR) String author,
    @Limit(length = Limit.ACTOR) String assignee,
    @Limit(length = Limit.ACTOR) String approvedBy,
    Instant approvedAt)
    implements TicketScoped {}
