package dev.patchops.contract.model;

import dev.patchops.contract.Limit;

/** A Kubernetes workload, e.g. {@code payments/Deployment/checkout}. */
public record WorkloadRef(
    @Limit(length = 63) String namespace,
    @Limit(length = 63) String kind,
    @Limit(length = 253) String name) {}
