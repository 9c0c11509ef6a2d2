package dev.patchops.orchestrator;

import dev.patchops.sandbox.SimulatedKubelet;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.quarkus.test.kubernetes.client.KubernetesServer;

/** The simulated kubelet wired to this module's mock API, finished Jobs' logs included. */
public final class Sandbox {
  private Sandbox() {}

  public static SimulatedKubelet kubelet(KubernetesClient client, KubernetesServer server) {
    return new SimulatedKubelet(client)
        .publishLogs(
            (ns, pod, container, text) ->
                server
                    .expect()
                    .get()
                    .withPath(
                        "/api/v1/namespaces/"
                            + ns
                            + "/pods/"
                            + pod
                            + "/log?pretty=false&container="
                            + container)
                    .andReturn(200, text)
                    .always());
  }
}
