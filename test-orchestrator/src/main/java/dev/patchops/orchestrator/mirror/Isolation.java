package dev.patchops.orchestrator.mirror;

import dev.patchops.orchestrator.config.OrchestratorConfig;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.LimitRange;
import io.fabric8.kubernetes.api.model.LimitRangeBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceQuota;
import io.fabric8.kubernetes.api.model.ResourceQuotaBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyBuilder;
import java.util.List;
import java.util.Map;

/**
 * What keeps a mirror from reaching production or starving the cluster: default-deny networking
 * except DNS and the namespace itself, a quota that forbids node ports and load balancers, and
 * default requests and limits.
 */
public final class Isolation {
  public static final String NETWORK_POLICY = "patchops-isolation";
  public static final String QUOTA = "patchops-quota";
  public static final String LIMITS = "patchops-limits";

  private Isolation() {}

  public static List<HasMetadata> objects(
      String namespace, Map<String, String> labels, OrchestratorConfig.Mirror config) {
    return List.of(
        networkPolicy(namespace, labels),
        quota(namespace, labels, config.quota()),
        limits(namespace, labels, config.limits()));
  }

  public static NetworkPolicy networkPolicy(String namespace, Map<String, String> labels) {
    return new NetworkPolicyBuilder()
        .withNewMetadata()
        .withName(NETWORK_POLICY)
        .withNamespace(namespace)
        .withLabels(labels)
        .endMetadata()
        .withNewSpec()
        .withNewPodSelector()
        .endPodSelector()
        .withPolicyTypes("Ingress", "Egress")
        .addNewIngress()
        .addNewFrom()
        .withNewPodSelector()
        .endPodSelector()
        .endFrom()
        .endIngress()
        .addNewEgress()
        .addNewTo()
        .withNewPodSelector()
        .endPodSelector()
        .endTo()
        .endEgress()
        .addNewEgress()
        .addNewTo()
        .withNewNamespaceSelector()
        .addToMatchLabels("kubernetes.io/metadata.name", "kube-system")
        .endNamespaceSelector()
        .withNewPodSelector()
        .addToMatchLabels("k8s-app", "kube-dns")
        .endPodSelector()
        .endTo()
        .addNewPort()
        .withProtocol("UDP")
        .withPort(new IntOrString(53))
        .endPort()
        .addNewPort()
        .withProtocol("TCP")
        .withPort(new IntOrString(53))
        .endPort()
        .endEgress()
        .endSpec()
        .build();
  }

  static ResourceQuota quota(
      String namespace, Map<String, String> labels, OrchestratorConfig.Quota quota) {
    return new ResourceQuotaBuilder()
        .withNewMetadata()
        .withName(QUOTA)
        .withNamespace(namespace)
        .withLabels(labels)
        .endMetadata()
        .withNewSpec()
        .addToHard("pods", new Quantity(String.valueOf(quota.pods())))
        .addToHard("services.nodeports", new Quantity("0"))
        .addToHard("services.loadbalancers", new Quantity("0"))
        .addToHard("requests.cpu", new Quantity(quota.requestsCpu()))
        .addToHard("requests.memory", new Quantity(quota.requestsMemory()))
        .addToHard("limits.cpu", new Quantity(quota.limitsCpu()))
        .addToHard("limits.memory", new Quantity(quota.limitsMemory()))
        .endSpec()
        .build();
  }

  static LimitRange limits(
      String namespace, Map<String, String> labels, OrchestratorConfig.Limits limits) {
    return new LimitRangeBuilder()
        .withNewMetadata()
        .withName(LIMITS)
        .withNamespace(namespace)
        .withLabels(labels)
        .endMetadata()
        .withNewSpec()
        .addNewLimit()
        .withType("Container")
        .addToDefaultRequest("cpu", new Quantity(limits.defaultRequestCpu()))
        .addToDefaultRequest("memory", new Quantity(limits.defaultRequestMemory()))
        .addToDefault("cpu", new Quantity(limits.defaultLimitCpu()))
        .addToDefault("memory", new Quantity(limits.defaultLimitMemory()))
        .endLimit()
        .endSpec()
        .build();
  }
}
