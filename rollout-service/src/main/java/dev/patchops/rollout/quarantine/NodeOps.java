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
