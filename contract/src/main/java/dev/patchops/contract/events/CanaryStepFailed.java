package dev.patchops.contract.events;

import dev.patchops.contract.Pattern;
import dev.patchops.contract.TicketScoped;
import dev.patchops.contract.model.AnalysisEvidence;
import dev.patchops.contract.model.RolloutOrigin;
import java.time.Instant;
import java.util.List;

public record CanaryStepFailed(
    String ticketId,
    String rolloutId,
    int step,
    int weight,
    String reason,
    List<AnalysisEvidence> evidence,
    Instant failedAt,
    @Pattern(Pattern.IMAGE_BY_DIGEST) String image,
    RolloutOrigin origin,
    String startedBy)
    implements TicketScoped {}
