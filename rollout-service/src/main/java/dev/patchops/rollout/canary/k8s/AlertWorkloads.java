package dev.patchops.rollout.canary.k8s;

import dev.patchops.contract.model.WorkloadRef;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.ReplicaSet;
import io.fabric8.kubernetes.client.KubernetesClient;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The Deployments an alert is about, found through the API from the labels alerts really carry:
 * {@code deployment}; else {@code pod} (Pod, its ReplicaSet owner, that one's Deployment owner);
 * else {@code service} (Deployments whose Pod template matches the Service's selector); else {@code
 * app} or {@code app_kubernetes_io_name} (Deployments carrying that label). Each needs {@code
 * namespace}. The most precise label present decides; the others are not added, so a broad app
 * label cannot pull in what a pod label excludes. A label that cannot be a Kubernetes name is not
 * looked up (the same DNS-1123 rules the ticket-service holds {@code deployment} to).
 */
@ApplicationScoped
public class AlertWorkloads {
  private static final String DNS_LABEL = "[a-z0-9]([-a-z0-9]*[a-z0-9])?";
  private static final String DNS_SUBDOMAIN = "[a-z0-9]([-a-z0-9.]*[a-z0-9])?";

  /** Label values: at most 63 of these characters, alphanumeric at both ends. */
  private static final String LABEL_VALUE = "[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?";

  private final KubernetesClient client;

  @Inject
  public AlertWorkloads(KubernetesClient client) {
    this.client = client;
  }

  /**
   * A Deployment the alert names, and how it was found.
   *
   * @param canaryOf the rollout whose canary the Deployment is (then {@code workload} is the canary
   *     Deployment), else null
   */
  public record Target(WorkloadRef workload, String canaryOf, String via) {}

  public List<Target> of(WorkloadRef named, Map<String, String> labels) {
    if (named != null) {
      return List.of(
          new Target(
              named, null, "deployment " + named.namespace() + "/" + named.name() + " (label)"));
    }
    Map<String, String> l = labels == null ? Map.of() : labels;
    String ns = l.get("namespace");
    if (!valid(ns, DNS_LABEL, 63)) {
      return List.of();
    }
    if (l.containsKey("pod")) {
      return valid(l.get("pod"), DNS_SUBDOMAIN, 253) ? byPod(ns, l.get("pod")) : List.of();
    }
    if (l.containsKey("service")) {
      return valid(l.get("service"), DNS_LABEL, 63) ? byService(ns, l.get("service")) : List.of();
    }
    for (String[] key :
        new String[][] {{"app", "app"}, {"app_kubernetes_io_name", "app.kubernetes.io/name"}}) {
      if (l.containsKey(key[0])) {
        String value = l.get(key[0]);
        return valid(value, LABEL_VALUE, 63) ? byLabel(ns, key[1], value) : List.of();
      }
    }
    return List.of();
  }

  private List<Target> byPod(String ns, String name) {
    Pod pod = client.pods().inNamespace(ns).withName(name).get();
    String rs = pod == null ? null : controller(pod, "ReplicaSet");
    if (rs == null) {
      return List.of();
    }
    ReplicaSet set = client.apps().replicaSets().inNamespace(ns).withName(rs).get();
    String deployment = set == null ? null : controller(set, "Deployment");
    if (deployment == null) {
      return List.of();
    }
    Deployment d = client.apps().deployments().inNamespace(ns).withName(deployment).get();
    return d == null
        ? List.of()
        : List.of(
            target(
                d,
                "pod "
                    + ns
                    + "/"
                    + name
                    + " -> ReplicaSet "
                    + rs
                    + " -> Deployment "
                    + deployment));
  }

  private List<Target> byService(String ns, String name) {
    Service svc = client.services().inNamespace(ns).withName(name).get();
    Map<String, String> selector = svc == null ? null : svc.getSpec().getSelector();
    if (selector == null || selector.isEmpty()) {
      // A Service without a selector fronts no Pods of a Deployment.
      return List.of();
    }
    List<Target> targets = new ArrayList<>();
    for (Deployment d : client.apps().deployments().inNamespace(ns).list().getItems()) {
      Map<String, String> pods = d.getSpec().getTemplate().getMetadata().getLabels();
      if (pods != null && pods.entrySet().containsAll(selector.entrySet())) {
        targets.add(
            target(
                d,
                "service "
                    + ns
                    + "/"
                    + name
                    + " selects "
                    + selector
                    + " -> Deployment "
                    + d.getMetadata().getName()));
      }
    }
    return targets;
  }

  private List<Target> byLabel(String ns, String key, String value) {
    List<Target> targets = new ArrayList<>();
    for (Deployment d : client.apps().deployments().inNamespace(ns).list().getItems()) {
      Map<String, String> own = d.getMetadata().getLabels();
      Map<String, String> pods = d.getSpec().getTemplate().getMetadata().getLabels();
      if ((own != null && value.equals(own.get(key)))
          || (pods != null && value.equals(pods.get(key)))) {
        targets.add(
            target(
                d,
                key + "=" + value + " in " + ns + " -> Deployment " + d.getMetadata().getName()));
      }
    }
    return targets;
  }

  /** A canary Deployment made by a rollout stands for that rollout. */
  private static Target target(Deployment d, String via) {
    Map<String, String> labels =
        Objects.requireNonNullElse(d.getMetadata().getLabels(), Map.<String, String>of());
    String canaryOf =
        Labels.MANAGED_BY_VALUE.equals(labels.get(Labels.MANAGED_BY))
            ? labels.get(Labels.ROLLOUT)
            : null;
    return new Target(
        new WorkloadRef(d.getMetadata().getNamespace(), "Deployment", d.getMetadata().getName()),
        canaryOf,
        via);
  }

  private static String controller(HasMetadata object, String kind) {
    List<OwnerReference> owners = object.getMetadata().getOwnerReferences();
    if (owners == null) {
      return null;
    }
    return owners.stream()
        .filter(o -> kind.equals(o.getKind()) && Boolean.TRUE.equals(o.getController()))
        .map(OwnerReference::getName)
        .findFirst()
        .orElse(null);
  }

  private static boolean valid(String value, String pattern, int max) {
    return value != null && value.length() <= max && value.matches(pattern);
  }
}
