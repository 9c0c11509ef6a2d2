package dev.patchops.contract.events;

import dev.patchops.contract.Limit;
import dev.patchops.contract.TicketScoped;
import dev.patchops.contract.model.EquipmentRef;
import java.time.Instant;
import java.util.List;

/**
 * The quarantined node was drained before its burn-in: {@code evictedPods} ({@code namespace/name})
 * were evicted through the Eviction API, so every PodDisruptionBudget held.
 */
public record NodeDrained(
    @Limit(length = Limit.ID) String ticketId,
    EquipmentRef equipment,
    @Limit(length = Limit.K8S_NAME) String nodeName,
    @Limit(items = 200, length = 320) List<String> evictedPods,
    Instant drainedAt)
    implements TicketScoped {}
