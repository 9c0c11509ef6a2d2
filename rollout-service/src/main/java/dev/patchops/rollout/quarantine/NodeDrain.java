package dev.patchops.rollout.quarantine;

import dev.patchops.contract.model.Quarantine;
import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Drains a cordoned node as {@code kubectl drain} does, through the Eviction API only: the API
 * server checks each eviction against the Pod's PodDisruptionBudgets, so a budget that allows no
 * disruption is a refusal to retry later, never a Pod deleted around it. DaemonSet Pods (their
 * controller would put them straight back), static Pods and finished Pods stay.
 */
@ApplicationScoped
public class NodeDrain {
  static final String MIRROR_POD = "kubernetes.io/config.mirror";

  private final KubernetesClient client;

  @Inject
  public NodeDrain(KubernetesClient client) {
    this.client = client;
  }

  /**
   * One pass of a drain.
   *
   * @param evicted Pods whose eviction the API server accepted in this pass
   * @param blocked Pods a disruption budget kept, each with the budgets that match it
   * @param remaining Pods still on the node that the drain waits for (evicted ones terminating
   *     included)
   */
  public record Pass(List<String> evicted, List<String> blocked, String blockedBy, int remaining) {
    public boolean done() {
      return remaining == 0;
    }
  }

  public Pass drain(String nodeName) {
    List<String> evicted = new ArrayList<>();
    List<String> blocked = new ArrayList<>();
    List<String> budgets = new ArrayList<>();
    int remaining = 0;
    for (Pod pod :
        client.pods().inAnyNamespace().withField("spec.nodeName", nodeName).list().getItems()) {
      if (!drained(pod)) {
        continue;
      }
      remaining++;
      if (pod.getMetadata().getDeletionTimestamp() != null) {
        continue;
      }
      String ns = pod.getMetadata().getNamespace();
      String name = pod.getMetadata().getName();
      try {
        if (client.pods().inNamespace(ns).withName(name).evict()) {
          evicted.add(ns + "/" + name);
        } else {
          blocked.add(ns + "/" + name);
          budgets.addAll(budgetsOf(pod));
        }
      } catch (KubernetesClientException e) {
        if (e.getCode() == 404) {
          remaining--;
        } else {
          // A 500 for a Pod under several budgets is the API server refusing too: retried, not
          // forced.
          blocked.add(ns + "/" + name);
          budgets.add(e.getCode() + " " + e.getStatus().getMessage());
        }
      }
    }
    return new Pass(
        evicted,
        blocked,
        budgets.isEmpty()
            ? null
            : "PodDisruptionBudget " + String.join(", ", budgets.stream().distinct().toList()),
        remaining);
  }

  /** Whether the drain must move this Pod off the node. */
  static boolean drained(Pod pod) {
    String phase = pod.getStatus() == null ? null : pod.getStatus().getPhase();
    if ("Succeeded".equals(phase) || "Failed".equals(phase)) {
      return false;
    }
    Map<String, String> annotations = pod.getMetadata().getAnnotations();
    if (annotations != null && annotations.containsKey(MIRROR_POD)) {
      return false;
    }
    boolean daemon =
        pod.getMetadata().getOwnerReferences() != null
            && pod.getMetadata().getOwnerReferences().stream()
                .anyMatch(o -> "DaemonSet".equals(o.getKind()));
    if (daemon) {
      return false;
    }
    // A burn-in tolerates the quarantine: it is what the node is drained for.
    return pod.getSpec().getTolerations() == null
        || pod.getSpec().getTolerations().stream()
            .noneMatch(t -> Quarantine.TAINT_KEY.equals(t.getKey()));
  }

  /** The budgets in the Pod's namespace whose selector matches it, as {@code namespace/name}. */
  private List<String> budgetsOf(Pod pod) {
    String ns = pod.getMetadata().getNamespace();
    Map<String, String> labels =
        pod.getMetadata().getLabels() == null ? Map.of() : pod.getMetadata().getLabels();
    return client.policy().v1().podDisruptionBudget().inNamespace(ns).list().getItems().stream()
        .filter(b -> matches(b, labels))
        .map(b -> ns + "/" + b.getMetadata().getName())
        .toList();
  }

  private static boolean matches(PodDisruptionBudget budget, Map<String, String> labels) {
    LabelSelector selector = budget.getSpec().getSelector();
    if (selector == null) {
      return false;
    }
    Map<String, String> wanted =
        selector.getMatchLabels() == null ? Map.of() : selector.getMatchLabels();
    return wanted.entrySet().stream().allMatch(e -> e.getValue().equals(labels.get(e.getKey())));
  }
}
