package dev.patchops.orchestrator;

import dev.patchops.sandbox.SimulatedKubelet;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.quarkus.test.kubernetes.client.KubernetesServer;

/** The simulated kubelet wired to this module's mock API, finished Jobs' logs included. */
public final class Sandbox {
  private Sandbox() {}

  public static SimulatedKubelet kubelet(KubernetesClient client, KubernetesServer server) {
    return new SimulatedKubelet(client).servingLogsOn(server.getKubernetesMockServer());
  }
}
