package dev.patchops.contract.model;

import dev.patchops.contract.Nullable;

public record TestCaseResult(
    String suite,
    String name,
    TestCaseStatus status,
    long durationMs,
    @Nullable String failureMessage) {}
