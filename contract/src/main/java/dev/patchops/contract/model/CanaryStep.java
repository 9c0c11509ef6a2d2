package dev.patchops.contract.model;

/** One canary step: the share of traffic or replicas, then how long to watch it. */
public record CanaryStep(int weight, int pauseSeconds) {}
