package dev.patchops.contract.model;

/** A Kubernetes workload, e.g. {@code payments/Deployment/checkout}. */
public record WorkloadRef(String namespace, String kind, String name) {}
