package dev.patchops.rollout;

import io.fabric8.kubernetes.client.Config;
import io.quarkus.kubernetes.client.KubernetesConfigCustomizer;
import jakarta.inject.Singleton;

/**
 * In the tests the service reaches the API server through the fault proxy, which forwards plain
 * HTTP only: a WebSocket upgrade comes back as a never-ending 200 watch stream, on which the Vert.x
 * client waits for good instead of falling back. Plain HTTP watches are what the proxy passes, and
 * they are what the API server serves anyway; a deployed service talks to the API server directly
 * and keeps the client's default.
 */
@Singleton
public class HttpWatchesThroughTheFaultProxy implements KubernetesConfigCustomizer {
  @Override
  public void customize(Config config) {
    config.setOnlyHttpWatches(true);
  }
}
