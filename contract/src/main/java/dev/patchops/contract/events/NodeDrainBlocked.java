package dev.patchops.contract.events;

import dev.patchops.contract.Limit;
import dev.patchops.contract.TicketScoped;
import dev.patchops.contract.model.EquipmentRef;
import java.time.Instant;
import java.util.List;

/**
 * A PodDisruptionBudget refused the eviction of {@code blockedPods} ({@code namespace/name}); the
 * drain is retried, never forced, and the burn-in waits. Published once per blocked drain.
 */
public record NodeDrainBlocked(
    @Limit(length = Limit.ID) String ticketId,
    EquipmentRef equipment,
    @Limit(length = Limit.K8S_NAME) String nodeName,
    @Limit(items = 200, length = 320) List<String> blockedPods,
    @Limit(length = Limit.TEXT) String reason,
    Instant blockedAt)
    implements TicketScoped {}
