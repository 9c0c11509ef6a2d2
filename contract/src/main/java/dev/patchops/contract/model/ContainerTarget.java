package dev.patchops.contract.model;

/** One container of one workload that a patch replaces the image of. */
public record ContainerTarget(WorkloadRef workload, String container) {}
