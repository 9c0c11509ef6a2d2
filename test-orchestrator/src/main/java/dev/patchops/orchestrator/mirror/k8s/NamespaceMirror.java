package dev.patchops.orchestrator.mirror.k8s;

import dev.patchops.orchestrator.config.OrchestratorConfig;
import dev.patchops.orchestrator.mirror.Isolation;
import dev.patchops.orchestrator.mirror.MirrorException;
import dev.patchops.orchestrator.mirror.MirrorGrants;
import dev.patchops.orchestrator.mirror.MirrorNames;
import dev.patchops.orchestrator.mirror.MirrorPlan;
import dev.patchops.orchestrator.mirror.MirrorRequest;
import dev.patchops.orchestrator.mirror.MirrorRules;
import dev.patchops.orchestrator.mirror.PodSecurity;
import dev.patchops.orchestrator.mirror.SourceNamespaces;
import dev.patchops.platform.k8s.ApiRetry;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.KubernetesResourceList;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.authentication.SelfSubjectReview;
import io.fabric8.kubernetes.api.model.authorization.v1.SelfSubjectAccessReview;
import io.fabric8.kubernetes.api.model.authorization.v1.SelfSubjectAccessReviewBuilder;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import io.fabric8.kubernetes.api.model.rbac.RoleBindingBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.MixedOperation;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Function;
import java.util.function.Supplier;
import org.jboss.logging.Logger;

/**
 * Builds and tears down mirror namespaces on the Kubernetes API. One list call per kind, then the
 * objects in two tiers of parallel creates; a failure that outlives the retries tears down what was
 * made, so no half environment is left behind.
 */
@ApplicationScoped
public class NamespaceMirror {
  private static final Logger LOG = Logger.getLogger(NamespaceMirror.class);
  private static final Duration GONE_POLL = Duration.ofMillis(250);
  private static final Duration GRANT_POLL = Duration.ofMillis(50);
  private static final Duration GRANT_TIMEOUT = Duration.ofSeconds(30);

  /** The namespaced kinds a mirror copies, read with one list call each. */
  private final List<
          Function<
              KubernetesClient,
              MixedOperation<
                  ? extends HasMetadata,
                  ? extends KubernetesResourceList<? extends HasMetadata>,
                  ?>>>
      kinds =
          List.of(
              c -> c.configMaps(),
              c -> c.secrets(),
              c -> c.serviceAccounts(),
              c -> c.persistentVolumeClaims(),
              c -> c.rbac().roles(),
              c -> c.rbac().roleBindings(),
              c -> c.services(),
              c -> c.apps().deployments(),
              c -> c.apps().statefulSets(),
              c -> c.network().v1().ingresses(),
              c -> c.batch().v1().cronjobs(),
              c -> c.batch().v1().jobs(),
              c -> c.policy().v1().podDisruptionBudget(),
              c -> c.autoscaling().v2().horizontalPodAutoscalers());

  private final KubernetesClient client;
  private final OrchestratorConfig.Mirror config;
  private final ExecutorService pool;
  private volatile String[] self;

  @Inject
  public NamespaceMirror(KubernetesClient client, OrchestratorConfig config) {
    this.client = client;
    this.config = config.mirror();
    this.pool = Executors.newFixedThreadPool(Math.max(1, this.config.parallelism()));
  }

  /** A mirror that exists, with what went into it. */
  public record Mirror(String namespace, MirrorPlan plan, Map<String, Integer> copiedObjects) {}

  public Mirror build(MirrorRequest request) {
    SourceNamespaces.check(config.sourceNamespaces().orElse(List.of()), request.sourceNamespace());
    if (client.namespaces().withName(request.sourceNamespace()).get() == null) {
      throw new MirrorException(
          "source namespace " + request.sourceNamespace() + " does not exist");
    }
    List<HasMetadata> source = readSource(request.sourceNamespace());
    MirrorPlan plan = MirrorRules.plan(source, request);
    MirrorGrants.check(plan.copies());
    List<HasMetadata> first =
        new ArrayList<>(Isolation.objects(request.targetNamespace(), request.labels(), config));
    first.addAll(plan.foundations());
    createOrTearDown(
        request.targetNamespace(),
        request.labels(),
        List.of(first, plan.dependents()),
        "copy into");
    Map<String, Integer> copied = new TreeMap<>();
    for (HasMetadata object : plan.copies()) {
      copied.merge(object.getKind(), 1, Integer::sum);
    }
    return new Mirror(request.targetNamespace(), plan, copied);
  }

  /**
   * An empty namespace for a burn-in, labelled and cleaned up like a mirror. Only the network is
   * fenced: a quota or default limits would throttle the very stress a burn-in puts on its node.
   */
  public void prepare(String namespace, Map<String, String> labels) {
    createOrTearDown(
        namespace,
        labels,
        List.of(List.of(Isolation.networkPolicy(namespace, labels))),
        "preparing");
  }

  /** Creates the namespace and then each tier in parallel; any failure leaves nothing behind. */
  private void createOrTearDown(
      String namespace, Map<String, String> labels, List<List<HasMetadata>> tiers, String what) {
    // Another run's namespace is refused before anything is made, and left as it is.
    Namespace existing;
    try {
      existing = ownOrAbsent(namespace, labels);
    } catch (KubernetesClientException e) {
      throw new MirrorException(what + " " + namespace + " failed: " + e.getMessage(), e);
    }
    try {
      createNamespace(namespace, labels, existing);
      for (List<HasMetadata> tier : tiers) {
        createAll(tier);
      }
    } catch (RuntimeException e) {
      LOG.warnf("%s %s failed, tearing it down: %s", what, namespace, e.getMessage());
      teardown(namespace);
      throw e instanceof MirrorException m
          ? m
          : new MirrorException(what + " " + namespace + " failed: " + e.getMessage(), e);
    }
  }

  /**
   * Deletes a mirror. On a real cluster deleting the namespace removes its objects; the objects are
   * deleted first anyway, by label, so an API that does not cascade (the sandbox) is left clean
   * too, and a namespace stuck terminating holds nothing.
   */
  public void teardown(String namespace) {
    // The orchestrator's rights in a namespace come from the namespace's own grant: where there is
    // no namespace, or one already being deleted (its controller empties it and drops the grant),
    // there is nothing left for it to delete.
    Namespace existing = withRetry(() -> client.namespaces().withName(namespace).get());
    if (existing == null || terminating(existing)) {
      return;
    }
    // A namespace left by a crash before its grant was made is emptied under the grant too.
    try {
      grantSelf(namespace);
    } catch (RuntimeException e) {
      LOG.debugf("no grant of its own in %s before teardown: %s", namespace, e.getMessage());
    }
    for (var kind : kinds) {
      withRetry(
          () ->
              kind.apply(client)
                  .inNamespace(namespace)
                  .withLabel(MirrorNames.MANAGED_BY, MirrorNames.MANAGED_BY_VALUE)
                  .delete());
    }
    withRetry(
        () ->
            client
                .network()
                .v1()
                .networkPolicies()
                .inNamespace(namespace)
                .withName(Isolation.NETWORK_POLICY)
                .delete());
    withRetry(
        () -> client.resourceQuotas().inNamespace(namespace).withName(Isolation.QUOTA).delete());
    withRetry(
        () -> client.limitRanges().inNamespace(namespace).withName(Isolation.LIMITS).delete());
    withRetry(() -> client.namespaces().withName(namespace).delete());
  }

  private List<HasMetadata> readSource(String namespace) {
    List<CompletableFuture<List<? extends HasMetadata>>> lists = new ArrayList<>();
    for (var kind : kinds) {
      lists.add(
          CompletableFuture.supplyAsync(
              () -> withRetry(() -> kind.apply(client).inNamespace(namespace).list().getItems()),
              pool));
    }
    List<HasMetadata> all = new ArrayList<>();
    for (var list : lists) {
      all.addAll(join(list));
    }
    return all;
  }

  /** The namespace as it exists when it is this run's, null when there is none. */
  private Namespace ownOrAbsent(String name, Map<String, String> labels) {
    Namespace existing = withRetry(() -> client.namespaces().withName(name).get());
    if (existing == null) {
      return null;
    }
    String run =
        existing.getMetadata().getLabels() == null
            ? null
            : existing.getMetadata().getLabels().get(MirrorNames.RUN);
    if (run == null || !run.equals(labels.get(MirrorNames.RUN))) {
      throw new MirrorException("namespace " + name + " already exists and is not this run's");
    }
    return existing;
  }

  private void createNamespace(String name, Map<String, String> labels, Namespace existing) {
    if (existing != null) {
      if (!terminating(existing)) {
        grantSelf(name); // resuming our own half-built mirror after a crash
        return;
      }
      // Our own, torn down by an earlier attempt: the API refuses every create in a namespace
      // being deleted, so it is made anew once it is gone.
      awaitGone(name);
    }
    // Every namespace the orchestrator makes enforces Pod Security restricted: the API server
    // refuses a privileged Pod there, whatever the plan or a suite asked for.
    Map<String, String> all = new LinkedHashMap<>(labels);
    all.putAll(PodSecurity.NAMESPACE_LABELS);
    Namespace namespace =
        new NamespaceBuilder()
            .withNewMetadata()
            .withName(name)
            .withLabels(all)
            .endMetadata()
            .build();
    withRetry(() -> client.namespaces().resource(namespace).create());
    grantSelf(name);
  }

  /**
   * Binds {@link MirrorGrants#CLUSTER_ROLE} to the orchestrator's own ServiceAccount in a namespace
   * it made, then waits until the API server enforces it: its authorizer learns of a new binding
   * from a watch, so the first create could otherwise be refused. Its cluster-wide rights allow
   * nothing more in there; admission-policy.yaml refuses the same binding in any other namespace.
   */
  public void grantSelf(String namespace) {
    String[] me = serviceAccount();
    if (me == null) {
      return; // not a ServiceAccount (a developer's own credentials): nothing to grant
    }
    RoleBinding binding =
        new RoleBindingBuilder()
            .withNewMetadata()
            .withName(MirrorGrants.SELF_BINDING)
            .withNamespace(namespace)
            .endMetadata()
            .withNewRoleRef()
            .withApiGroup("rbac.authorization.k8s.io")
            .withKind("ClusterRole")
            .withName(MirrorGrants.CLUSTER_ROLE)
            .endRoleRef()
            .addNewSubject()
            .withKind("ServiceAccount")
            .withName(me[1])
            .withNamespace(me[0])
            .endSubject()
            .build();
    withRetry(() -> createOrKeep(binding));
    long end = System.nanoTime() + GRANT_TIMEOUT.toNanos();
    while (!withRetry(() -> granted(namespace))) {
      if (System.nanoTime() >= end) {
        throw new MirrorException(
            "the orchestrator's grant in " + namespace + " is not in force after " + GRANT_TIMEOUT);
      }
      try {
        Thread.sleep(GRANT_POLL.toMillis());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new MirrorException("interrupted while granting itself " + namespace, e);
      }
    }
  }

  private boolean granted(String namespace) {
    SelfSubjectAccessReview review =
        client
            .authorization()
            .v1()
            .selfSubjectAccessReview()
            .create(
                new SelfSubjectAccessReviewBuilder()
                    .withNewSpec()
                    .withNewResourceAttributes()
                    .withNamespace(namespace)
                    .withVerb("create")
                    .withResource("secrets")
                    .endResourceAttributes()
                    .endSpec()
                    .build());
    return review.getStatus() != null && Boolean.TRUE.equals(review.getStatus().getAllowed());
  }

  /** {namespace, name} of the ServiceAccount this service acts as, null if it is none. */
  private String[] serviceAccount() {
    String[] known = self;
    if (known == null) {
      String user =
          withRetry(
              () ->
                  client
                      .authentication()
                      .v1()
                      .selfSubjectReviews()
                      .create(new SelfSubjectReview())
                      .getStatus()
                      .getUserInfo()
                      .getUsername());
      String prefix = "system:serviceaccount:";
      known =
          user != null && user.startsWith(prefix)
              ? user.substring(prefix.length()).split(":", 2)
              : new String[0];
      self = known;
    }
    return known.length == 2 ? known : null;
  }

  private static boolean terminating(Namespace namespace) {
    return namespace.getMetadata().getDeletionTimestamp() != null
        || (namespace.getStatus() != null
            && "Terminating".equals(namespace.getStatus().getPhase()));
  }

  /**
   * Deleting a namespace only starts it: the namespace controller empties it, then removes it.
   * Polled with the get the orchestrator already holds, rather than a watch its RBAC would have to
   * grant.
   */
  private void awaitGone(String name) {
    long end = System.nanoTime() + config.deletionTimeout().toNanos();
    while (withRetry(() -> client.namespaces().withName(name).get()) != null) {
      if (System.nanoTime() >= end) {
        throw new MirrorException(
            "namespace " + name + " is still being deleted after " + config.deletionTimeout());
      }
      try {
        Thread.sleep(GONE_POLL.toMillis());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new MirrorException("interrupted while namespace " + name + " was deleted", e);
      }
    }
  }

  private void createAll(List<HasMetadata> objects) {
    List<CompletableFuture<HasMetadata>> creates = new ArrayList<>();
    for (HasMetadata object : objects) {
      creates.add(CompletableFuture.supplyAsync(() -> withRetry(() -> createOrKeep(object)), pool));
    }
    for (var create : creates) {
      join(create);
    }
  }

  /** Already there from an earlier attempt of this run: keep it, creating is idempotent. */
  private HasMetadata createOrKeep(HasMetadata object) {
    try {
      return client.resource(object).create();
    } catch (KubernetesClientException e) {
      if (e.getCode() == 409) {
        return object;
      }
      throw e;
    }
  }

  private <T> T withRetry(Supplier<T> call) {
    return ApiRetry.withRetry(config.attempts(), call);
  }

  private static <T> T join(CompletableFuture<T> future) {
    try {
      return future.join();
    } catch (CompletionException e) {
      if (e.getCause() instanceof RuntimeException r) {
        throw r;
      }
      throw e;
    }
  }

  @PreDestroy
  void stop() {
    pool.shutdownNow();
  }
}
