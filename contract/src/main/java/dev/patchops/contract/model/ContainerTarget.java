package dev.patchops.contract.model;

import dev.patchops.contract.Limit;

/** One container of one workload that a patch replaces the image of. */
public record ContainerTarget(WorkloadRef workload, @Limit(length = 63) String container) {}
