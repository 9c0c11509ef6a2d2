package dev.patchops.sandbox;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The kubelets of a real control plane's simulated Nodes. The controller manager turns Deployments
 * into ReplicaSets and Pods, runs Jobs and finalizes namespaces; the scheduler binds Pods to Nodes.
 * This plays what no container runtime is here to do: it writes the status of each bound Pod
 * through the API, finishes deleted Pods, and serves their logs on the kubelet port the API
 * server's {@code pods/log} proxies to.
 *
 * <p>Failures are injected per image ({@link #behave}) or per pod template, with the annotation
 * {@value #BEHAVIOR}: {@code ready} (default), {@code unready}, {@code crashloop}, {@code
 * image-pull}. As a kubelet does, a container whose environment names a ConfigMap, Secret or key
 * that is not there is not started ({@code CreateContainerConfigError}); one already running keeps
 * running. A Job's Pod runs a {@link JobScript}: its exit code, duration and log. Used by tests and
 * the local stack; never by a service.
 */
public final class SimulatedKubelet implements AutoCloseable {
  public static final String BEHAVIOR = "sim.patchops.dev/behavior";
  public static final List<String> NODES = List.of("patchops-sim-1", "patchops-sim-2");

  public enum Behavior {
    READY,
    UNREADY,
    CRASHLOOP,
    IMAGE_PULL;

    static Behavior parse(String value) {
      return value == null ? null : valueOf(value.trim().toUpperCase().replace('-', '_'));
    }
  }

  /**
   * What a Job's container does: exit code, how long it runs, what it prints. The log may carry a
   * JUnit report between the PatchOps markers.
   */
  public record JobScript(int exitCode, Duration duration, String log) {
    public static final JobScript PASS = new JobScript(0, Duration.ofMillis(100), "ok\n");
  }

  private static final ObjectMapper JSON = new ObjectMapper();
  private final KubernetesClient client;
  private final Map<String, Behavior> byImage = new ConcurrentHashMap<>();
  private final Map<String, JobScript> scripts = new ConcurrentHashMap<>();
  private final Set<String> jobPodsStarted = ConcurrentHashMap.newKeySet();
  private final Map<String, String> podIps = new ConcurrentHashMap<>();
  private final AtomicInteger nextIp = new AtomicInteger(1);
  private final ScheduledExecutorService clock =
      Executors.newScheduledThreadPool(
          2,
          r -> {
            Thread t = new Thread(r, "simulated-kubelet");
            t.setDaemon(true);
            return t;
          });
  private volatile JobScript fallback = JobScript.PASS;
  private KubeletLogServer logs;
  private SimulatedNodes nodes;
  private SharedIndexInformer<Pod> pods;

  public SimulatedKubelet(KubernetesClient client) {
    this.client = client;
  }

  /** Every Pod whose image contains {@code imageFragment} behaves so, from now on. */
  public SimulatedKubelet behave(String imageFragment, Behavior behavior) {
    byImage.put(imageFragment, behavior);
    resync();
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
    resync();
    return this;
  }

  /** What is injected now, for whoever drives the sandbox: fragment to behaviour or exit code. */
  public Map<String, String> injected() {
    Map<String, String> all = new TreeMap<>();
    byImage.forEach((fragment, b) -> all.put(fragment, "pods " + b.name().toLowerCase()));
    scripts.forEach((fragment, s) -> all.put(fragment, "jobs exit " + s.exitCode()));
    return all;
  }

  /** Jobs whose first container image contains {@code imageFragment} run this script. */
  public SimulatedKubelet script(String imageFragment, JobScript script) {
    scripts.put(imageFragment, script);
    return this;
  }

  /** Registers the sandbox's Nodes and starts playing their kubelets. */
  public SimulatedKubelet start() {
    logs = KubeletLogServer.start();
    nodes = new SimulatedNodes(client, logs.port());
    nodes.start(NODES, clock);
    pods =
        client
            .pods()
            .inAnyNamespace()
            .inform(
                new ResourceEventHandler<>() {
                  @Override
                  public void onAdd(Pod pod) {
                    safely(pod);
                  }

                  @Override
                  public void onUpdate(Pod oldPod, Pod pod) {
                    safely(pod);
                  }

                  @Override
                  public void onDelete(Pod pod, boolean unknown) {
                    String key = key(pod);
                    jobPodsStarted.remove(pod.getMetadata().getUid());
                    podIps.remove(key);
                    logs.forgetPod(pod.getMetadata().getNamespace(), pod.getMetadata().getName());
                  }
                },
                0);
    return this;
  }

  @Override
  public void close() {
    if (pods != null) {
      pods.close();
    }
    if (nodes != null) {
      nodes.close();
    }
    if (logs != null) {
      logs.close();
    }
    clock.shutdownNow();
  }

  /** A behaviour changed: every Pod is looked at again, as a kubelet's next sync would. */
  private void resync() {
    if (pods != null) {
      pods.getStore().list().forEach(this::safely);
    }
  }

  /** A simulator that dies silently inside an informer is worse than one that says why. */
  private void safely(Pod pod) {
    try {
      sync(pod);
    } catch (KubernetesClientException e) {
      if (e.getCode() != 404 && e.getCode() != 409) {
        System.err.println("simulated kubelet: cannot sync Pod " + key(pod) + ": " + e);
      }
    } catch (RuntimeException e) {
      System.err.println("simulated kubelet: cannot sync Pod " + key(pod) + ": " + e);
    }
  }

  private void sync(Pod pod) {
    String node = pod.getSpec().getNodeName();
    if (node == null || !nodes.plays(node)) {
      return;
    }
    if (pod.getMetadata().getDeletionTimestamp() != null) {
      // No container to stop: the kubelet's last word on a deleted Pod is to remove it.
      client
          .pods()
          .inNamespace(pod.getMetadata().getNamespace())
          .withName(pod.getMetadata().getName())
          .withGracePeriod(0)
          .delete();
      return;
    }
    if (finished(pod)) {
      return;
    }
    if (ownedByJob(pod)) {
      runJobPod(pod);
    } else {
      Map<String, Object> status = serviceStatus(pod);
      if (differs(pod, status)) {
        patchStatus(pod, status);
      }
    }
  }

  private static boolean finished(Pod pod) {
    String phase = pod.getStatus() == null ? null : pod.getStatus().getPhase();
    return "Succeeded".equals(phase) || "Failed".equals(phase);
  }

  private static boolean ownedByJob(Pod pod) {
    return pod.getMetadata().getOwnerReferences() != null
        && pod.getMetadata().getOwnerReferences().stream().anyMatch(r -> "Job".equals(r.getKind()));
  }

  /** Starts a Job's Pod once, and ends it when its script's time is up. */
  private void runJobPod(Pod pod) {
    if (!jobPodsStarted.add(pod.getMetadata().getUid())) {
      return;
    }
    Container container = pod.getSpec().getContainers().get(0);
    JobScript script =
        scripts.entrySet().stream()
            .filter(e -> container.getImage() != null && container.getImage().contains(e.getKey()))
            .map(Map.Entry::getValue)
            .findFirst()
            .orElse(fallback);
    Instant started = Instant.now();
    try {
      patchStatus(pod, jobStatus(pod, "Running", started, null, script));
    } catch (RuntimeException e) {
      // Not started after all: the next sync of the Pod tries again.
      jobPodsStarted.remove(pod.getMetadata().getUid());
      throw e;
    }
    logs.put(
        pod.getMetadata().getNamespace(),
        pod.getMetadata().getName(),
        container.getName(),
        script.log());
    clock.schedule(
        () -> finishJobPod(pod, script, started, 1),
        script.duration().toMillis(),
        TimeUnit.MILLISECONDS);
  }

  /** Writes the Pod's end; an API that refuses is asked again, as a kubelet's next sync would. */
  private void finishJobPod(Pod pod, JobScript script, Instant started, int attempt) {
    try {
      patchStatus(
          pod,
          jobStatus(
              pod,
              script.exitCode() == 0 ? "Succeeded" : "Failed",
              started,
              Instant.now(),
              script));
    } catch (KubernetesClientException e) {
      if (e.getCode() == 404) {
        return;
      }
      retryFinish(pod, script, started, attempt, e);
    } catch (RuntimeException e) {
      retryFinish(pod, script, started, attempt, e);
    }
  }

  private void retryFinish(
      Pod pod, JobScript script, Instant started, int attempt, RuntimeException cause) {
    if (attempt >= 10) {
      System.err.println("simulated kubelet: cannot finish Pod " + key(pod) + ": " + cause);
      return;
    }
    clock.schedule(
        () -> finishJobPod(pod, script, started, attempt + 1),
        Math.min(2000, 100L << attempt),
        TimeUnit.MILLISECONDS);
  }

  private Map<String, Object> jobStatus(
      Pod pod, String phase, Instant started, Instant finished, JobScript script) {
    List<Map<String, Object>> containers = new ArrayList<>();
    for (Container c : pod.getSpec().getContainers()) {
      Map<String, Object> state =
          finished == null
              ? state("running", Map.of("startedAt", started.toString()))
              : state(
                  "terminated",
                  Map.of(
                      "exitCode", script.exitCode(),
                      "reason", script.exitCode() == 0 ? "Completed" : "Error",
                      "startedAt", started.toString(),
                      "finishedAt", finished.toString()));
      containers.add(container(c, finished == null, finished == null, 0, state, null));
    }
    boolean running = finished == null;
    Map<String, Object> status = base(pod, phase, running, containers);
    status.put("startTime", started.toString());
    return status;
  }

  /** A long-running Pod's status: the worst behaviour of its containers decides the phase. */
  private Map<String, Object> serviceStatus(Pod pod) {
    Behavior annotated =
        pod.getMetadata().getAnnotations() == null
            ? null
            : Behavior.parse(pod.getMetadata().getAnnotations().get(BEHAVIOR));
    Behavior worst = Behavior.READY;
    List<Map<String, Object>> containers = new ArrayList<>();
    String started =
        pod.getStatus() != null && pod.getStatus().getStartTime() != null
            ? pod.getStatus().getStartTime()
            : Instant.now().toString();
    boolean configError = false;
    for (Container c : pod.getSpec().getContainers()) {
      String missing = hasStarted(pod, c.getName()) ? null : missingConfig(pod, c);
      if (missing != null) {
        configError = true;
        containers.add(
            container(
                c,
                false,
                false,
                0,
                state(
                    "waiting", Map.of("reason", "CreateContainerConfigError", "message", missing)),
                null));
        continue;
      }
      Behavior own = annotated != null ? annotated : imageBehavior(c.getImage());
      if (own != Behavior.READY) {
        worst = own;
      }
      containers.add(containerStatus(c, own, started));
    }
    Map<String, Object> status =
        base(
            pod,
            worst == Behavior.IMAGE_PULL || configError ? "Pending" : "Running",
            worst == Behavior.READY && !configError,
            containers);
    status.put("startTime", started);
    if (configError) {
      // A kubelet tries again: the missing object may be on its way (a mirror still copying).
      clock.schedule(() -> retrySync(key(pod)), 1, TimeUnit.SECONDS);
    }
    return status;
  }

  private void retrySync(String key) {
    Pod latest = pods == null ? null : pods.getStore().getByKey(key);
    if (latest != null) {
      safely(latest);
    }
  }

  /** The container ran once: a kubelet checks its configuration only before it starts it. */
  private static boolean hasStarted(Pod pod, String container) {
    if (pod.getStatus() == null || pod.getStatus().getContainerStatuses() == null) {
      return false;
    }
    return pod.getStatus().getContainerStatuses().stream()
        .filter(cs -> container.equals(cs.getName()))
        .anyMatch(
            cs ->
                Boolean.TRUE.equals(cs.getStarted())
                    || (cs.getRestartCount() != null && cs.getRestartCount() > 0)
                    || (cs.getState() != null
                        && (cs.getState().getRunning() != null
                            || cs.getState().getTerminated() != null)));
  }

  /**
   * What a kubelet refuses to start a container for (CreateContainerConfigError): a ConfigMap or
   * Secret, or a key of one, that its environment names and does not mark optional. Null when all
   * are there.
   */
  private String missingConfig(Pod pod, Container c) {
    String ns = pod.getMetadata().getNamespace();
    if (c.getEnvFrom() != null) {
      for (var from : c.getEnvFrom()) {
        if (from.getConfigMapRef() != null
            && !Boolean.TRUE.equals(from.getConfigMapRef().getOptional())
            && client.configMaps().inNamespace(ns).withName(from.getConfigMapRef().getName()).get()
                == null) {
          return "configmap \"" + from.getConfigMapRef().getName() + "\" not found";
        }
        if (from.getSecretRef() != null
            && !Boolean.TRUE.equals(from.getSecretRef().getOptional())
            && client.secrets().inNamespace(ns).withName(from.getSecretRef().getName()).get()
                == null) {
          return "secret \"" + from.getSecretRef().getName() + "\" not found";
        }
      }
    }
    if (c.getEnv() == null) {
      return null;
    }
    for (var env : c.getEnv()) {
      var from = env.getValueFrom();
      if (from == null) {
        continue;
      }
      if (from.getSecretKeyRef() != null
          && !Boolean.TRUE.equals(from.getSecretKeyRef().getOptional())) {
        var ref = from.getSecretKeyRef();
        var secret = client.secrets().inNamespace(ns).withName(ref.getName()).get();
        if (secret == null) {
          return "secret \"" + ref.getName() + "\" not found";
        }
        boolean has =
            (secret.getData() != null && secret.getData().containsKey(ref.getKey()))
                || (secret.getStringData() != null
                    && secret.getStringData().containsKey(ref.getKey()));
        if (!has) {
          return "couldn't find key " + ref.getKey() + " in Secret " + ns + "/" + ref.getName();
        }
      }
      if (from.getConfigMapKeyRef() != null
          && !Boolean.TRUE.equals(from.getConfigMapKeyRef().getOptional())) {
        var ref = from.getConfigMapKeyRef();
        var map = client.configMaps().inNamespace(ns).withName(ref.getName()).get();
        if (map == null) {
          return "configmap \"" + ref.getName() + "\" not found";
        }
        boolean has =
            (map.getData() != null && map.getData().containsKey(ref.getKey()))
                || (map.getBinaryData() != null && map.getBinaryData().containsKey(ref.getKey()));
        if (!has) {
          return "couldn't find key " + ref.getKey() + " in ConfigMap " + ns + "/" + ref.getName();
        }
      }
    }
    return null;
  }

  private Map<String, Object> base(
      Pod pod, String phase, boolean ready, List<Map<String, Object>> containers) {
    String now = Instant.now().toString();
    String ip = podIps.computeIfAbsent(key(pod), k -> nextPodIp());
    Map<String, Object> status = new LinkedHashMap<>();
    status.put("phase", phase);
    status.put("hostIP", "127.0.0.1");
    status.put("hostIPs", List.of(Map.of("ip", "127.0.0.1")));
    status.put("podIP", ip);
    status.put("podIPs", List.of(Map.of("ip", ip)));
    status.put(
        "conditions",
        List.of(
            podCondition("Initialized", true, now),
            podCondition("Ready", ready, now),
            podCondition("ContainersReady", ready, now),
            podCondition("PodScheduled", true, now)));
    status.put("containerStatuses", containers);
    return status;
  }

  private String nextPodIp() {
    int n = nextIp.getAndIncrement();
    return "10.244." + ((n >> 8) & 0xff) + "." + (n & 0xff);
  }

  private Behavior imageBehavior(String image) {
    for (var entry : byImage.entrySet()) {
      if (image != null && image.contains(entry.getKey())) {
        return entry.getValue();
      }
    }
    return Behavior.READY;
  }

  private static Map<String, Object> containerStatus(Container c, Behavior behavior, String since) {
    return switch (behavior) {
      case READY, UNREADY ->
          container(
              c,
              behavior == Behavior.READY,
              true,
              0,
              state("running", Map.of("startedAt", since)),
              null);
      case CRASHLOOP ->
          container(
              c,
              false,
              false,
              5,
              state(
                  "waiting",
                  Map.of(
                      "reason",
                      "CrashLoopBackOff",
                      "message",
                      "back-off 5m0s restarting failed container " + c.getName())),
              Map.of("terminated", Map.of("exitCode", 1, "reason", "Error")));
      case IMAGE_PULL ->
          container(
              c,
              false,
              false,
              0,
              state(
                  "waiting",
                  Map.of(
                      "reason",
                      "ImagePullBackOff",
                      "message",
                      "Back-off pulling image \"" + c.getImage() + "\"")),
              null);
    };
  }

  private static Map<String, Object> container(
      Container c,
      boolean ready,
      boolean started,
      int restarts,
      Map<String, Object> state,
      Map<String, Object> lastState) {
    Map<String, Object> status = new LinkedHashMap<>();
    status.put("name", c.getName());
    status.put("image", c.getImage());
    status.put("imageID", c.getImage());
    status.put("ready", ready);
    status.put("started", started);
    status.put("restartCount", restarts);
    status.put("state", state);
    if (lastState != null) {
      status.put("lastState", lastState);
    }
    return status;
  }

  private static Map<String, Object> podCondition(String type, boolean ok, String now) {
    return Map.of("type", type, "status", ok ? "True" : "False", "lastTransitionTime", now);
  }

  /**
   * Writing an unchanged status would wake every watcher again for nothing: only the phase, the
   * readiness and each container's state and restarts are compared.
   */
  private static boolean differs(Pod pod, Map<String, Object> desired) {
    if (pod.getStatus() == null) {
      return true;
    }
    Map<String, Object> current =
        Serialization.unmarshal(Serialization.asJson(pod.getStatus()), Map.class);
    return !Objects.equals(current.get("phase"), desired.get("phase"))
        || !Objects.equals(readiness(current), readiness(desired))
        || !Objects.equals(containerSummary(current), containerSummary(desired));
  }

  @SuppressWarnings("unchecked")
  private static Object readiness(Map<String, Object> status) {
    Object conditions = status.get("conditions");
    if (!(conditions instanceof List<?> list)) {
      return null;
    }
    return list.stream()
        .map(c -> (Map<String, Object>) c)
        .filter(c -> "Ready".equals(c.get("type")))
        .map(c -> c.get("status"))
        .findFirst()
        .orElse(null);
  }

  @SuppressWarnings("unchecked")
  private static List<String> containerSummary(Map<String, Object> status) {
    Object containers = status.get("containerStatuses");
    if (!(containers instanceof List<?> list)) {
      return List.of();
    }
    List<String> summary = new ArrayList<>();
    for (Object item : list) {
      Map<String, Object> c = (Map<String, Object>) item;
      String kind = "";
      Object reason = null;
      if (c.get("state") instanceof Map<?, ?> state) {
        for (var entry : state.entrySet()) {
          if (entry.getValue() instanceof Map<?, ?> detail) {
            kind = String.valueOf(entry.getKey());
            reason = detail.get("reason");
          }
        }
      }
      summary.add(
          c.get("name")
              + ":"
              + c.get("ready")
              + ":"
              + c.get("restartCount")
              + ":"
              + kind
              + ":"
              + reason);
    }
    return summary;
  }

  private void patchStatus(Pod pod, Map<String, Object> status) {
    client
        .pods()
        .inNamespace(pod.getMetadata().getNamespace())
        .withName(pod.getMetadata().getName())
        .subresource("status")
        .patch(PatchContext.of(PatchType.STRATEGIC_MERGE), json(Map.of("status", status)));
  }

  /** Nulls are kept: in a merge patch they are what removes a container's previous state. */
  private static String json(Object value) {
    try {
      return JSON.writeValueAsString(value);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  /** A container state naming one kind; the other kinds are cleared by the patch. */
  private static Map<String, Object> state(String kind, Map<String, Object> detail) {
    Map<String, Object> state = new HashMap<>();
    for (String k : List.of("running", "waiting", "terminated")) {
      state.put(k, k.equals(kind) ? detail : null);
    }
    return state;
  }

  private static String key(Pod pod) {
    return pod.getMetadata().getNamespace() + "/" + pod.getMetadata().getName();
  }
}
