package dev.patchops.contract.model;

import dev.patchops.contract.Limit;
import dev.patchops.contract.Nullable;

public record TestCaseResult(
    @Limit(length = 63) String suite,
    @Limit(length = 512) String name,
    TestCaseStatus status,
    long durationMs,
    @Nullable @Limit(length = 2048) String failureMessage) {}
