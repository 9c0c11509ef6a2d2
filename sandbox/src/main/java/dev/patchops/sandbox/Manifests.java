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
