package dev.patchops.contract.model;

import dev.patchops.contract.Nullable;
import java.util.List;

public record SuiteResult(
    String name,
    TestOutcome outcome,
    @Nullable Integer exitCode,
    long durationMs,
    int tests,
    int failures,
    int errors,
    int skipped,
    List<TestCaseResult> cases,
    @Nullable String logTail) {}
