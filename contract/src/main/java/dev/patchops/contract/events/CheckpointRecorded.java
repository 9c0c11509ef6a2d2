package dev.patchops.contract.events;

import dev.patchops.contract.TicketScoped;
import dev.patchops.contract.model.WorkloadRef;
import java.time.Instant;
import java.util.Map;

/** The known rollback point. Only content hashes travel; Secret data never leaves the service. */
public record CheckpointRecorded(
    String ticketId,
    String rolloutId,
    int revision,
    WorkloadRef workload,
    String checkpointId,
    String specHash,
    Map<String, String> configHashes,
    Instant recordedAt)
    implements TicketScoped {}
