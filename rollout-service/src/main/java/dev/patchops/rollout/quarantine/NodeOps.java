package dev.patchops.rollout.quarantine;

import dev.patchops.contract.model.Quarantine;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Taint;
import io.fabric8.kubernetes.api.model.TaintBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.ArrayList;
import java.util.List;

/** Cordon, taint and release of a node; each call idempotent. */
@ApplicationScoped
public class NodeOps {
  private final KubernetesClient client;

  @Inject
  public NodeOps(KubernetesClient client) {
    this.client = client;
  }

  /** The node's schedulability and taints before PatchOps touched it, or null if it is absent. */
  public record Before(boolean unschedulable, List<String> taints) {}

  public static String taintValue(String ticketId) {
    String v = ticketId.replaceAll("[^A-Za-z0-9._-]", "-");
    return v.length() > 63 ? v.substring(0, 63) : v;
  }

  /**
   * The state before the quarantine is written on the node itself in the same update as the cordon,
   * so a crash before the database records it still leaves it knowable.
   */
  static final String PREVIOUS = "patchops.dev/quarantine-previous-unschedulable";

  private static final java.util.Set<String> NOT_WRITERS =
      java.util.Set.of("fabric8-kubernetes-client", "kube-controller-manager");

  /** Cordons and taints; returns the node as it was before PatchOps touched it. */
  public Before quarantine(String nodeName, String ticketId) {
    Node node = client.nodes().withName(nodeName).get();
    if (node == null) {
      return null;
    }
    List<Taint> taints =
        node.getSpec().getTaints() == null
            ? new ArrayList<>()
            : new ArrayList<>(node.getSpec().getTaints());
    List<String> before =
        taints.stream()
            .filter(t -> !Quarantine.TAINT_KEY.equals(t.getKey()) && !byController(t))
            .map(NodeOps::format)
            .toList();
    boolean ours = taints.stream().anyMatch(t -> Quarantine.TAINT_KEY.equals(t.getKey()));
    var annotations = node.getMetadata().getAnnotations();
    if (ours && annotations != null && annotations.containsKey(PREVIOUS)) {
      return new Before(Boolean.parseBoolean(annotations.get(PREVIOUS)), before);
    }
    boolean wasUnschedulable = Boolean.TRUE.equals(node.getSpec().getUnschedulable());
    taints.add(
        new TaintBuilder()
            .withKey(Quarantine.TAINT_KEY)
            .withValue(taintValue(ticketId))
            .withEffect(Quarantine.TAINT_EFFECT)
            .build());
    node.getSpec().setTaints(taints);
    node.getSpec().setUnschedulable(true);
    var updated = new java.util.LinkedHashMap<String, String>();
    if (annotations != null) {
      updated.putAll(annotations);
    }
    updated.put(PREVIOUS, String.valueOf(wasUnschedulable));
    node.getMetadata().setAnnotations(updated);
    client.nodes().resource(node).update();
    return new Before(wasUnschedulable, before);
  }

  /**
   * What on the node undoes its quarantine: cordon lifted, our taint removed; null when it is
   * intact.
   */
  public static String breach(Node node) {
    List<String> found = new ArrayList<>();
    if (!Boolean.TRUE.equals(node.getSpec().getUnschedulable())) {
      found.add("cordon lifted");
    }
    boolean tainted =
        node.getSpec().getTaints() != null
            && node.getSpec().getTaints().stream()
                .anyMatch(t -> Quarantine.TAINT_KEY.equals(t.getKey()));
    if (!tainted) {
      found.add("taint " + Quarantine.TAINT_KEY + " removed");
    }
    return found.isEmpty() ? null : String.join(", ", found);
  }

  /**
   * The client that last wrote the node's spec other than us, when the API server kept it in the
   * managed fields. {@code kubectl uncordon} removes the field it changes, and its entry with it,
   * so this is a hint, never proof. The node lifecycle controller, which follows a cordon with its
   * own taint, and this service's client are not candidates.
   */
  public static String lastSpecWriter(Node node) {
    if (node.getMetadata().getManagedFields() == null) {
      return null;
    }
    return node.getMetadata().getManagedFields().stream()
        .filter(f -> f.getSubresource() == null || f.getSubresource().isEmpty())
        .filter(f -> f.getManager() != null && !NOT_WRITERS.contains(f.getManager()))
        .filter(f -> f.getTime() != null)
        .max(java.util.Comparator.comparing(f -> f.getTime()))
        .map(f -> f.getManager())
        .orElse(null);
  }

  /** Cordons and taints again a node whose quarantine was undone; keeps the recorded checkpoint. */
  public void reapply(String nodeName, String ticketId) {
    Node node = client.nodes().withName(nodeName).get();
    if (node == null || breach(node) == null) {
      return;
    }
    List<Taint> taints =
        node.getSpec().getTaints() == null
            ? new ArrayList<>()
            : new ArrayList<>(node.getSpec().getTaints());
    if (taints.stream().noneMatch(t -> Quarantine.TAINT_KEY.equals(t.getKey()))) {
      taints.add(
          new TaintBuilder()
              .withKey(Quarantine.TAINT_KEY)
              .withValue(taintValue(ticketId))
              .withEffect(Quarantine.TAINT_EFFECT)
              .build());
    }
    node.getSpec().setTaints(taints);
    node.getSpec().setUnschedulable(true);
    // An update, not a patch: it fails on a node changed since we read it, and is retried.
    client.nodes().resource(node).update();
  }

  /** Puts back the schedulability and taints recorded before the quarantine. */
  public void release(String nodeName, boolean previousUnschedulable) {
    Node node = client.nodes().withName(nodeName).get();
    if (node == null) {
      return;
    }
    List<Taint> taints =
        node.getSpec().getTaints() == null
            ? new ArrayList<>()
            : new ArrayList<>(node.getSpec().getTaints());
    boolean removed = taints.removeIf(t -> Quarantine.TAINT_KEY.equals(t.getKey()));
    boolean annotated =
        node.getMetadata().getAnnotations() != null
            && node.getMetadata().getAnnotations().containsKey(PREVIOUS);
    if (removed
        || annotated
        || previousUnschedulable != Boolean.TRUE.equals(node.getSpec().getUnschedulable())) {
      node.getSpec().setTaints(taints.isEmpty() ? null : taints);
      node.getSpec().setUnschedulable(previousUnschedulable ? true : null);
      if (annotated) {
        node.getMetadata().getAnnotations().remove(PREVIOUS);
      }
      client.nodes().resource(node).update();
    }
  }

  public Node get(String nodeName) {
    return client.nodes().withName(nodeName).get();
  }

  /**
   * Taints the node lifecycle controller sets and lifts with the node's condition (not ready,
   * unreachable, unschedulable...): not the owner's, so not part of the state before a quarantine.
   */
  static boolean byController(Taint t) {
    return t.getKey() != null && t.getKey().startsWith("node.kubernetes.io/");
  }

  static String format(Taint t) {
    return t.getKey() + (t.getValue() == null ? "" : "=" + t.getValue()) + ":" + t.getEffect();
  }
}
