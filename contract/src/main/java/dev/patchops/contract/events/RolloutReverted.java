package dev.patchops.contract.events;

import dev.patchops.contract.Limit;
import dev.patchops.contract.Pattern;
import dev.patchops.contract.TicketScoped;
import dev.patchops.contract.model.AnalysisEvidence;
import dev.patchops.contract.model.RevertTrigger;
import dev.patchops.contract.model.RolloutOrigin;
import java.time.Instant;
import java.util.List;

/** A revert to the checkpoint has begun. */
public record RolloutReverted(
    @Limit(length = Limit.ID) String ticketId,
    @Limit(length = Limit.ID) String rolloutId,
    int revision,
    RevertTrigger trigger,
    @Limit(length = Limit.TEXT) String reason,
    @Limit(items = 48) List<AnalysisEvidence> evidence,
    Instant revertStartedAt,
    @Pattern(Pattern.IMAGE_BY_DIGEST) @Limit(length = Limit.IMAGE) String image,
    RolloutOrigin origin,
    @Limit(length = Limit.ACTOR) String startedBy)
    implements TicketScoped {}
