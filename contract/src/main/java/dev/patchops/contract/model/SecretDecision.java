package dev.patchops.contract.model;

public record SecretDecision(String secret, SecretDecisionKind decision, String reason) {}
