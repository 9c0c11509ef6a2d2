package dev.patchops.contract.events;

import dev.patchops.contract.TicketScoped;
import dev.patchops.contract.model.RootCauseMethod;
import java.time.Instant;
import java.util.List;

/** The root cause was recorded: the gate that must be passed before any patch is proposed. */
public record RootCauseRecorded(
    String ticketId,
    RootCauseMethod method,
    List<String> whys,
    String rootCause,
    List<String> contributingFactors,
    List<String> affectedComponents,
    List<String> evidenceRefs,
    String recordedBy,
    Instant recordedAt)
    implements TicketScoped {}
