package dev.patchops.orchestrator.mirror.k8s;

import dev.patchops.orchestrator.k8s.ChangeSignal;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.client.KubernetesClient;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Waits until every workload of a mirror is ready, with a deadline. A workload that never gets
 * there fails the run with the reason a person would look for: image pull, crash loop, not ready.
 */
@ApplicationScoped
public class ReadinessGate {
  private static final Duration POLL = Duration.ofMillis(250);

  private final KubernetesClient client;

  @Inject
  public ReadinessGate(KubernetesClient client) {
    this.client = client;
  }

  /**
   * @param issues one line per workload that is not ready at the deadline, empty when ready
   * @param restarts container restarts seen in the mirror's Pods
   */
  public record Readiness(boolean ready, Duration waited, List<String> issues, int restarts) {}

  public Readiness await(String namespace, Duration deadline) throws InterruptedException {
    long start = System.nanoTime();
    long end = start + deadline.toNanos();
    try (ChangeSignal changes =
        new ChangeSignal()
            .<Deployment>on(w -> client.apps().deployments().inNamespace(namespace).watch(w))
            .<StatefulSet>on(w -> client.apps().statefulSets().inNamespace(namespace).watch(w))) {
      return await(namespace, start, end, changes);
    }
  }

  private Readiness await(String namespace, long start, long end, ChangeSignal changes)
      throws InterruptedException {
    while (true) {
      List<HasMetadata> waiting = notReady(namespace);
      boolean timedOut = System.nanoTime() >= end;
      if (waiting.isEmpty() || timedOut) {
        List<Pod> pods = client.pods().inNamespace(namespace).list().getItems();
        List<String> issues = new ArrayList<>();
        for (HasMetadata workload : waiting) {
          issues.add(
              workload.getKind()
                  + " "
                  + workload.getMetadata().getName()
                  + ": "
                  + reason(workload, pods));
        }
        int restarts =
            pods.stream()
                .filter(p -> p.getStatus() != null && p.getStatus().getContainerStatuses() != null)
                .flatMap(p -> p.getStatus().getContainerStatuses().stream())
                .mapToInt(c -> Objects.requireNonNullElse(c.getRestartCount(), 0))
                .sum();
        return new Readiness(
            waiting.isEmpty(), Duration.ofNanos(System.nanoTime() - start), issues, restarts);
      }
      changes.await(POLL);
    }
  }

  private List<HasMetadata> notReady(String namespace) {
    List<HasMetadata> waiting = new ArrayList<>();
    for (Deployment d : client.apps().deployments().inNamespace(namespace).list().getItems()) {
      if (!rolledOut(d)) {
        waiting.add(d);
      }
    }
    for (StatefulSet set : client.apps().statefulSets().inNamespace(namespace).list().getItems()) {
      if (!rolledOut(set)) {
        waiting.add(set);
      }
    }
    return waiting;
  }

  /**
   * Ready as {@code kubectl rollout status} means it: the controller saw the current spec and every
   * wanted replica is of that spec and ready. Counting ready replicas alone would pass a rollout
   * stuck on the patched template while the old Pods still serve.
   */
  static boolean rolledOut(Deployment d) {
    int want = Objects.requireNonNullElse(d.getSpec().getReplicas(), 1);
    var s = d.getStatus();
    if (want == 0) {
      return true;
    }
    return s != null
        && observed(s.getObservedGeneration(), d.getMetadata().getGeneration())
        && count(s.getUpdatedReplicas()) >= want
        && count(s.getReplicas()) <= count(s.getUpdatedReplicas())
        && count(s.getReadyReplicas()) >= want;
  }

  /** A mirror's StatefulSet is new, so its ready Pods are of its only revision. */
  static boolean rolledOut(StatefulSet set) {
    int want = Objects.requireNonNullElse(set.getSpec().getReplicas(), 1);
    var s = set.getStatus();
    return want == 0 || (s != null && count(s.getReadyReplicas()) >= want);
  }

  private static boolean observed(Long observedGeneration, Long generation) {
    return observedGeneration != null && (generation == null || observedGeneration >= generation);
  }

  private static int count(Integer replicas) {
    return Objects.requireNonNullElse(replicas, 0);
  }

  /**
   * Why the controller could not create Pods, as it reported on the Deployment: a quota, a
   * ServiceAccount or an admission policy refusing them.
   */
  private static String replicaFailure(HasMetadata workload) {
    if (!(workload instanceof Deployment d)
        || d.getStatus() == null
        || d.getStatus().getConditions() == null) {
      return "";
    }
    return d.getStatus().getConditions().stream()
        .filter(c -> "ReplicaFailure".equals(c.getType()) && "True".equals(c.getStatus()))
        .map(c -> ": " + c.getMessage())
        .findFirst()
        .orElse("");
  }

  private static String reason(HasMetadata workload, List<Pod> pods) {
    LabelSelector selector =
        workload instanceof Deployment d
            ? d.getSpec().getSelector()
            : ((StatefulSet) workload).getSpec().getSelector();
    List<Pod> mine =
        pods.stream()
            .filter(
                p ->
                    selector != null
                        && selector.getMatchLabels() != null
                        && p.getMetadata().getLabels() != null
                        && p.getMetadata()
                            .getLabels()
                            .entrySet()
                            .containsAll(selector.getMatchLabels().entrySet()))
            .toList();
    if (mine.isEmpty()) {
      return "no pods were created" + replicaFailure(workload);
    }
    for (Pod pod : mine) {
      if (pod.getStatus() == null || pod.getStatus().getContainerStatuses() == null) {
        continue;
      }
      for (ContainerStatus c : pod.getStatus().getContainerStatuses()) {
        String waiting =
            c.getState() != null && c.getState().getWaiting() != null
                ? c.getState().getWaiting().getReason()
                : null;
        if ("ImagePullBackOff".equals(waiting) || "ErrImagePull".equals(waiting)) {
          return "image pull failed for " + c.getImage();
        }
        if ("CrashLoopBackOff".equals(waiting)) {
          return "crash loop in container "
              + c.getName()
              + " ("
              + c.getRestartCount()
              + " restarts)";
        }
      }
    }
    return "pods not ready";
  }
}
