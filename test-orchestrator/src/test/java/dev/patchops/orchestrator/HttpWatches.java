package dev.patchops.orchestrator;

import io.fabric8.kubernetes.client.Config;
import io.quarkus.kubernetes.client.KubernetesConfigCustomizer;
import jakarta.inject.Singleton;

/**
 * The service's watches stream over plain HTTP from the start, as kubectl's do. In tests the
 * service reaches the API server through the fault proxy of {@code testing}, which refuses a
 * WebSocket upgrade: fabric8 then falls back to an HTTP watch, but only after the failed handshake,
 * and the readiness gate and the suite runner open watches on every run, inside their deadlines.
 */
@Singleton
public class HttpWatches implements KubernetesConfigCustomizer {
  @Override
  public void customize(Config config) {
    config.setOnlyHttpWatches(true);
  }
}
