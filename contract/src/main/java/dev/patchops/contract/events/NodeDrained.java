package dev.patchops.contract.events;

import dev.patchops.contract.TicketScoped;
import dev.patchops.contract.model.EquipmentRef;
import java.time.Instant;
import java.util.List;

/**
 * The quarantined node was drained before its burn-in: {@code evictedPods} ({@code namespace/name})
 * were evicted through the Eviction API, so every PodDisruptionBudget held.
 */
public record NodeDrained(
    String ticketId,
    EquipmentRef equipment,
    String nodeName,
    List<String> evictedPods,
    Instant drainedAt)
    implements TicketScoped {}
