package dev.patchops.contract.events;

import dev.patchops.contract.Limit;
import dev.patchops.contract.Nullable;
import dev.patchops.contract.TicketScoped;
import dev.patchops.contract.model.EquipmentRef;
import java.time.Instant;

/**
 * A quarantined node was changed outside PatchOps (e.g. {@code kubectl uncordon}): {@code observed}
 * says what was found, {@code fieldManager} the client that wrote it when the API server recorded
 * one. {@code reapplied} is true when the rollout-service put the quarantine back.
 */
public record QuarantineBreached(
    @Limit(length = Limit.ID) String ticketId,
    EquipmentRef equipment,
    @Limit(length = Limit.K8S_NAME) String nodeName,
    @Limit(length = 1024) String observed,
    @Nullable @Limit(length = 128) String fieldManager,
    boolean reapplied,
    Instant detectedAt)
    implements TicketScoped {}
