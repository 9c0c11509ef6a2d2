package dev.patchops.contract.events;

import dev.patchops.contract.TicketScoped;
import dev.patchops.contract.model.AnalysisEvidence;
import java.time.Instant;
import java.util.List;

public record CanaryStepFailed(
    String ticketId,
    String rolloutId,
    int step,
    int weight,
    String reason,
    List<AnalysisEvidence> evidence,
    Instant failedAt)
    implements TicketScoped {}
