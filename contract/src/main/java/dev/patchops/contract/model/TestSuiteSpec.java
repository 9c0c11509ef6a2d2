package dev.patchops.contract.model;

import dev.patchops.contract.Limit;
import dev.patchops.contract.Nullable;
import java.util.List;

/** A test suite run as a Kubernetes Job in the mirror namespace. */
public record TestSuiteSpec(
    @Limit(length = 63) String name,
    @Limit(length = 600) String image,
    @Limit(items = 20, length = 256) List<String> command,
    @Nullable Integer timeoutSeconds) {}
