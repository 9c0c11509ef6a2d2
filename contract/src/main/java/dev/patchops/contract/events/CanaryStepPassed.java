package dev.patchops.contract.events;

import dev.patchops.contract.TicketScoped;
import dev.patchops.contract.model.AnalysisEvidence;
import java.time.Instant;
import java.util.List;

public record CanaryStepPassed(
    String ticketId,
    String rolloutId,
    int step,
    int weight,
    List<AnalysisEvidence> evidence,
    Instant passedAt)
    implements TicketScoped {}
