package dev.patchops.contract.model;

import dev.patchops.contract.Nullable;

/** One observation behind an analysis decision: the query or check, the value and the limit. */
public record AnalysisEvidence(
    String check, String subject, String observed, @Nullable String threshold, boolean passed) {}
