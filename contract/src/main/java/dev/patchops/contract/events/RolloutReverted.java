package dev.patchops.contract.events;

import dev.patchops.contract.TicketScoped;
import dev.patchops.contract.model.AnalysisEvidence;
import dev.patchops.contract.model.RevertTrigger;
import java.time.Instant;
import java.util.List;

/** A revert to the checkpoint has begun. */
public record RolloutReverted(
    String ticketId,
    String rolloutId,
    int revision,
    RevertTrigger trigger,
    String reason,
    List<AnalysisEvidence> evidence,
    Instant revertStartedAt)
    implements TicketScoped {}
