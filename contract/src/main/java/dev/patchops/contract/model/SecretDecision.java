package dev.patchops.contract.model;

import dev.patchops.contract.Limit;

public record SecretDecision(
    @Limit(length = Limit.K8S_NAME) String secret,
    SecretDecisionKind decision,
    @Limit(length = 512) String reason) {}
