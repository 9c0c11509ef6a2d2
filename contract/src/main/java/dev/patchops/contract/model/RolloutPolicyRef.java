package dev.patchops.contract.model;

import dev.patchops.contract.Limit;

/**
 * The PatchRolloutPolicy a rollout ran with, as it stood when the rollout started.
 *
 * @param name the policy's name in the workload's namespace
 * @param generation its {@code metadata.generation}: the version of its spec
 * @param reason why this policy was chosen (e.g. {@code named the Deployment}, {@code selector with
 *     2 requirements})
 */
public record RolloutPolicyRef(
    @Limit(length = Limit.K8S_NAME) String name,
    long generation,
    @Limit(length = 1024) String reason) {}
