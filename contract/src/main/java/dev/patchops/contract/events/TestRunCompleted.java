package dev.patchops.contract.events;

import dev.patchops.contract.Nullable;
import dev.patchops.contract.TicketScoped;
import dev.patchops.contract.model.TestAnalytics;
import dev.patchops.contract.model.TestOutcome;
import java.time.Instant;

/**
 * A test run finished; the analytics go back to the developers. {@code burnInNode} is set when the
 * run was a hardware burn-in on that node. {@code author} wrote the revision under test: the person
 * told of its failures (null for a burn-in).
 */
public record TestRunCompleted(
    String ticketId,
    int revision,
    String runId,
    int attempt,
    @Nullable String burnInNode,
    TestOutcome outcome,
    TestAnalytics analytics,
    Instant completedAt,
    @Nullable String author)
    implements TicketScoped {}
