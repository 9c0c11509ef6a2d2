package dev.patchops.kubectl;

import io.fabric8.kubernetes.api.model.APIResource;
import io.fabric8.kubernetes.api.model.APIResourceList;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.NamedContext;
import io.fabric8.kubernetes.api.model.Status;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.io.IOException;
import java.net.ConnectException;
import java.net.UnknownHostException;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpTimeoutException;
import java.nio.channels.UnresolvedAddressException;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import javax.net.ssl.SSLException;

/**
 * The cluster of the user's kubeconfig and context, as kubectl would reach it, and the PatchOps
 * custom resources in it. Every API failure leaves here as a one-line {@link PluginException}.
 */
final class Cluster implements AutoCloseable {
  static final String GROUP = "patchops.dev";
  static final String VERSION = "v1alpha1";

  /** A PatchOps custom resource type, with the words kubectl uses for it. */
  enum Kind {
    ROLLOUT("PatchRollout", "patchrollouts"),
    TEST("PatchTest", "patchtests");

    final String kind;
    final String plural;

    Kind(String kind, String plural) {
      this.kind = kind;
      this.plural = plural;
    }

    ResourceDefinitionContext context() {
      return new ResourceDefinitionContext.Builder()
          .withGroup(GROUP)
          .withVersion(VERSION)
          .withKind(kind)
          .withPlural(plural)
          .withNamespaced(true)
          .build();
    }

    /**
     * How kubectl names an object of this kind in its messages: {@code
     * patchrollout.patchops.dev/x}.
     */
    String ref(String name) {
      return kind.toLowerCase() + "." + GROUP + "/" + name;
    }
  }

  private final KubernetesClient client;
  private final String context;
  private final String namespace;
  private final Set<Thread> selectorsBefore;

  private Cluster(
      KubernetesClient client, String context, String namespace, Set<Thread> selectorsBefore) {
    this.client = client;
    this.context = context;
    this.namespace = namespace;
    this.selectorsBefore = selectorsBefore;
  }

  /**
   * The client of the kubeconfig kubectl would use ({@code --kubeconfig}, else {@code $KUBECONFIG},
   * else ~/.kube/config), for {@code context} or the current one.
   */
  static Cluster connect(String kubeconfig, String context, String namespace) {
    CompletableFuture<KubernetesSerialization> serialization = Warmup.serialization();
    Kubeconfig.Chosen fast = Kubeconfig.read(Kubeconfig.file(kubeconfig), context);
    if (fast != null && fast.config() == null) {
      throw new PluginException("error: context \"" + fast.context() + "\" does not exist");
    }
    Config config;
    String current;
    if (fast != null) {
      config = fast.config();
      current = fast.context();
    } else {
      if (kubeconfig != null) {
        System.setProperty("kubeconfig", kubeconfig);
      }
      try {
        config = Config.autoConfigure(context);
      } catch (RuntimeException e) {
        throw new PluginException("error: cannot read the kubeconfig: " + oneLine(e));
      }
      if (context != null
          && (config.getContexts() == null
              || config.getContexts().stream()
                  .map(NamedContext::getName)
                  .noneMatch(context::equals))) {
        throw new PluginException("error: context \"" + context + "\" does not exist");
      }
      current =
          context != null
              ? context
              : config.getCurrentContext() == null ? null : config.getCurrentContext().getName();
    }
    Trace.mark("kubeconfig read");
    if (config.getMasterUrl() == null) {
      throw new PluginException("error: no cluster in the kubeconfig: set a context first");
    }
    // A CLI answers at once: no silent retries against an unreachable server.
    config.setRequestRetryBackoffLimit(0);
    config.setHttp2Disable(true);
    config.setConnectionTimeout(5_000);
    config.setRequestTimeout(20_000);
    String ns =
        namespace != null
            ? namespace
            : config.getNamespace() != null ? config.getNamespace() : "default";
    Warmup.tls();
    Trace.mark("tls warmed");
    Set<Thread> selectorsBefore = selectorThreads();
    KubernetesClient client =
        new KubernetesClientBuilder()
            .withConfig(config)
            .withKubernetesSerialization(serialization.join())
            .build();
    return new Cluster(client, current, ns, selectorsBefore);
  }

  String namespace() {
    return namespace;
  }

  KubernetesClient client() {
    return client;
  }

  /** The user the API server authenticates this client as: what the admission policy compares. */
  String user() {
    return call(
        () ->
            client
                .authentication()
                .v1()
                .selfSubjectReviews()
                .create(new io.fabric8.kubernetes.api.model.authentication.SelfSubjectReview())
                .getStatus()
                .getUserInfo()
                .getUsername(),
        null);
  }

  /** The named object; a missing one, or a missing CRD, is a one-line error. */
  GenericKubernetesResource get(Kind kind, String ns, String name) {
    GenericKubernetesResource found =
        call(
            () ->
                client
                    .genericKubernetesResources(kind.context())
                    .inNamespace(ns)
                    .withName(name)
                    .get(),
            kind);
    if (found == null) {
      requireCrd(kind);
      throw new PluginException(
          "Error from server (NotFound): "
              + kind.plural
              + "."
              + GROUP
              + " \""
              + name
              + "\" not found in namespace \""
              + ns
              + "\"");
    }
    return found;
  }

  /** The objects of a kind in {@code ns}, or in every namespace when {@code ns} is null. */
  List<GenericKubernetesResource> list(Kind kind, String ns) {
    List<GenericKubernetesResource> items =
        call(
            () ->
                ns == null
                    ? client
                        .genericKubernetesResources(kind.context())
                        .inAnyNamespace()
                        .list()
                        .getItems()
                    : client
                        .genericKubernetesResources(kind.context())
                        .inNamespace(ns)
                        .list()
                        .getItems(),
            kind);
    return items.stream()
        .sorted(
            Comparator.comparing((GenericKubernetesResource r) -> r.getMetadata().getNamespace())
                .thenComparing(r -> r.getMetadata().getName()))
        .toList();
  }

  /** A JSON merge patch of the object: the API server applies RBAC and admission to it. */
  GenericKubernetesResource mergePatch(Kind kind, String ns, String name, String patch) {
    return call(
        () ->
            client
                .genericKubernetesResources(kind.context())
                .inNamespace(ns)
                .withName(name)
                .patch(PatchContext.of(PatchType.JSON_MERGE), patch),
        kind);
  }

  GenericKubernetesResource create(Kind kind, String ns, GenericKubernetesResource object) {
    return call(
        () ->
            client
                .genericKubernetesResources(kind.context())
                .inNamespace(ns)
                .resource(object)
                .create(),
        kind);
  }

  /**
   * Deployments read untyped: the view needs two numbers of their status, and binding the typed
   * model (its Pod template's hundred classes) was a sixth of a short command's time.
   */
  static final ResourceDefinitionContext DEPLOYMENT =
      new ResourceDefinitionContext.Builder()
          .withGroup("apps")
          .withVersion("v1")
          .withKind("Deployment")
          .withPlural("deployments")
          .withNamespaced(true)
          .build();

  /** A Deployment, or null; reading it is best effort (a view without it still helps). */
  GenericKubernetesResource deploymentOrNull(String ns, String name) {
    try {
      return client.genericKubernetesResources(DEPLOYMENT).inNamespace(ns).withName(name).get();
    } catch (KubernetesClientException e) {
      return null;
    }
  }

  static final ResourceDefinitionContext HTTP_ROUTE =
      new ResourceDefinitionContext.Builder()
          .withGroup("gateway.networking.k8s.io")
          .withVersion("v1")
          .withKind("HTTPRoute")
          .withPlural("httproutes")
          .withNamespaced(true)
          .build();

  GenericKubernetesResource httpRouteOrNull(String ns, String name) {
    try {
      return client.genericKubernetesResources(HTTP_ROUTE).inNamespace(ns).withName(name).get();
    } catch (KubernetesClientException e) {
      return null;
    }
  }

  /** Fails with a one-line answer when the API server does not serve {@code kind}. */
  void requireCrd(Kind kind) {
    if (!served(kind)) {
      throw missingCrd(kind);
    }
  }

  /** Whether discovery lists {@code kind}: a 404 on a list means it does not. */
  private boolean served(Kind kind) {
    APIResourceList served;
    try {
      served = client.getApiResources(GROUP + "/" + VERSION);
    } catch (KubernetesClientException e) {
      Throwable unreachable = unreachableCause(e);
      if (unreachable != null || e.getCode() == 401 || e.getCode() == 403) {
        throw translate(e, null);
      }
      return true;
    }
    return served != null
        && served.getResources().stream().map(APIResource::getName).anyMatch(kind.plural::equals);
  }

  private PluginException missingCrd(Kind kind) {
    return new PluginException(
        "error: the server doesn't have a resource type \""
            + kind.plural
            + "\": the CRD "
            + kind.plural
            + "."
            + GROUP
            + " is not installed on context \""
            + context
            + "\" (kubectl apply -k deploy/kubernetes/crds)");
  }

  interface ApiCall<T> {
    T run();
  }

  <T> T call(ApiCall<T> call, Kind kind) {
    try {
      return call.run();
    } catch (KubernetesClientException e) {
      throw translate(e, kind);
    }
  }

  /** kubectl's wording where kubectl has one, so a runbook's grep still matches. */
  PluginException translate(KubernetesClientException e, Kind kind) {
    Throwable unreachable = unreachableCause(e);
    if (unreachable != null) {
      return new PluginException(
          "error: cannot reach the cluster "
              + (context == null ? "" : "of context \"" + context + "\" ")
              + "at "
              + client.getConfiguration().getMasterUrl()
              + ": "
              + (unreachable instanceof ConnectException && unreachable.getMessage() == null
                  ? "connection refused"
                  : oneLine(unreachable)));
    }
    Status status = e.getStatus();
    String message =
        status != null && status.getMessage() != null ? status.getMessage() : e.getMessage();
    return switch (e.getCode()) {
      case 401 -> new PluginException("error: You must be logged in to the server (Unauthorized)");
      case 403 -> new PluginException("Error from server (Forbidden): " + firstLine(message));
      case 404 ->
          kind != null && !served(kind)
              ? missingCrd(kind)
              : new PluginException("Error from server (NotFound): " + firstLine(message));
      case 409 -> new PluginException("Error from server (Conflict): " + firstLine(message));
      case 422 -> new PluginException("Error from server (Invalid): " + firstLine(message));
      default ->
          new PluginException(
              "error: "
                  + (e.getCode() > 0 ? "HTTP " + e.getCode() + ": " : "")
                  + firstLine(message));
    };
  }

  private static Throwable unreachableCause(KubernetesClientException e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof ConnectException
          || t instanceof UnknownHostException
          || t instanceof UnresolvedAddressException
          || t instanceof HttpConnectTimeoutException
          || t instanceof HttpTimeoutException
          || t instanceof SSLException) {
        return t;
      }
      if (t instanceof IOException && t.getCause() == null && e.getCode() <= 0) {
        return t;
      }
    }
    return null;
  }

  static String oneLine(Throwable t) {
    String m = t.getMessage();
    if (m == null || m.isBlank()) {
      m = t.getClass().getSimpleName();
    }
    return firstLine(m);
  }

  static String firstLine(String s) {
    if (s == null) {
      return "";
    }
    int nl = s.indexOf('\n');
    return (nl < 0 ? s : s.substring(0, nl)).strip();
  }

  @Override
  public void close() {
    client.close();
    stopSelectors();
  }

  /**
   * Java 17's HttpClient cannot be closed: its selector thread waits in epoll until the client is
   * garbage collected, and a JVM that exits while a thread runs native code waits 300 ms for it,
   * half of a short command's time. An interrupt ends the selector's loop; the client is closed
   * already, so nothing is cut short. Only the threads this client started are touched.
   */
  private void stopSelectors() {
    for (Thread t : selectorThreads()) {
      if (!selectorsBefore.contains(t)) {
        t.interrupt();
        try {
          t.join(200);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return;
        }
      }
    }
  }

  /** The JDK HTTP clients' selector threads alive now. */
  static Set<Thread> selectorThreads() {
    Thread[] threads = new Thread[Thread.activeCount() + 8];
    int n = Thread.currentThread().getThreadGroup().enumerate(threads);
    Set<Thread> selectors = new HashSet<>();
    for (int i = 0; i < n; i++) {
      String name = threads[i].getName();
      if (name.startsWith("HttpClient-") && name.endsWith("-SelectorManager")) {
        selectors.add(threads[i]);
      }
    }
    return selectors;
  }
}
