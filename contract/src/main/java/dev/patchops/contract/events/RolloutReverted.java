package dev.patchops.contract.events;

import dev.patchops.contract.Pattern;
import dev.patchops.contract.TicketScoped;
import dev.patchops.contract.model.AnalysisEvidence;
import dev.patchops.contract.model.RevertTrigger;
import dev.patchops.contract.model.RolloutOrigin;
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
    Instant revertStartedAt,
    @Pattern(Pattern.IMAGE_BY_DIGEST) String image,
    RolloutOrigin origin,
    String startedBy)
    implements TicketScoped {}
