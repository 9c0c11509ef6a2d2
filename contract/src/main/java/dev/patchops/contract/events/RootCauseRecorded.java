package dev.patchops.contract.events;

import dev.patchops.contract.Limit;
import dev.patchops.contract.TicketScoped;
import dev.patchops.contract.model.RootCauseMethod;
import java.time.Instant;
import java.util.List;

/** The root cause was recorded: the gate that must be passed before any patch is proposed. */
public record RootCauseRecorded(
    @Limit(length = Limit.ID) String ticketId,
    RootCauseMethod method,
    @Limit(items = 10, length = 1000) List<String> whys,
    @Limit(length = 10_000) String rootCause,
    @Limit(items = 50, length = 1000) List<String> contributingFactors,
    @Limit(items = 50, length = 300) List<String> affectedComponents,
    @Limit(items = 100, length = 512) List<String> evidenceRefs,
    @Limit(length = Limit.ACTOR) String recordedBy,
    Instant recordedAt)
    implements TicketScoped {}
