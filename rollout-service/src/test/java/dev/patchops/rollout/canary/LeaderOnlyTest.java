package dev.patchops.rollout.canary;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.patchops.rollout.Sandbox;
import dev.patchops.rollout.WithRolloutInfra;
import dev.patchops.rollout.leader.Leadership;
import dev.patchops.testing.kube.TestCluster;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Only the holder of the Lease {@code patchops-rollout-service} acts. Another replica (here: an
 * identity that takes the Lease on the real API server) holds it, so this instance stands by: it
 * still stores the rollout it is asked for, and leaves the cluster alone for as many engine turns
 * as the test watches. Once the Lease is free again it takes it and carries the rollout on.
 */
@QuarkusTest
@WithRolloutInfra
class LeaderOnlyTest {
  static final Duration WAIT = Duration.ofSeconds(40);
  static final String NAMESPACE = "patchops";
  static final String LEASE = "patchops-rollout-service";
  static final String OTHER_REPLICA = "rollout-service-other-replica";

  final KubernetesClient client = TestCluster.admin();
  @Inject RolloutService rollouts;
  @Inject dev.patchops.rollout.checkpoint.Checkpoints checkpoints;
  @Inject RolloutEngine engine;
  @Inject Leadership leadership;

  @BeforeEach
  void sandbox() {
    Sandbox.start(client);
  }

  private Lease lease() {
    return client.leases().inNamespace(NAMESPACE).withName(LEASE).get();
  }

  /** The other replica takes the Lease for an hour (an update: a concurrent renewal is a 409). */
  private void otherReplicaTakesTheLease() {
    await()
        .atMost(WAIT)
        .ignoreExceptions()
        .until(
            () -> {
              Lease lease = lease();
              ZonedDateTime now = ZonedDateTime.now(ZoneOffset.UTC);
              lease.getSpec().setHolderIdentity(OTHER_REPLICA);
              lease.getSpec().setLeaseDurationSeconds(3600);
              lease.getSpec().setAcquireTime(now);
              lease.getSpec().setRenewTime(now);
              client.leases().inNamespace(NAMESPACE).resource(lease).update();
              return true;
            });
  }

  @Test
  void aReplicaThatDoesNotHoldTheLeaseStoresTheRolloutAndLeavesTheClusterAlone() {
    await().atMost(WAIT).until(leadership::isLeader);
    String ns = Sandbox.shop(client);
    String id = null;
    try {
      otherReplicaTakesTheLease();
      await().atMost(WAIT).until(() -> !leadership.isLeader());

      id =
          CanaryFailuresTest.start(
              ns, Sandbox.image("", '5'), "\"steps\":[{\"weight\":25,\"pauseSeconds\":600}]");
      String rolloutId = id;
      assertThat(rollouts.get(rolloutId).phase).isEqualTo(RolloutPhase.PENDING);
      // Enough turns of the standby's engine, each of which a leader would have used to act.
      long turns = engine.turns();
      await().atMost(WAIT).until(() -> engine.turns() >= turns + 10);

      Rollout standing = rollouts.get(rolloutId);
      assertThat(standing.phase).isEqualTo(RolloutPhase.PENDING);
      assertThat(standing.crName).as("no PatchRollout written").isNull();
      assertThat(checkpoints.row(rolloutId)).as("no checkpoint taken").isNull();
      assertThat(client.apps().deployments().inNamespace(ns).withName("checkout-canary").get())
          .isNull();
      assertThat(lease().getSpec().getHolderIdentity()).isEqualTo(OTHER_REPLICA);
      assertThat(leadership.isLeader()).isFalse();
    } finally {
      // The other replica is gone without releasing: its Lease is deleted, free to be taken.
      client.leases().inNamespace(NAMESPACE).withName(LEASE).delete();
    }
    await().atMost(WAIT).until(leadership::isLeader);
    assertThat(lease().getSpec().getHolderIdentity()).isEqualTo(leadership.identity());
    String rolloutId = id;
    await()
        .atMost(WAIT)
        .until(
            () ->
                client.apps().deployments().inNamespace(ns).withName("checkout-canary").get()
                    != null);
    assertThat(checkpoints.row(rolloutId)).isNotNull();
    rollouts.command(rolloutId, RolloutService.Command.ABORT, "test");
    await().atMost(WAIT).until(() -> rollouts.get(rolloutId).phase == RolloutPhase.REVERTED);
  }
}
