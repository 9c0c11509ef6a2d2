package dev.patchops.contract.model;

import dev.patchops.contract.Limit;
import dev.patchops.contract.Nullable;
import java.util.List;

/**
 * What goes back to the developers after a test run: enough to fix the patch without a cluster.
 * {@code readinessMs} is how long the mirror took to become ready (null if it never did), {@code
 * restarts} the container restarts seen in it. {@code changesSinceLastAttempt} compares the run
 * with the ticket's previous attempt; null on its first.
 */
public record TestAnalytics(
    long durationMs,
    @Nullable Long readinessMs,
    int restarts,
    @Limit(items = 20) List<SuiteResult> suites,
    @Limit(items = 201, length = 2048) List<String> failureMessages,
    List<String> environmentIssues,
    List<SecretDecision> secretDecisions,
    @Nullable AttemptChanges changesSinceLastAttempt) {}
