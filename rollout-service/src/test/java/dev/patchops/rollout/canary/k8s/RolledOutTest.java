package dev.patchops.rollout.canary.k8s;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import org.junit.jupiter.api.Test;

/** When a Deployment counts as rolled out, read from the status its controller writes. */
class RolledOutTest {
  static Deployment deployment(long generation, long observed, int updated, int available) {
    return new DeploymentBuilder()
        .withNewMetadata()
        .withName("checkout")
        .withGeneration(generation)
        .endMetadata()
        .withNewSpec()
        .withReplicas(4)
        .withMinReadySeconds(30)
        .endSpec()
        .withNewStatus()
        .withObservedGeneration(observed)
        .withReplicas(4)
        .withUpdatedReplicas(updated)
        .withReadyReplicas(4)
        .withAvailableReplicas(available)
        .endStatus()
        .build();
  }

  @Test
  void readyPodsNotYetAvailableForMinReadySecondsAreNotRolledOut() {
    assertThat(WorkloadOps.rolledOut(deployment(2, 2, 4, 2))).isFalse();
    assertThat(WorkloadOps.rolledOut(deployment(2, 2, 4, 4))).isTrue();
  }

  @Test
  void aSpecTheControllerHasNotSeenYetIsNotRolledOut() {
    assertThat(WorkloadOps.rolledOut(deployment(3, 2, 4, 4))).isFalse();
    assertThat(WorkloadOps.rolledOut(deployment(3, 3, 3, 4))).isFalse();
  }
}
