package dev.patchops.platform.k8s;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.client.KubernetesClientException;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class ApiRetryTest {
  private static KubernetesClientException status(int code) {
    return new KubernetesClientException("status " + code, code, null);
  }

  @Test
  void aClosedConnectionAndServerErrorsAreRetriedUntilTheCallGoesThrough() {
    AtomicInteger calls = new AtomicInteger();
    String result =
        ApiRetry.withRetry(
            3,
            () -> {
              int call = calls.incrementAndGet();
              if (call == 1) {
                // What the client throws when the server closed a pooled connection: no status.
                throw new KubernetesClientException(
                    "Connection was closed", new java.io.IOException("closed"));
              }
              if (call == 2) {
                throw status(503);
              }
              return "created";
            });
    assertThat(result).isEqualTo("created");
    assertThat(calls).hasValue(3);
  }

  @Test
  void refusalsAreNotRetriedAndTransientFailuresOnlyUpToTheAttempts() {
    AtomicInteger forbidden = new AtomicInteger();
    assertThatThrownBy(
            () ->
                ApiRetry.withRetry(
                    3,
                    () -> {
                      forbidden.incrementAndGet();
                      throw status(403);
                    }))
        .isInstanceOf(KubernetesClientException.class);
    assertThat(forbidden).hasValue(1);

    AtomicInteger throttled = new AtomicInteger();
    assertThatThrownBy(
            () ->
                ApiRetry.withRetry(
                    2,
                    () -> {
                      throttled.incrementAndGet();
                      throw status(429);
                    }))
        .hasMessage("status 429");
    assertThat(throttled).hasValue(2);
  }
}
