package dev.patchops.contract.events;

import dev.patchops.contract.TicketScoped;
import dev.patchops.contract.model.EquipmentRef;
import java.time.Instant;
import java.util.List;

/**
 * A PodDisruptionBudget refused the eviction of {@code blockedPods} ({@code namespace/name}); the
 * drain is retried, never forced, and the burn-in waits. Published once per blocked drain.
 */
public record NodeDrainBlocked(
    String ticketId,
    EquipmentRef equipment,
    String nodeName,
    List<String> blockedPods,
    String reason,
    Instant blockedAt)
    implements TicketScoped {}
