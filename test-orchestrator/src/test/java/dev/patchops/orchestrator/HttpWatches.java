package dev.patchops.orchestrator;

import io.fabric8.kubernetes.client.Config;
import io.quarkus.kubernetes.client.KubernetesConfigCustomizer;
import jakarta.inject.Singleton;

/**
 * The service's watches stream over plain HTTP, as kubectl's do. In tests the service reaches the
 * API server through the fault proxy of {@code testing}, which forwards HTTP but not a WebSocket
 * upgrade: fabric8's default WebSocket watch would wait on its handshake forever (see the migration
 * notes for the fix the proxy needs).
 */
@Singleton
public class HttpWatches implements KubernetesConfigCustomizer {
  @Override
  public void customize(Config config) {
    config.setOnlyHttpWatches(true);
  }
}
