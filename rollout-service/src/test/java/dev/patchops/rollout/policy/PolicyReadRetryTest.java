package dev.patchops.rollout.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.client.KubernetesClientException;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class PolicyReadRetryTest {
  @Test
  void aReadRefusedForAMomentIsTriedAgain() {
    AtomicInteger calls = new AtomicInteger();
    String read =
        RolloutPolicies.readRetryingTransient(
            () -> {
              if (calls.incrementAndGet() < 3) {
                throw new KubernetesClientException("storage is (re)initializing", 429, null);
              }
              return "policies";
            });
    assertThat(read).isEqualTo("policies");
    assertThat(calls).hasValue(3);
  }

  @Test
  void aRefusalForGoodIsNotRetriedAndATransientOneOnlySoLong() {
    AtomicInteger forbidden = new AtomicInteger();
    assertThatThrownBy(
            () ->
                RolloutPolicies.readRetryingTransient(
                    () -> {
                      forbidden.incrementAndGet();
                      throw new KubernetesClientException("forbidden", 403, null);
                    }))
        .isInstanceOf(KubernetesClientException.class);
    assertThat(forbidden).hasValue(1);
    AtomicInteger unavailable = new AtomicInteger();
    assertThatThrownBy(
            () ->
                RolloutPolicies.readRetryingTransient(
                    () -> {
                      unavailable.incrementAndGet();
                      throw new KubernetesClientException("unavailable", 503, null);
                    }))
        .isInstanceOf(KubernetesClientException.class);
    assertThat(unavailable).hasValue(RolloutPolicies.READ_ATTEMPTS);
  }
}
