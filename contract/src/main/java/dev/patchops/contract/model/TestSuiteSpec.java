package dev.patchops.contract.model;

import dev.patchops.contract.Nullable;
import java.util.List;

/** A test suite run as a Kubernetes Job in the mirror namespace. */
public record TestSuiteSpec(
    String name, String image, List<String> command, @Nullable Integer timeoutSeconds) {}
