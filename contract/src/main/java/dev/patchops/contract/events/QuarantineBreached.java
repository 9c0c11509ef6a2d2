package dev.patchops.contract.events;

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
    String ticketId,
    EquipmentRef equipment,
    String nodeName,
    String observed,
    @Nullable String fieldManager,
    boolean reapplied,
    Instant detectedAt)
    implements TicketScoped {}
