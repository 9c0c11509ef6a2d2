package dev.patchops.contract.events;

import dev.patchops.contract.Limit;
import dev.patchops.contract.Nullable;
import dev.patchops.contract.TicketScoped;
import dev.patchops.contract.model.EquipmentRef;
import java.time.Instant;

/**
 * Take equipment out of service, locked to one assignee, until a burn-in test passes. {@code
 * nodeName} is set for a Kubernetes node, which the rollout-service then cordons and taints.
 */
public record HardwareQuarantineRequested(
    @Limit(length = Limit.ID) String ticketId,
    EquipmentRef equipment,
    @Nullable @Limit(length = Limit.K8S_NAME) String nodeName,
    @Limit(length = Limit.ACTOR) String assignee,
    Instant requestedAt)
    implements TicketScoped {}
