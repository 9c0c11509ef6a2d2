package dev.patchops.sandbox;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.api.model.coordination.v1.LeaseBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Plays the kubelet's side of every Node in the cluster: registers the sandbox's own Nodes, reports
 * each Node Ready with room for Pods and the address of the log server, and renews its Lease, so
 * the node lifecycle controller keeps it schedulable as it would a healthy kubelet's. Nodes created
 * by others (a test's, or a quarantine's subject) are played the same way.
 */
final class SimulatedNodes implements AutoCloseable {
  static final String KUBELET_VERSION = "v1.34.4";
  private static final String LEASE_NAMESPACE = "kube-node-lease";
  private static final int LEASE_SECONDS = 40;

  private final KubernetesClient client;
  private final int kubeletPort;
  private final Set<String> played = ConcurrentHashMap.newKeySet();
  private SharedIndexInformer<Node> informer;

  SimulatedNodes(KubernetesClient client, int kubeletPort) {
    this.client = client;
    this.kubeletPort = kubeletPort;
  }

  void start(List<String> own, ScheduledExecutorService clock) {
    for (String name : own) {
      register(name);
    }
    informer =
        client
            .nodes()
            .inform(
                new ResourceEventHandler<>() {
                  @Override
                  public void onAdd(Node node) {
                    adopt(node.getMetadata().getName());
                  }

                  @Override
                  public void onUpdate(Node oldNode, Node node) {
                    if (!ready(node)) {
                      adopt(node.getMetadata().getName());
                    }
                  }

                  @Override
                  public void onDelete(Node node, boolean unknown) {
                    played.remove(node.getMetadata().getName());
                  }
                },
                0);
    clock.scheduleWithFixedDelay(this::heartbeat, 10, 10, TimeUnit.SECONDS);
  }

  private void register(String name) {
    if (client.nodes().withName(name).get() == null) {
      try {
        client
            .nodes()
            .resource(
                new NodeBuilder()
                    .withNewMetadata()
                    .withName(name)
                    .withLabels(
                        Map.of(
                            "kubernetes.io/hostname", name,
                            "kubernetes.io/os", "linux",
                            "kubernetes.io/arch", "amd64",
                            "node.patchops.dev/simulated", "true"))
                    .endMetadata()
                    .build())
            .create();
      } catch (KubernetesClientException e) {
        if (e.getCode() != 409) {
          throw e;
        }
      }
    }
    adopt(name);
  }

  /** Reports the Node Ready and renews its Lease; from then on the heartbeat keeps it so. */
  private void adopt(String name) {
    played.add(name);
    try {
      reportStatus(name);
      renewLease(name);
    } catch (KubernetesClientException e) {
      if (e.getCode() != 404) {
        System.err.println("simulated kubelet: cannot report node " + name + ": " + e);
      }
    }
  }

  private void heartbeat() {
    for (String name : played) {
      try {
        renewLease(name);
        reportStatus(name);
      } catch (RuntimeException e) {
        if (!(e instanceof KubernetesClientException k && k.getCode() == 404)) {
          System.err.println("simulated kubelet: heartbeat of " + name + " failed: " + e);
        }
      }
    }
  }

  private void reportStatus(String name) {
    String now = Instant.now().toString();
    Map<String, Object> status =
        Map.of(
            "capacity", resources(),
            "allocatable", resources(),
            "conditions",
                List.of(
                    condition("Ready", "True", "KubeletReady", now),
                    condition("MemoryPressure", "False", "KubeletHasSufficientMemory", now),
                    condition("DiskPressure", "False", "KubeletHasNoDiskPressure", now),
                    condition("PIDPressure", "False", "KubeletHasSufficientPID", now)),
            "addresses",
                List.of(
                    Map.of("type", "InternalIP", "address", "127.0.0.1"),
                    Map.of("type", "Hostname", "address", name)),
            "daemonEndpoints", Map.of("kubeletEndpoint", Map.of("Port", kubeletPort)),
            "nodeInfo",
                Map.ofEntries(
                    Map.entry("machineID", "patchops-simulated"),
                    Map.entry("systemUUID", "patchops-simulated"),
                    Map.entry("bootID", "patchops-simulated"),
                    Map.entry("kernelVersion", "simulated"),
                    Map.entry("osImage", "PatchOps simulated kubelet"),
                    Map.entry("containerRuntimeVersion", "simulated://1"),
                    Map.entry("kubeletVersion", KUBELET_VERSION),
                    Map.entry("kubeProxyVersion", ""),
                    Map.entry("operatingSystem", "linux"),
                    Map.entry("architecture", "amd64")));
    client
        .nodes()
        .withName(name)
        .subresource("status")
        .patch(
            PatchContext.of(PatchType.STRATEGIC_MERGE),
            Serialization.asJson(Map.of("status", status)));
  }

  private static Map<String, String> resources() {
    return Map.of("cpu", "64", "memory", "256Gi", "pods", "500", "ephemeral-storage", "1Ti");
  }

  private static Map<String, String> condition(
      String type, String status, String reason, String now) {
    return Map.of(
        "type", type,
        "status", status,
        "reason", reason,
        "lastHeartbeatTime", now,
        "lastTransitionTime", now);
  }

  private void renewLease(String name) {
    ZonedDateTime now = ZonedDateTime.now(ZoneOffset.UTC);
    var leases = client.leases().inNamespace(LEASE_NAMESPACE);
    Lease lease = leases.withName(name).get();
    if (lease == null) {
      leases
          .resource(
              new LeaseBuilder()
                  .withNewMetadata()
                  .withName(name)
                  .withNamespace(LEASE_NAMESPACE)
                  .endMetadata()
                  .withNewSpec()
                  .withHolderIdentity(name)
                  .withLeaseDurationSeconds(LEASE_SECONDS)
                  .withRenewTime(now)
                  .endSpec()
                  .build())
          .create();
    } else {
      lease.getSpec().setRenewTime(now);
      leases.resource(lease).update();
    }
  }

  private static boolean ready(Node node) {
    return node.getStatus() != null
        && node.getStatus().getConditions() != null
        && node.getStatus().getConditions().stream()
            .anyMatch(c -> "Ready".equals(c.getType()) && "True".equals(c.getStatus()));
  }

  boolean plays(String node) {
    return played.contains(node);
  }

  @Override
  public void close() {
    if (informer != null) {
      informer.close();
    }
  }
}
