package dev.patchops.contract.events;

import dev.patchops.contract.Pattern;
import dev.patchops.contract.TicketScoped;
import dev.patchops.contract.model.RolloutOrigin;
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
    Instant recordedAt,
    @Pattern(Pattern.IMAGE_BY_DIGEST) String image,
    RolloutOrigin origin,
    String startedBy)
    implements TicketScoped {}
