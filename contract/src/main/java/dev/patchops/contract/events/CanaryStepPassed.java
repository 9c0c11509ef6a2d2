package dev.patchops.contract.events;

import dev.patchops.contract.Pattern;
import dev.patchops.contract.TicketScoped;
import dev.patchops.contract.model.AnalysisEvidence;
import dev.patchops.contract.model.RolloutOrigin;
import java.time.Instant;
import java.util.List;

public record CanaryStepPassed(
    String ticketId,
    String rolloutId,
    int step,
    int weight,
    List<AnalysisEvidence> evidence,
    Instant passedAt,
    @Pattern(Pattern.IMAGE_BY_DIGEST) String image,
    RolloutOrigin origin,
    String startedBy)
    implements TicketScoped {}
