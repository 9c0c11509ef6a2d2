package dev.patchops.contract.model;

import dev.patchops.contract.Limit;
import dev.patchops.contract.Nullable;

/** One observation behind an analysis decision: the query or check, the value and the limit. */
public record AnalysisEvidence(
    @Limit(length = 256) String check,
    @Limit(length = 1024) String subject,
    @Limit(length = 1024) String observed,
    @Nullable @Limit(length = 256) String threshold,
    boolean passed) {}
