package dev.patchops.contract.model;

import dev.patchops.contract.Limit;
import dev.patchops.contract.Nullable;
import java.util.List;

public record SuiteResult(
    @Limit(length = 63) String name,
    TestOutcome outcome,
    @Nullable Integer exitCode,
    long durationMs,
    int tests,
    int failures,
    int errors,
    int skipped,
    @Limit(items = 2000) List<TestCaseResult> cases,
    @Nullable @Limit(length = 65_536) String logTail) {}
