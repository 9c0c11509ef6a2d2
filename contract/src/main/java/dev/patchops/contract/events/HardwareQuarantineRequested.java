package dev.patchops.contract.events;

import dev.patchops.contract.Nullable;
import dev.patchops.contract.TicketScoped;
import dev.patchops.contract.model.EquipmentRef;
import java.time.Instant;

/**
 * Take equipment out of service, locked to one assignee, until a burn-in test passes. {@code
 * nodeName} is set for a Kubernetes node, which the rollout-service then cordons and taints.
 */
public record HardwareQuarantineRequested(
    String ticketId,
    EquipmentRef equipment,
    @Nullable String nodeName,
    String assignee,
    Instant requestedAt)
    implements TicketScoped {}
