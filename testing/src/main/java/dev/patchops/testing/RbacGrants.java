package dev.patchops.testing;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBinding;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import io.fabric8.kubernetes.api.model.rbac.Subject;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * What a service's RBAC in deploy/ grants, set against the list of Kubernetes API calls kept beside
 * its code ({@code META-INF/patchops/kubernetes-calls.txt}: verb, API group with {@code ""} for
 * core, resource, where). Plain fabric8 model parsing, no cluster and no Quarkus boot.
 */
public final class RbacGrants {
  public static final String CALLS = "/META-INF/patchops/kubernetes-calls.txt";

  private RbacGrants() {}

  /** One API permission: verb on group/resource[/subresource]. */
  public record Call(String verb, String group, String resource) {
    @Override
    public String toString() {
      return verb + " " + (group.isEmpty() ? "core" : group) + "/" + resource;
    }
  }

  /** A line of the list: the call and where the code makes it. */
  public record Listed(Call call, String where) {}

  /** What the roles bound to one ServiceAccount grant, by scope. */
  public record Grants(Set<Call> clusterWide, Set<Call> inOwnNamespace) {
    public Set<Call> all() {
      Set<Call> all = new LinkedHashSet<>(clusterWide);
      all.addAll(inOwnNamespace);
      return all;
    }
  }

  /** The list of calls on the classpath of {@code anchor}'s module. */
  public static List<Listed> listed(Class<?> anchor) throws IOException {
    List<Listed> calls = new ArrayList<>();
    try (InputStream in = anchor.getResourceAsStream(CALLS)) {
      assertThat(in).as(CALLS + " on the classpath").isNotNull();
      for (String line : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
        String l = line.strip();
        if (l.isEmpty() || l.startsWith("#")) {
          continue;
        }
        String[] f = l.split("\\s+", 4);
        assertThat(f).as("verb, group, resource and where in: %s", l).hasSize(4);
        calls.add(new Listed(new Call(f[0], f[1].equals("\"\"") ? "" : f[1], f[2]), f[3]));
      }
    }
    return calls;
  }

  public static List<Call> calls(Class<?> anchor) throws IOException {
    return listed(anchor).stream().map(Listed::call).toList();
  }

  public static List<HasMetadata> manifests(Path manifest) throws IOException {
    List<HasMetadata> objects = new ArrayList<>();
    for (String doc : Files.readString(manifest).split("(?m)^---\\s*$")) {
      if (doc.lines().anyMatch(l -> l.startsWith("kind:"))) {
        objects.add(Serialization.unmarshal(doc));
      }
    }
    return objects;
  }

  /**
   * ClusterRoles bound by a ClusterRoleBinding grant cluster-wide, Roles bound by a RoleBinding
   * only in the service's own namespace (a binding anywhere else fails the test).
   */
  public static Grants grants(List<HasMetadata> objects, String serviceAccount, String namespace) {
    Set<Call> clusterWide = new LinkedHashSet<>();
    Set<Call> inOwnNamespace = new LinkedHashSet<>();
    for (HasMetadata o : objects) {
      if (o instanceof ClusterRoleBinding b && bound(b.getSubjects(), serviceAccount, namespace)) {
        objects.stream()
            .filter(
                r ->
                    r instanceof ClusterRole
                        && r.getMetadata().getName().equals(b.getRoleRef().getName()))
            .forEach(r -> clusterWide.addAll(granted(((ClusterRole) r).getRules())));
      }
      if (o instanceof RoleBinding b && bound(b.getSubjects(), serviceAccount, namespace)) {
        assertThat(b.getMetadata().getNamespace()).isEqualTo(namespace);
        objects.stream()
            .filter(
                r ->
                    r instanceof Role
                        && namespace.equals(r.getMetadata().getNamespace())
                        && r.getMetadata().getName().equals(b.getRoleRef().getName()))
            .forEach(r -> inOwnNamespace.addAll(granted(((Role) r).getRules())));
      }
    }
    return new Grants(clusterWide, inOwnNamespace);
  }

  static boolean bound(List<Subject> subjects, String serviceAccount, String namespace) {
    return subjects != null
        && subjects.stream()
            .anyMatch(
                s ->
                    "ServiceAccount".equals(s.getKind())
                        && serviceAccount.equals(s.getName())
                        && namespace.equals(s.getNamespace()));
  }

  /**
   * Every (verb, group, resource) a rule names. A rule narrowed by resourceNames grants {@code
   * resource#name} for each name, which only a line naming that object matches.
   */
  public static Set<Call> granted(List<PolicyRule> rules) {
    Set<Call> granted = new LinkedHashSet<>();
    for (PolicyRule rule : rules) {
      List<String> names =
          rule.getResourceNames() == null || rule.getResourceNames().isEmpty()
              ? List.of("")
              : rule.getResourceNames();
      for (String group : rule.getApiGroups()) {
        for (String resource : rule.getResources()) {
          for (String verb : rule.getVerbs()) {
            for (String name : names) {
              granted.add(new Call(verb, group, name.isEmpty() ? resource : resource + "#" + name));
            }
          }
        }
      }
    }
    return granted;
  }

  /**
   * What a ClusterRole of the manifest grants wherever a RoleBinding binds it: for the roles
   * deploy/ defines but binds in no namespace, since the namespaces are the user's
   * (docs/deploy.md).
   */
  public static Set<Call> clusterRole(List<HasMetadata> objects, String name) {
    ClusterRole role =
        objects.stream()
            .filter(o -> o instanceof ClusterRole && o.getMetadata().getName().equals(name))
            .map(o -> (ClusterRole) o)
            .findFirst()
            .orElseThrow(() -> new AssertionError("no ClusterRole " + name));
    return granted(role.getRules());
  }

  /** Granted but named by no line of the list. */
  public static Set<Call> notListed(Grants grants, List<Call> calls) {
    Set<Call> unused = grants.all();
    calls.forEach(unused::remove);
    return unused;
  }

  /** The service's Deployment runs as non-root, with a read-only root and no escalation. */
  public static Deployment hardenedDeployment(List<HasMetadata> objects, String serviceAccount) {
    Deployment deployment =
        objects.stream()
            .filter(o -> o instanceof Deployment)
            .map(o -> (Deployment) o)
            .findFirst()
            .orElseThrow();
    var pod = deployment.getSpec().getTemplate().getSpec();
    assertThat(pod.getServiceAccountName()).isEqualTo(serviceAccount);
    assertThat(pod.getSecurityContext().getRunAsNonRoot()).isTrue();
    var container = pod.getContainers().get(0);
    assertThat(container.getSecurityContext().getReadOnlyRootFilesystem()).isTrue();
    assertThat(container.getSecurityContext().getAllowPrivilegeEscalation()).isFalse();
    return deployment;
  }
}
