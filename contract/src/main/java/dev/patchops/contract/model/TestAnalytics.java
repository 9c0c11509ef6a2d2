package dev.patchops.contract.model;

import dev.patchops.contract.Nullable;
import java.util.List;

/** What goes back to the developers after a test run: enough to fix the patch without a cluster. */
public record TestAnalytics(
    long durationMs,
    List<SuiteResult> suites,
    List<String> failureMessages,
    List<String> environmentIssues,
    List<SecretDecision> secretDecisions,
    @Nullable String changesSinceLastAttempt) {}
