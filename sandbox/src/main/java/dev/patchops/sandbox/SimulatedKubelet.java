package dev.patchops.sandbox;

import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.ContainerStatusBuilder;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentCondition;
import io.fabric8.kubernetes.api.model.apps.DeploymentConditionBuilder;
import io.fabric8.kubernetes.api.model.apps.DeploymentStatus;
import io.fabric8.kubernetes.api.model.apps.DeploymentStatusBuilder;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.apps.StatefulSetStatus;
import io.fabric8.kubernetes.api.model.apps.StatefulSetStatusBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * What the sandbox API lacks to behave like a cluster: the Deployment and StatefulSet controllers
 * and the kubelet. It watches workloads, keeps one Pod per desired replica of the current template
 * (replacing Pods of an older template, as a rollout would), and reports status the way the real
 * controllers do: replicas, ready and available counts, observedGeneration and conditions.
 *
 * <p>Failures are injected per image ({@link #behave}) or per pod template, with the annotation
 * {@value #BEHAVIOR}: {@code ready} (default), {@code unready}, {@code crashloop}, {@code
 * image-pull}. Used by tests and the local stack; never by a service.
 */
public final class SimulatedKubelet implements AutoCloseable {
  public static final String BEHAVIOR = "sim.patchops.dev/behavior";
  public static final String TEMPLATE_HASH = "pod-template-hash";

  public enum Behavior {
    READY,
    UNREADY,
    CRASHLOOP,
    IMAGE_PULL;

    static Behavior parse(String value) {
      return value == null ? null : valueOf(value.trim().toUpperCase().replace('-', '_'));
    }
  }

  private final KubernetesClient client;
  private final Map<String, Behavior> byImage = new ConcurrentHashMap<>();
  private final List<SharedIndexInformer<?>> informers = new ArrayList<>();

  public SimulatedKubelet(KubernetesClient client) {
    this.client = client;
  }

  /** Every Pod whose image contains {@code imageFragment} behaves so, from its next reconcile. */
  public SimulatedKubelet behave(String imageFragment, Behavior behavior) {
    byImage.put(imageFragment, behavior);
    return this;
  }

  public SimulatedKubelet start() {
    informers.add(client.apps().deployments().inAnyNamespace().inform(handler(this::reconcile), 0));
    informers.add(
        client.apps().statefulSets().inAnyNamespace().inform(handler(this::reconcile), 0));
    return this;
  }

  @Override
  public void close() {
    informers.forEach(SharedIndexInformer::close);
  }

  private static <T extends HasMetadata> ResourceEventHandler<T> handler(Consumer<T> reconcile) {
    return new ResourceEventHandler<>() {
      @Override
      public void onAdd(T obj) {
        safely(reconcile, obj);
      }

      @Override
      public void onUpdate(T oldObj, T newObj) {
        safely(reconcile, newObj);
      }

      @Override
      public void onDelete(T obj, boolean deletedFinalStateUnknown) {}
    };
  }

  /** A simulator that dies silently inside an informer is worse than one that says why. */
  private static <T extends HasMetadata> void safely(Consumer<T> reconcile, T obj) {
    try {
      reconcile.accept(obj);
    } catch (RuntimeException e) {
      System.err.println(
          "simulated kubelet: cannot reconcile "
              + obj.getKind()
              + " "
              + obj.getMetadata().getName()
              + ": "
              + e);
    }
  }

  synchronized void reconcile(Deployment deployment) {
    String ns = deployment.getMetadata().getNamespace();
    Deployment current =
        client
            .apps()
            .deployments()
            .inNamespace(ns)
            .withName(deployment.getMetadata().getName())
            .get();
    if (current == null) {
      return;
    }
    int replicas = Objects.requireNonNullElse(current.getSpec().getReplicas(), 1);
    String hash = hash(current.getSpec().getTemplate());
    List<Pod> pods =
        syncPods(
            current,
            current.getSpec().getTemplate(),
            replicas,
            hash,
            i -> current.getMetadata().getName() + "-" + hash + "-" + i);
    int ready = (int) pods.stream().filter(SimulatedKubelet::ready).count();
    DeploymentStatus status =
        new DeploymentStatusBuilder()
            .withObservedGeneration(current.getMetadata().getGeneration())
            .withReplicas(pods.size())
            .withUpdatedReplicas(pods.size())
            .withReadyReplicas(ready)
            .withAvailableReplicas(ready)
            .withUnavailableReplicas(pods.size() - ready)
            .withConditions(
                condition(
                    "Available",
                    ready >= replicas,
                    ready >= replicas ? "MinimumReplicasAvailable" : "MinimumReplicasUnavailable"),
                condition(
                    "Progressing",
                    true,
                    ready >= replicas ? "NewReplicaSetAvailable" : "ReplicaSetUpdated"))
            .build();
    if (!sameStatus(current.getStatus(), status)) {
      current.setStatus(status);
      client.apps().deployments().inNamespace(ns).resource(current).updateStatus();
    }
  }

  synchronized void reconcile(StatefulSet set) {
    String ns = set.getMetadata().getNamespace();
    StatefulSet current =
        client.apps().statefulSets().inNamespace(ns).withName(set.getMetadata().getName()).get();
    if (current == null) {
      return;
    }
    int replicas = Objects.requireNonNullElse(current.getSpec().getReplicas(), 1);
    String hash = hash(current.getSpec().getTemplate());
    List<Pod> pods =
        syncPods(
            current,
            current.getSpec().getTemplate(),
            replicas,
            hash,
            i -> current.getMetadata().getName() + "-" + i);
    int ready = (int) pods.stream().filter(SimulatedKubelet::ready).count();
    StatefulSetStatus status =
        new StatefulSetStatusBuilder()
            .withObservedGeneration(current.getMetadata().getGeneration())
            .withReplicas(pods.size())
            .withCurrentReplicas(pods.size())
            .withUpdatedReplicas(pods.size())
            .withReadyReplicas(ready)
            .withAvailableReplicas(ready)
            .withCurrentRevision(current.getMetadata().getName() + "-" + hash)
            .withUpdateRevision(current.getMetadata().getName() + "-" + hash)
            .build();
    if (!Objects.equals(Serialization.asJson(current.getStatus()), Serialization.asJson(status))) {
      current.setStatus(status);
      client.apps().statefulSets().inNamespace(ns).resource(current).updateStatus();
    }
  }

  /** Keeps exactly {@code replicas} Pods of the current template; older ones are replaced. */
  private List<Pod> syncPods(
      HasMetadata owner,
      PodTemplateSpec template,
      int replicas,
      String hash,
      java.util.function.IntFunction<String> name) {
    String ns = owner.getMetadata().getNamespace();
    List<Pod> kept = new ArrayList<>();
    for (Pod pod : client.pods().inNamespace(ns).list().getItems()) {
      boolean owned =
          pod.getMetadata().getOwnerReferences() != null
              && pod.getMetadata().getOwnerReferences().stream()
                  .anyMatch(r -> Objects.equals(r.getUid(), owner.getMetadata().getUid()));
      if (!owned) {
        continue;
      }
      String podHash =
          pod.getMetadata().getLabels() == null
              ? null
              : pod.getMetadata().getLabels().get(TEMPLATE_HASH);
      if (!hash.equals(podHash) || kept.size() >= replicas) {
        client.pods().inNamespace(ns).resource(pod).delete();
      } else {
        kept.add(pod);
      }
    }
    Behavior behavior = behavior(template);
    for (int i = 0; kept.size() < replicas; i++) {
      String podName = name.apply(i);
      if (kept.stream().anyMatch(p -> p.getMetadata().getName().equals(podName))) {
        continue;
      }
      kept.add(
          client
              .pods()
              .inNamespace(ns)
              .resource(pod(owner, template, podName, hash, behavior))
              .create());
    }
    return kept;
  }

  private Pod pod(
      HasMetadata owner, PodTemplateSpec template, String name, String hash, Behavior behavior) {
    Map<String, String> labels = new LinkedHashMap<>();
    if (template.getMetadata() != null && template.getMetadata().getLabels() != null) {
      labels.putAll(template.getMetadata().getLabels());
    }
    labels.put(TEMPLATE_HASH, hash);
    // The annotation speaks for the whole Pod; an image rule only for the containers running it.
    List<ContainerStatus> statuses = new ArrayList<>();
    Behavior worst = Behavior.READY;
    for (var c : template.getSpec().getContainers()) {
      Behavior own = behavior != null ? behavior : imageBehavior(c.getImage());
      statuses.add(containerStatus(c.getName(), c.getImage(), own));
      if (own != Behavior.READY) {
        worst = own;
      }
    }
    behavior = worst;
    boolean ready = behavior == Behavior.READY;
    String now = Instant.now().toString();
    return new PodBuilder()
        .withNewMetadata()
        .withName(name)
        .withNamespace(owner.getMetadata().getNamespace())
        .withLabels(labels)
        .withAnnotations(
            template.getMetadata() == null ? null : template.getMetadata().getAnnotations())
        .withOwnerReferences(
            new OwnerReferenceBuilder()
                .withApiVersion(owner.getApiVersion())
                .withKind(owner.getKind())
                .withName(owner.getMetadata().getName())
                .withUid(owner.getMetadata().getUid())
                .withController(true)
                .build())
        .endMetadata()
        .withSpec(Serialization.clone(template.getSpec()))
        .withNewStatus()
        .withPhase(behavior == Behavior.IMAGE_PULL ? "Pending" : "Running")
        .addNewCondition()
        .withType("Ready")
        .withStatus(ready ? "True" : "False")
        .withLastTransitionTime(now)
        .endCondition()
        .addNewCondition()
        .withType("ContainersReady")
        .withStatus(ready ? "True" : "False")
        .withLastTransitionTime(now)
        .endCondition()
        .withContainerStatuses(statuses)
        .withStartTime(now)
        .endStatus()
        .build();
  }

  /** The pod template's annotated behavior, or null to decide per container image. */
  private static Behavior behavior(PodTemplateSpec template) {
    if (template.getMetadata() != null && template.getMetadata().getAnnotations() != null) {
      return Behavior.parse(template.getMetadata().getAnnotations().get(BEHAVIOR));
    }
    return null;
  }

  private Behavior imageBehavior(String image) {
    for (var entry : byImage.entrySet()) {
      if (image != null && image.contains(entry.getKey())) {
        return entry.getValue();
      }
    }
    return Behavior.READY;
  }

  private static ContainerStatus containerStatus(String name, String image, Behavior behavior) {
    ContainerStatusBuilder status =
        new ContainerStatusBuilder()
            .withName(name)
            .withImage(image)
            .withReady(behavior == Behavior.READY)
            .withStarted(behavior != Behavior.IMAGE_PULL);
    return switch (behavior) {
      case READY, UNREADY ->
          status
              .withRestartCount(0)
              .withNewState()
              .withNewRunning()
              .withStartedAt(Instant.now().toString())
              .endRunning()
              .endState()
              .build();
      case CRASHLOOP ->
          status
              .withRestartCount(5)
              .withNewState()
              .withNewWaiting()
              .withReason("CrashLoopBackOff")
              .withMessage("back-off 5m0s restarting failed container " + name)
              .endWaiting()
              .endState()
              .withNewLastState()
              .withNewTerminated()
              .withExitCode(1)
              .withReason("Error")
              .endTerminated()
              .endLastState()
              .build();
      case IMAGE_PULL ->
          status
              .withRestartCount(0)
              .withNewState()
              .withNewWaiting()
              .withReason("ImagePullBackOff")
              .withMessage("Back-off pulling image \"" + image + "\"")
              .endWaiting()
              .endState()
              .build();
    };
  }

  private static boolean ready(Pod pod) {
    return pod.getStatus() != null
        && pod.getStatus().getConditions() != null
        && pod.getStatus().getConditions().stream()
            .anyMatch(c -> "Ready".equals(c.getType()) && "True".equals(c.getStatus()));
  }

  private static DeploymentCondition condition(String type, boolean ok, String reason) {
    return new DeploymentConditionBuilder()
        .withType(type)
        .withStatus(ok ? "True" : "False")
        .withReason(reason)
        .build();
  }

  private static boolean sameStatus(DeploymentStatus a, DeploymentStatus b) {
    if (a == null) {
      return false;
    }
    return Objects.equals(a.getObservedGeneration(), b.getObservedGeneration())
        && Objects.equals(a.getReplicas(), b.getReplicas())
        && Objects.equals(a.getReadyReplicas(), b.getReadyReplicas())
        && Objects.equals(a.getUpdatedReplicas(), b.getUpdatedReplicas());
  }

  static String hash(PodTemplateSpec template) {
    try {
      byte[] digest =
          MessageDigest.getInstance("SHA-256")
              .digest(Serialization.asJson(template).getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(digest).substring(0, 10);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
