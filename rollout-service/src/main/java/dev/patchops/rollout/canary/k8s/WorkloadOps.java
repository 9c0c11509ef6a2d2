package dev.patchops.rollout.canary.k8s;

import dev.patchops.rollout.canary.Rollout;
import dev.patchops.rollout.checkpoint.Snapshot;
import dev.patchops.rollout.checkpoint.k8s.LiveState;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentSpec;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import io.fabric8.kubernetes.client.utils.Serialization;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Every call the rollout-service makes to the Kubernetes API for a rollout. Each operation is
 * idempotent, so the engine can repeat any of them after a crash or a refused call. The calls are
 * listed in {@code META-INF/patchops/kubernetes-calls.txt}, which {@code RbacCallsTest} holds to
 * the service's RBAC in deploy/.
 */
@ApplicationScoped
public class WorkloadOps {
  public static final ResourceDefinitionContext HTTP_ROUTE =
      new ResourceDefinitionContext.Builder()
          .withGroup("gateway.networking.k8s.io")
          .withVersion("v1")
          .withKind("HTTPRoute")
          .withPlural("httproutes")
          .withNamespaced(true)
          .build();

  private static final Set<String> STUCK_REASONS =
      Set.of(
          "CrashLoopBackOff",
          "ImagePullBackOff",
          "ErrImagePull",
          "InvalidImageName",
          "CreateContainerConfigError",
          "CreateContainerError");

  private final KubernetesClient client;
  private final LiveState liveState;

  @Inject
  public WorkloadOps(KubernetesClient client, LiveState live) {
    this.client = client;
    this.liveState = live;
  }

  /** What a step is sized against: the Deployment's replicas, and whether an HPA owns them. */
  public record ScaleBasis(int replicas, String autoscaler) {}

  /** Read before a start is admitted; null if the Deployment does not exist. */
  public ScaleBasis scaleBasis(String namespace, String deployment) {
    Deployment live = client.apps().deployments().inNamespace(namespace).withName(deployment).get();
    if (live == null) {
      return null;
    }
    return new ScaleBasis(
        Objects.requireNonNullElse(live.getSpec().getReplicas(), 1),
        liveState.autoscaler(namespace, deployment));
  }

  /**
   * Replica mode: the stable Deployment at the step's size (its own replicas plus any the step
   * adds, see {@code CanaryScale}). Only the replica count is written; a revert puts the
   * checkpoint's back like everything else.
   */
  public void ensureStableReplicas(Rollout rollout, int replicas) {
    Deployment live = stable(rollout);
    if (live != null && !Objects.equals(live.getSpec().getReplicas(), replicas)) {
      live.getSpec().setReplicas(replicas);
      client.apps().deployments().inNamespace(rollout.namespace).resource(live).update();
    }
  }

  /** Creates or rescales the {@code <name>-canary} Deployment with the patched image. */
  public void ensureCanary(Rollout rollout, Snapshot checkpoint, int replicas) {
    String ns = rollout.namespace;
    Deployment existing =
        client.apps().deployments().inNamespace(ns).withName(rollout.canaryName()).get();
    if (existing != null) {
      if (!Objects.equals(existing.getSpec().getReplicas(), replicas)) {
        existing.getSpec().setReplicas(replicas);
        client.apps().deployments().inNamespace(ns).resource(existing).update();
      }
      return;
    }
    Deployment canary =
        canaryOf(rollout, checkpoint, replicas, stableServiceSelector(rollout, checkpoint));
    client.apps().deployments().inNamespace(ns).resource(canary).create();
  }

  Deployment canaryOf(
      Rollout rollout, Snapshot checkpoint, int replicas, Map<String, String> stableSelector) {
    Deployment stable = checkpoint.deployment();
    DeploymentSpec spec = Serialization.clone(stable.getSpec());
    spec.setReplicas(replicas);
    PodTemplateSpec template = spec.getTemplate();
    Map<String, String> podLabels = new LinkedHashMap<>(template.getMetadata().getLabels());
    Map<String, String> selector = new LinkedHashMap<>();
    if (rollout.httpRoute == null) {
      // Replica-ratio mode: the plain Service must select canary Pods too.
      selector.putAll(spec.getSelector().getMatchLabels());
    } else {
      // Gateway mode: the route's weights split the traffic, so the stable Service must not.
      stableSelector.keySet().forEach(podLabels::remove);
    }
    podLabels.put(Labels.TRACK, Labels.CANARY);
    podLabels.put(Labels.ROLLOUT, rollout.id);
    selector.put(Labels.TRACK, Labels.CANARY);
    selector.put(Labels.ROLLOUT, rollout.id);
    template.getMetadata().setLabels(podLabels);
    spec.getSelector().setMatchLabels(selector);
    spec.getSelector().setMatchExpressions(null);
    template.getSpec().getContainers().stream()
        .filter(c -> rollout.containers.contains(c.getName()))
        .forEach(c -> c.setImage(rollout.image));
    Deployment canary = new Deployment();
    canary.setApiVersion("apps/v1");
    canary.setKind("Deployment");
    canary.setMetadata(
        new io.fabric8.kubernetes.api.model.ObjectMetaBuilder()
            .withName(rollout.canaryName())
            .withNamespace(rollout.namespace)
            .withLabels(ownLabels(rollout))
            .build());
    canary.setSpec(spec);
    return canary;
  }

  private static Map<String, String> ownLabels(Rollout rollout) {
    Map<String, String> labels = new LinkedHashMap<>();
    labels.put(Labels.MANAGED_BY, Labels.MANAGED_BY_VALUE);
    labels.put(Labels.TRACK, Labels.CANARY);
    labels.put(Labels.ROLLOUT, rollout.id);
    labels.put(Labels.TICKET, sanitize(rollout.ticketId));
    return labels;
  }

  static String sanitize(String value) {
    String s = value.replaceAll("[^A-Za-z0-9._-]", "-");
    s = s.length() > 63 ? s.substring(0, 63) : s;
    return s.replaceAll("^[^A-Za-z0-9]+|[^A-Za-z0-9]+$", "");
  }

  /**
   * What the analysis needs of the canary Pods (or, after promotion, of the stable Deployment's
   * Pods that run the patch), read in one Deployment and one Pod list call.
   */
  public record CanaryHealth(
      boolean exists, int desired, int ready, int restarts, List<String> stuck) {}

  public CanaryHealth canaryHealth(Rollout rollout) {
    Deployment canary =
        client
            .apps()
            .deployments()
            .inNamespace(rollout.namespace)
            .withName(rollout.canaryName())
            .get();
    if (canary == null) {
      return new CanaryHealth(false, 0, 0, 0, List.of());
    }
    List<Pod> pods =
        client
            .pods()
            .inNamespace(rollout.namespace)
            .withLabel(Labels.ROLLOUT, rollout.id)
            .list()
            .getItems();
    int desired = Objects.requireNonNullElse(canary.getSpec().getReplicas(), 1);
    int ready =
        canary.getStatus() == null || canary.getStatus().getReadyReplicas() == null
            ? 0
            : canary.getStatus().getReadyReplicas();
    boolean current = observed(canary);
    return health(desired, current ? ready : 0, pods);
  }

  /**
   * The same for the stable Deployment after promotion (the watch window): its Pods that run the
   * patched images, without the canary's or any Pod being deleted, so an old Pod still terminating
   * is not held against the patch. Ready counts those Pods' Ready condition, not the Deployment's
   * status, which would count old Pods too.
   */
  public CanaryHealth promotedHealth(Rollout rollout) {
    Deployment stable = stable(rollout);
    if (stable == null) {
      return new CanaryHealth(false, 0, 0, 0, List.of());
    }
    Map<String, String> selector =
        stable.getSpec().getSelector() == null
            ? null
            : stable.getSpec().getSelector().getMatchLabels();
    List<Pod> pods =
        (selector == null || selector.isEmpty()
                ? client.pods().inNamespace(rollout.namespace).list()
                : client.pods().inNamespace(rollout.namespace).withLabels(selector).list())
            .getItems().stream()
                .filter(p -> p.getMetadata().getDeletionTimestamp() == null)
                .filter(
                    p ->
                        p.getMetadata().getLabels() == null
                            || !Labels.CANARY.equals(p.getMetadata().getLabels().get(Labels.TRACK)))
                .filter(p -> runsPatch(p, rollout))
                .toList();
    int ready = (int) pods.stream().filter(WorkloadOps::podReady).count();
    return health(Objects.requireNonNullElse(stable.getSpec().getReplicas(), 1), ready, pods);
  }

  private static boolean runsPatch(Pod pod, Rollout rollout) {
    var targeted =
        pod.getSpec().getContainers().stream()
            .filter(c -> rollout.containers.contains(c.getName()))
            .toList();
    return !targeted.isEmpty()
        && targeted.stream().allMatch(c -> rollout.image.equals(c.getImage()));
  }

  private static boolean podReady(Pod pod) {
    return pod.getStatus() != null
        && pod.getStatus().getConditions() != null
        && pod.getStatus().getConditions().stream()
            .anyMatch(c -> "Ready".equals(c.getType()) && "True".equals(c.getStatus()));
  }

  /** Restarts and containers that cannot run, summed over the Pods. */
  private static CanaryHealth health(int desired, int ready, List<Pod> pods) {
    int restarts = 0;
    List<String> stuck = new ArrayList<>();
    for (Pod pod : pods) {
      if (pod.getStatus() == null || pod.getStatus().getContainerStatuses() == null) {
        continue;
      }
      for (ContainerStatus cs : pod.getStatus().getContainerStatuses()) {
        restarts += cs.getRestartCount() == null ? 0 : cs.getRestartCount();
        if (cs.getState() != null
            && cs.getState().getWaiting() != null
            && STUCK_REASONS.contains(cs.getState().getWaiting().getReason())) {
          stuck.add(
              pod.getMetadata().getName()
                  + "/"
                  + cs.getName()
                  + ": "
                  + cs.getState().getWaiting().getReason());
        }
      }
    }
    return new CanaryHealth(true, desired, ready, restarts, stuck);
  }

  /**
   * The controller has seen the latest spec, every replica runs it and is available, and no old
   * replica is left: what {@code kubectl rollout status} waits for. Available, not merely ready: a
   * Pod counts only once it has been ready for the Deployment's minReadySeconds.
   */
  public static boolean rolledOut(Deployment d) {
    if (d == null || d.getStatus() == null || !observed(d)) {
      return false;
    }
    int replicas = Objects.requireNonNullElse(d.getSpec().getReplicas(), 1);
    var s = d.getStatus();
    return Objects.requireNonNullElse(s.getUpdatedReplicas(), 0) >= replicas
        && Objects.requireNonNullElse(s.getAvailableReplicas(), 0) >= replicas
        && Objects.requireNonNullElse(s.getReplicas(), 0) == replicas;
  }

  private static boolean observed(Deployment d) {
    Long generation = d.getMetadata().getGeneration();
    Long observed = d.getStatus() == null ? null : d.getStatus().getObservedGeneration();
    return generation == null || (observed != null && observed >= generation);
  }

  /** Gateway API mode: the canary Service and the route's weights for this step. */
  public void ensureRouteWeight(Rollout rollout, Snapshot checkpoint, int weight) {
    if (rollout.httpRoute == null) {
      return;
    }
    Service stable = stableService(rollout, checkpoint);
    String canaryService = stable.getMetadata().getName() + "-canary";
    if (client.services().inNamespace(rollout.namespace).withName(canaryService).get() == null) {
      Map<String, String> selector =
          Map.of(Labels.TRACK, Labels.CANARY, Labels.ROLLOUT, rollout.id);
      Service svc =
          new ServiceBuilder()
              .withNewMetadata()
              .withName(canaryService)
              .withNamespace(rollout.namespace)
              .withLabels(ownLabels(rollout))
              .endMetadata()
              .withNewSpec()
              .withSelector(selector)
              .withPorts(Serialization.clone(stable).getSpec().getPorts())
              .endSpec()
              .build();
      svc.getSpec().getPorts().forEach(p -> p.setNodePort(null));
      client.services().inNamespace(rollout.namespace).resource(svc).create();
    }
    GenericKubernetesResource route =
        client
            .genericKubernetesResources(HTTP_ROUTE)
            .inNamespace(rollout.namespace)
            .withName(rollout.httpRoute)
            .get();
    if (route == null) {
      throw new IllegalStateException(
          "HTTPRoute " + rollout.namespace + "/" + rollout.httpRoute + " is gone");
    }
    GenericKubernetesResource desired = Serialization.clone(checkpoint.httpRoute());
    RouteWeights.split(desired, stable.getMetadata().getName(), canaryService, weight);
    Object wanted = desired.getAdditionalProperties().get("spec");
    if (!Objects.equals(wanted, route.getAdditionalProperties().get("spec"))) {
      route.getAdditionalProperties().put("spec", wanted);
      client
          .genericKubernetesResources(HTTP_ROUTE)
          .inNamespace(rollout.namespace)
          .resource(route)
          .update();
    }
  }

  private Map<String, String> stableServiceSelector(Rollout rollout, Snapshot checkpoint) {
    return rollout.httpRoute == null
        ? Map.of()
        : stableService(rollout, checkpoint).getSpec().getSelector();
  }

  /** The Service in front of the stable Pods: the route's backend whose selector they match. */
  Service stableService(Rollout rollout, Snapshot checkpoint) {
    Map<String, String> podLabels =
        checkpoint.deployment().getSpec().getTemplate().getMetadata().getLabels();
    for (String name : RouteWeights.backendNames(checkpoint.httpRoute())) {
      Service svc = client.services().inNamespace(rollout.namespace).withName(name).get();
      if (svc != null
          && svc.getSpec().getSelector() != null
          && !svc.getSpec().getSelector().isEmpty()
          && podLabels.entrySet().containsAll(svc.getSpec().getSelector().entrySet())) {
        return svc;
      }
    }
    throw new IllegalStateException(
        "HTTPRoute "
            + rollout.httpRoute
            + " has no backend Service selecting "
            + rollout.deployment);
  }

  /**
   * Writes the patched images to the stable Deployment, with its own replica count again when a
   * step had added some ({@code replicas}; null leaves the count alone): one update, so never half
   * applied.
   */
  public void promote(Rollout rollout, Integer replicas) {
    Deployment live =
        client
            .apps()
            .deployments()
            .inNamespace(rollout.namespace)
            .withName(rollout.deployment)
            .get();
    boolean changed = false;
    for (var c : live.getSpec().getTemplate().getSpec().getContainers()) {
      if (rollout.containers.contains(c.getName()) && !rollout.image.equals(c.getImage())) {
        c.setImage(rollout.image);
        changed = true;
      }
    }
    if (replicas != null && !Objects.equals(live.getSpec().getReplicas(), replicas)) {
      live.getSpec().setReplicas(replicas);
      changed = true;
    }
    if (changed) {
      client.apps().deployments().inNamespace(rollout.namespace).resource(live).update();
    }
  }

  /** Ready replicas of the stable Deployment at its current spec (0 while it rolls). */
  public int stableReady(Rollout rollout) {
    Deployment d = stable(rollout);
    if (d == null || d.getStatus() == null || !observed(d)) {
      return 0;
    }
    return Objects.requireNonNullElse(d.getStatus().getReadyReplicas(), 0);
  }

  public Deployment stable(Rollout rollout) {
    return client
        .apps()
        .deployments()
        .inNamespace(rollout.namespace)
        .withName(rollout.deployment)
        .get();
  }

  /** Deletes the canary Deployment, its Pods and its Service; true once nothing is left. */
  public boolean removeCanary(String namespace, String canaryName, String rolloutId) {
    Deployment canary =
        client.apps().deployments().inNamespace(namespace).withName(canaryName).get();
    if (canary != null && ours(canary, rolloutId)) {
      client.apps().deployments().inNamespace(namespace).withName(canaryName).delete();
    }
    // Services have no delete-collection on a real API server (405): one by one, by name.
    for (Service svc :
        client
            .services()
            .inNamespace(namespace)
            .withLabel(Labels.ROLLOUT, rolloutId)
            .list()
            .getItems()) {
      client.services().inNamespace(namespace).withName(svc.getMetadata().getName()).delete();
    }
    // A real cluster's garbage collector removes the Pods; deleting them by label holds either way.
    client
        .apps()
        .replicaSets()
        .inNamespace(namespace)
        .withLabel(Labels.ROLLOUT, rolloutId)
        .delete();
    client.pods().inNamespace(namespace).withLabel(Labels.ROLLOUT, rolloutId).delete();
    return leftovers(namespace, rolloutId, canaryName).isEmpty();
  }

  /** Made by PatchOps for this rollout: never touch a Deployment that merely has the name. */
  public static boolean ours(Deployment d, String rolloutId) {
    Map<String, String> labels = d.getMetadata().getLabels();
    return labels != null
        && rolloutId.equals(labels.get(Labels.ROLLOUT))
        && Labels.MANAGED_BY_VALUE.equals(labels.get(Labels.MANAGED_BY));
  }

  /** A Deployment called {@code <name>-canary} that this rollout did not make, or null. */
  public String foreignCanary(Rollout rollout) {
    Deployment d =
        client
            .apps()
            .deployments()
            .inNamespace(rollout.namespace)
            .withName(rollout.canaryName())
            .get();
    return d != null && !ours(d, rollout.id) ? d.getMetadata().getName() : null;
  }

  /** Canary objects of this rollout still in the cluster. */
  public List<String> leftovers(String namespace, String rolloutId, String canaryName) {
    List<String> left = new ArrayList<>();
    Deployment canary =
        client.apps().deployments().inNamespace(namespace).withName(canaryName).get();
    if (canary != null && ours(canary, rolloutId)) {
      left.add("Deployment/" + canaryName);
    }
    client
        .services()
        .inNamespace(namespace)
        .withLabel(Labels.ROLLOUT, rolloutId)
        .list()
        .getItems()
        .forEach(s -> left.add("Service/" + s.getMetadata().getName()));
    client
        .pods()
        .inNamespace(namespace)
        .withLabel(Labels.ROLLOUT, rolloutId)
        .list()
        .getItems()
        .forEach(p -> left.add("Pod/" + p.getMetadata().getName()));
    return left;
  }

  /** A canary Deployment found in the cluster by its labels. */
  public record Canary(String namespace, String name, String rolloutId) {}

  /** Every canary PatchOps made, in any namespace, for the orphan sweep. */
  public List<Canary> canaries() {
    return client
        .apps()
        .deployments()
        .inAnyNamespace()
        .withLabel(Labels.MANAGED_BY, Labels.MANAGED_BY_VALUE)
        .withLabel(Labels.TRACK, Labels.CANARY)
        .list()
        .getItems()
        .stream()
        .filter(d -> d.getMetadata().getLabels().get(Labels.ROLLOUT) != null)
        .map(
            d ->
                new Canary(
                    d.getMetadata().getNamespace(),
                    d.getMetadata().getName(),
                    d.getMetadata().getLabels().get(Labels.ROLLOUT)))
        .toList();
  }
}
