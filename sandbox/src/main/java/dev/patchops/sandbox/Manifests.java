package dev.patchops.sandbox;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

/** The manifests of {@code deploy/}, applied to a real API server the way kubectl would. */
public final class Manifests {
  /** What a test cluster needs of {@code deploy/kubernetes/base}: identities, rights, policies. */
  public static final Set<String> ACCESS_KINDS =
      Set.of(
          "Namespace",
          "ServiceAccount",
          "ClusterRole",
          "ClusterRoleBinding",
          "Role",
          "RoleBinding",
          "ValidatingAdmissionPolicy",
          "ValidatingAdmissionPolicyBinding");

  private Manifests() {}

  /** The repository's {@code deploy/kubernetes}, from a module directory or the repository root. */
  public static Path deployDir() {
    return deployDir(Path.of("").toAbsolutePath());
  }

  public static Path deployDir(Path from) {
    for (Path dir = from; dir != null; dir = dir.getParent()) {
      Path candidate = dir.resolve("deploy/kubernetes");
      if (Files.isDirectory(candidate.resolve("crds"))) {
        return candidate;
      }
    }
    throw new IllegalStateException(
        "deploy/kubernetes not found above " + Path.of("").toAbsolutePath());
  }

  /**
   * Every object of the YAML files in {@code dir} whose kind is in {@code kinds} (all if empty).
   */
  public static List<HasMetadata> load(Path dir, Set<String> kinds) {
    List<HasMetadata> objects = new ArrayList<>();
    try (Stream<Path> files = Files.list(dir)) {
      for (Path file :
          files
              .filter(f -> f.toString().endsWith(".yml") || f.toString().endsWith(".yaml"))
              .filter(f -> !f.getFileName().toString().startsWith("kustomization"))
              .sorted()
              .toList()) {
        objects.addAll(parse(file, kinds));
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return objects;
  }

  private static List<HasMetadata> parse(Path file, Set<String> kinds) throws IOException {
    List<HasMetadata> objects = new ArrayList<>();
    for (String document : Files.readString(file).split("(?m)^---\\s*$")) {
      if (document.lines().allMatch(l -> l.isBlank() || l.stripLeading().startsWith("#"))) {
        continue;
      }
      try (InputStream in =
          new java.io.ByteArrayInputStream(
              document.getBytes(java.nio.charset.StandardCharsets.UTF_8))) {
        Object parsed = io.fabric8.kubernetes.client.utils.Serialization.unmarshal(in);
        if (parsed instanceof HasMetadata object
            && (kinds.isEmpty() || kinds.contains(object.getKind()))) {
          objects.add(object);
        }
      }
    }
    return objects;
  }

  /** The CRDs, then what the services need of base: their namespace, identities and rights. */
  public static void install(KubernetesClient client, Path deploy) {
    apply(client, load(deploy.resolve("crds"), Set.of()));
    apply(client, load(deploy.resolve("base"), ACCESS_KINDS));
    for (var crd : client.apiextensions().v1().customResourceDefinitions().list().getItems()) {
      client
          .apiextensions()
          .v1()
          .customResourceDefinitions()
          .withName(crd.getMetadata().getName())
          .waitUntilCondition(Manifests::established, 30, java.util.concurrent.TimeUnit.SECONDS);
    }
  }

  private static boolean established(
      io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition crd) {
    return crd != null
        && crd.getStatus() != null
        && crd.getStatus().getConditions() != null
        && crd.getStatus().getConditions().stream()
            .anyMatch(c -> "Established".equals(c.getType()) && "True".equals(c.getStatus()));
  }

  /** The ClusterRole the rollout-service is bound to in each of its target namespaces. */
  public static final String ROLLOUT_TARGET_ROLE = "patchops-rollout-target";

  /** The ClusterRole the test-orchestrator is bound to in each production namespace it mirrors. */
  public static final String MIRROR_SOURCE_ROLE = "patchops-test-orchestrator-source";

  /** The ClusterRole the test-orchestrator binds to itself in each namespace it makes. */
  public static final String MIRROR_ROLE = "patchops-test-orchestrator-mirror";

  /**
   * Makes {@code namespace} one PatchOps manages, as docs/deploy.md tells a user to: a RoleBinding
   * of the rollout-service to {@link #ROLLOUT_TARGET_ROLE} (its Secrets and ConfigMaps) and one of
   * the test-orchestrator to {@link #MIRROR_SOURCE_ROLE} (what a mirror copies from it). The
   * namespace must also be on each service's list (rollout.target-namespaces,
   * orchestrator.mirror.source-namespaces).
   */
  public static void manage(KubernetesClient client, String namespace) {
    bind(client, namespace, "patchops-rollout-service", ROLLOUT_TARGET_ROLE, "rollout-service");
    bind(
        client,
        namespace,
        "patchops-test-orchestrator-source",
        MIRROR_SOURCE_ROLE,
        "test-orchestrator");
  }

  /**
   * What the test-orchestrator does in a namespace it has just made: binds {@link #MIRROR_ROLE} to
   * itself there. For tests that make such a namespace in its stead.
   */
  public static void grantMirror(KubernetesClient client, String namespace) {
    bind(client, namespace, "patchops-test-orchestrator", MIRROR_ROLE, "test-orchestrator");
  }

  private static void bind(
      KubernetesClient client,
      String namespace,
      String name,
      String clusterRole,
      String serviceAccount) {
    apply(client, List.of(binding(namespace, name, clusterRole, serviceAccount)));
  }

  /** A RoleBinding of {@code clusterRole} in {@code namespace} to a PatchOps ServiceAccount. */
  public static io.fabric8.kubernetes.api.model.rbac.RoleBinding binding(
      String namespace, String name, String clusterRole, String serviceAccount) {
    return new io.fabric8.kubernetes.api.model.rbac.RoleBindingBuilder()
        .withNewMetadata()
        .withName(name)
        .withNamespace(namespace)
        .endMetadata()
        .withNewRoleRef()
        .withApiGroup("rbac.authorization.k8s.io")
        .withKind("ClusterRole")
        .withName(clusterRole)
        .endRoleRef()
        .addNewSubject()
        .withKind("ServiceAccount")
        .withName(serviceAccount)
        .withNamespace("patchops")
        .endSubject()
        .build();
  }

  /** Server-side apply, as {@code kubectl apply --server-side} does; namespaces go first. */
  public static void apply(KubernetesClient client, List<HasMetadata> objects) {
    List<HasMetadata> ordered = new ArrayList<>(objects);
    ordered.sort(
        (a, b) ->
            Boolean.compare(!"Namespace".equals(a.getKind()), !"Namespace".equals(b.getKind())));
    for (HasMetadata object : ordered) {
      object.getMetadata().setResourceVersion(null);
      client.resource(object).fieldManager("patchops-tests").forceConflicts().serverSideApply();
    }
  }
}
