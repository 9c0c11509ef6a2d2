package dev.patchops.contract.events;

import dev.patchops.contract.Nullable;
import dev.patchops.contract.TicketScoped;
import dev.patchops.contract.model.TestAnalytics;
import dev.patchops.contract.model.TestOutcome;
import java.time.Instant;

/**
 * A test run finished; the analytics go back to the developers. {@code burnInNode} is set when the
 * run was a hardware burn-in on that node.
 */
public record TestRunCompleted(
    String ticketId,
    int revision,
    String runId,
    int attempt,
    @Nullable String burnInNode,
    TestOutcome outcome,
    TestAnalytics analytics,
    Instant completedAt)
    implements TicketScoped {}
