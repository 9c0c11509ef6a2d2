package dev.patchops.rollout.canary;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.patchops.rollout.Sandbox;
import dev.patchops.rollout.WithRolloutInfra;
import dev.patchops.testing.TestInfra;
import dev.patchops.testing.kube.TestCluster;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A checkpoint's Secret data is sealed to its rollout (AES-GCM with the rollout id as associated
 * data): the sealed column of one rollout, copied into another rollout's row in PostgreSQL, does
 * not open there, so the other rollout can never restore a Secret that was not its own.
 */
@QuarkusTest
@WithRolloutInfra
class SealedCheckpointTest {
  static final Duration WAIT = Duration.ofSeconds(40);

  final KubernetesClient client = TestCluster.admin();
  @Inject RolloutService rollouts;
  @Inject dev.patchops.rollout.checkpoint.Checkpoints checkpoints;

  @BeforeEach
  void sandbox() {
    Sandbox.start(client);
  }

  private String startedWithCheckpoint(String ns, char digit) {
    String id =
        CanaryFailuresTest.start(
            ns, Sandbox.image("", digit), "\"steps\":[{\"weight\":25,\"pauseSeconds\":600}]");
    await().atMost(WAIT).until(() -> rollouts.get(id).phase == RolloutPhase.PROGRESSING);
    return id;
  }

  private static byte[] sealedOf(String rolloutId) throws Exception {
    try (var c = TestInfra.superuserConnection();
        var st = c.prepareStatement("select sealed_secrets from checkpoint where rollout_id = ?")) {
      st.setString(1, rolloutId);
      try (var rs = st.executeQuery()) {
        assertThat(rs.next()).isTrue();
        return rs.getBytes(1);
      }
    }
  }

  private static void setSealed(String rolloutId, byte[] sealed) throws Exception {
    try (var c = TestInfra.superuserConnection();
        var st =
            c.prepareStatement("update checkpoint set sealed_secrets = ? where rollout_id = ?")) {
      st.setBytes(1, sealed);
      st.setString(2, rolloutId);
      assertThat(st.executeUpdate()).isEqualTo(1);
    }
  }

  @Test
  void aSealedSecretMovedToAnotherRolloutDoesNotOpenThere() throws Exception {
    String shopA = Sandbox.shop(client);
    String shopB = Sandbox.shop(client);
    client
        .secrets()
        .inNamespace(shopB)
        .withName("checkout-db")
        .edit(
            s -> {
              s.setData(Map.of("password", "c2VjcmV0LUI="));
              return s;
            });
    String a = startedWithCheckpoint(shopA, '1');
    String b = startedWithCheckpoint(shopB, '2');
    byte[] sealedA = sealedOf(a);
    byte[] sealedB = sealedOf(b);
    assertThat(checkpoints.load(b).secrets().values())
        .singleElement()
        .satisfies(s -> assertThat(s.getData()).containsEntry("password", "c2VjcmV0LUI="));
    try {
      setSealed(b, sealedA);
      assertThatThrownBy(() -> checkpoints.load(b))
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("do not open");
      // The blob itself is sound: in its own rollout's row it opens to that rollout's Secret.
      assertThat(checkpoints.load(a).secrets().values())
          .singleElement()
          .satisfies(s -> assertThat(s.getData()).containsEntry("password", "c2VjcmV0LTE="));
    } finally {
      setSealed(b, sealedB);
      rollouts.command(a, RolloutService.Command.ABORT, "test");
      rollouts.command(b, RolloutService.Command.ABORT, "test");
    }
    await().atMost(WAIT).until(() -> rollouts.get(a).phase == RolloutPhase.REVERTED);
    await().atMost(WAIT).until(() -> rollouts.get(b).phase == RolloutPhase.REVERTED);
    assertThat(client.secrets().inNamespace(shopB).withName("checkout-db").get().getData())
        .containsEntry("password", "c2VjcmV0LUI=");
  }
}
