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
  private final Map<String, JobScript> scripts = new ConcurrentHashMap<>();
  private final java.util.Set<String> jobsSeen = ConcurrentHashMap.newKeySet();
  private final java.util.concurrent.ScheduledExecutorService clock =
      java.util.concurrent.Executors.newSingleThreadScheduledExecutor(
          r -> {
            Thread t = new Thread(r, "simulated-kubelet-jobs");
            t.setDaemon(true);
            return t;
          });
  private LogPublisher logs = (namespace, pod, container, text) -> {};
  private volatile JobScript fallback = JobScript.PASS;

  /**
   * What a Job's container does: exit code, how long it runs, what it prints. The log may carry a
   * JUnit report between the PatchOps markers.
   */
  public record JobScript(int exitCode, java.time.Duration duration, String log) {
    public static final JobScript PASS = new JobScript(0, java.time.Duration.ofMillis(100), "ok\n");
  }

  /** Serves a finished container's log on the API (the mock needs to be told). */
  @FunctionalInterface
  public interface LogPublisher {
    void publish(String namespace, String pod, String container, String text);
  }

  public SimulatedKubelet(KubernetesClient client) {
    this.client = client;
  }

  /** Every Pod whose image contains {@code imageFragment} behaves so, from its next reconcile. */
  public SimulatedKubelet behave(String imageFragment, Behavior behavior) {
    byImage.put(imageFragment, behavior);
    return this;
  }

  /** What a Job runs when no script matches its image. */
  public SimulatedKubelet byDefault(JobScript script) {
    this.fallback = script;
    return this;
  }

  /** Injected failures are lifted: Pods become ready and Jobs pass again, from their next run. */
  public SimulatedKubelet forgetAll() {
    byImage.clear();
    scripts.clear();
    return this;
  }

  /** What is injected now, for whoever drives the sandbox: fragment to behaviour or exit code. */
  public Map<String, String> injected() {
    Map<String, String> all = new java.util.TreeMap<>();
    byImage.forEach((fragment, b) -> all.put(fragment, "pods " + b.name().toLowerCase()));
    scripts.forEach((fragment, s) -> all.put(fragment, "jobs exit " + s.exitCode()));
    return all;
  }

  /** Jobs whose first container image contains {@code imageFragment} run this script. */
  public SimulatedKubelet script(String imageFragment, JobScript script) {
    scripts.put(imageFragment, script);
    return this;
  }

  /**
   * Serves finished containers' logs from the mock API server itself, the way a kubelet would
   * through the API server's log endpoint, which the mock only answers when told.
   */
  public SimulatedKubelet servingLogsOn(
      io.fabric8.kubernetes.client.server.mock.KubernetesMockServer server) {
    return publishLogs(
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

  public SimulatedKubelet publishLogs(LogPublisher publisher) {
    this.logs = publisher;
    return this;
  }

  public SimulatedKubelet start() {
    informers.add(client.batch().v1().jobs().inAnyNamespace().inform(handler(this::run), 0));
    informers.add(client.apps().deployments().inAnyNamespace().inform(handler(this::reconcile), 0));
    informers.add(
        client.apps().statefulSets().inAnyNamespace().inform(handler(this::reconcile), 0));
    return this;
  }

  @Override
  public void close() {
    informers.forEach(SharedIndexInformer::close);
    clock.shutdownNow();
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
    if (changed(current.getStatus(), status)) {
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
    if (changed(current.getStatus(), status)) {
      current.setStatus(status);
      client.apps().statefulSets().inNamespace(ns).resource(current).updateStatus();
    }
  }

  /**
   * Starts a Job's Pod, and finishes both after the script's duration, or at the Job's
   * activeDeadlineSeconds if that comes first, the way the Job controller reports it.
   */
  void run(io.fabric8.kubernetes.api.model.batch.v1.Job job) {
    String ns = job.getMetadata().getNamespace();
    String name = job.getMetadata().getName();
    if (job.getStatus() != null && job.getStatus().getStartTime() != null
        || !jobsSeen.add(ns + "/" + name)) {
      return;
    }
    var template = job.getSpec().getTemplate();
    var container = template.getSpec().getContainers().get(0);
    JobScript script =
        scripts.entrySet().stream()
            .filter(e -> container.getImage() != null && container.getImage().contains(e.getKey()))
            .map(Map.Entry::getValue)
            .findFirst()
            .orElse(fallback);
    Long deadlineSeconds = job.getSpec().getActiveDeadlineSeconds();
    boolean overDeadline =
        deadlineSeconds != null
            && script.duration().compareTo(java.time.Duration.ofSeconds(deadlineSeconds)) > 0;
    java.time.Duration runFor =
        overDeadline ? java.time.Duration.ofSeconds(deadlineSeconds) : script.duration();
    Instant started = Instant.now();
    String podName = name + "-" + hash(template).substring(0, 5);
    Map<String, String> labels = new LinkedHashMap<>();
    if (template.getMetadata() != null && template.getMetadata().getLabels() != null) {
      labels.putAll(template.getMetadata().getLabels());
    }
    labels.put("job-name", name);
    labels.put("batch.kubernetes.io/job-name", name);
    client
        .pods()
        .inNamespace(ns)
        .resource(
            new PodBuilder()
                .withNewMetadata()
                .withName(podName)
                .withNamespace(ns)
                .withLabels(labels)
                .withOwnerReferences(
                    new OwnerReferenceBuilder()
                        .withApiVersion("batch/v1")
                        .withKind("Job")
                        .withName(name)
                        .withUid(job.getMetadata().getUid())
                        .withController(true)
                        .build())
                .endMetadata()
                .withSpec(Serialization.clone(template.getSpec()))
                .withNewStatus()
                .withPhase("Running")
                .withStartTime(started.toString())
                .endStatus()
                .build())
        .create();
    job.setStatus(
        new io.fabric8.kubernetes.api.model.batch.v1.JobStatusBuilder()
            .withActive(1)
            .withStartTime(started.toString())
            .build());
    client.batch().v1().jobs().inNamespace(ns).resource(job).updateStatus();
    clock.schedule(
        () -> {
          try {
            finish(ns, name, podName, container.getName(), script, overDeadline, started);
          } catch (RuntimeException e) {
            System.err.println("simulated kubelet: cannot finish Job " + name + ": " + e);
          }
        },
        runFor.toMillis(),
        java.util.concurrent.TimeUnit.MILLISECONDS);
  }

  private void finish(
      String ns,
      String name,
      String podName,
      String container,
      JobScript script,
      boolean killed,
      Instant started) {
    Instant now = Instant.now();
    int exitCode = killed ? 137 : script.exitCode();
    logs.publish(ns, podName, container, script.log());
    Pod pod = client.pods().inNamespace(ns).withName(podName).get();
    if (pod != null) {
      pod.getStatus().setPhase(exitCode == 0 ? "Succeeded" : "Failed");
      pod.getStatus()
          .setContainerStatuses(
              List.of(
                  new ContainerStatusBuilder()
                      .withName(container)
                      .withReady(false)
                      .withRestartCount(0)
                      .withNewState()
                      .withNewTerminated()
                      .withExitCode(exitCode)
                      .withReason(
                          killed ? "DeadlineExceeded" : exitCode == 0 ? "Completed" : "Error")
                      .withStartedAt(started.toString())
                      .withFinishedAt(now.toString())
                      .endTerminated()
                      .endState()
                      .build()));
      client.pods().inNamespace(ns).resource(pod).updateStatus();
    }
    var job = client.batch().v1().jobs().inNamespace(ns).withName(name).get();
    if (job == null) {
      return;
    }
    var status =
        new io.fabric8.kubernetes.api.model.batch.v1.JobStatusBuilder()
            .withStartTime(started.toString())
            .withActive(0);
    if (exitCode == 0) {
      status
          .withSucceeded(1)
          .withCompletionTime(now.toString())
          .addNewCondition()
          .withType("Complete")
          .withStatus("True")
          .withLastTransitionTime(now.toString())
          .endCondition();
    } else {
      status
          .withFailed(1)
          .addNewCondition()
          .withType("Failed")
          .withStatus("True")
          .withReason(killed ? "DeadlineExceeded" : "BackoffLimitExceeded")
          .withMessage(
              killed
                  ? "Job was active longer than specified deadline"
                  : "Job has reached the specified backoff limit")
          .withLastTransitionTime(now.toString())
          .endCondition();
    }
    job.setStatus(status.build());
    client.batch().v1().jobs().inNamespace(ns).resource(job).updateStatus();
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

  /** Writing an unchanged status would wake the informer again for nothing. */
  private static boolean changed(Object current, Object desired) {
    return !Objects.equals(Serialization.asJson(current), Serialization.asJson(desired));
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
