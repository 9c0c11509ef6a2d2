package dev.patchops.rollout;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.HasMetadata;
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
import org.junit.jupiter.api.Test;

/**
 * The rollout-service's RBAC in deploy/ allows every call the code makes (the list kept beside the
 * code), cluster-wide except the Lease, and grants nothing the list does not name.
 */
class RbacCallsTest {
  static final Path MANIFEST = Path.of("../deploy/kubernetes/base/rollout-service.yaml");
  static final String SERVICE_ACCOUNT = "rollout-service";
  static final String NAMESPACE = "patchops";

  record Call(String verb, String group, String resource) {
    @Override
    public String toString() {
      return verb + " " + (group.isEmpty() ? "core" : group) + "/" + resource;
    }
  }

  static List<Call> calls() throws IOException {
    List<Call> calls = new ArrayList<>();
    try (InputStream in =
        RbacCallsTest.class.getResourceAsStream("/META-INF/patchops/kubernetes-calls.txt")) {
      for (String line : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
        String l = line.strip();
        if (l.isEmpty() || l.startsWith("#")) {
          continue;
        }
        String[] f = l.split("\\s+");
        calls.add(new Call(f[0], f[1].equals("\"\"") ? "" : f[1], f[2]));
      }
    }
    return calls;
  }

  static List<HasMetadata> manifests() throws IOException {
    List<HasMetadata> objects = new ArrayList<>();
    for (String doc : Files.readString(MANIFEST).split("(?m)^---\\s*$")) {
      if (doc.lines().anyMatch(l -> l.startsWith("kind:"))) {
        objects.add(Serialization.unmarshal(doc));
      }
    }
    return objects;
  }

  static boolean boundToService(List<Subject> subjects) {
    return subjects != null
        && subjects.stream()
            .anyMatch(
                s ->
                    "ServiceAccount".equals(s.getKind())
                        && SERVICE_ACCOUNT.equals(s.getName())
                        && NAMESPACE.equals(s.getNamespace()));
  }

  static Set<Call> granted(List<PolicyRule> rules) {
    Set<Call> granted = new LinkedHashSet<>();
    for (PolicyRule rule : rules) {
      for (String group : rule.getApiGroups()) {
        for (String resource : rule.getResources()) {
          for (String verb : rule.getVerbs()) {
            granted.add(new Call(verb, group, resource));
          }
        }
      }
    }
    return granted;
  }

  @Test
  void everyCallTheCodeMakesIsAllowedAndNothingElse() throws IOException {
    List<HasMetadata> objects = manifests();
    Set<Call> clusterWide = new LinkedHashSet<>();
    Set<Call> inOwnNamespace = new LinkedHashSet<>();
    for (HasMetadata o : objects) {
      if (o instanceof ClusterRoleBinding b && boundToService(b.getSubjects())) {
        objects.stream()
            .filter(
                r ->
                    r instanceof ClusterRole
                        && r.getMetadata().getName().equals(b.getRoleRef().getName()))
            .forEach(r -> clusterWide.addAll(granted(((ClusterRole) r).getRules())));
      }
      if (o instanceof RoleBinding b && boundToService(b.getSubjects())) {
        assertThat(b.getMetadata().getNamespace()).isEqualTo(NAMESPACE);
        objects.stream()
            .filter(
                r ->
                    r instanceof Role && r.getMetadata().getName().equals(b.getRoleRef().getName()))
            .forEach(r -> inOwnNamespace.addAll(granted(((Role) r).getRules())));
      }
    }
    List<Call> calls = calls();
    assertThat(calls).hasSizeGreaterThan(20);
    for (Call call : calls) {
      boolean lease = call.resource().equals("leases");
      assertThat(lease ? inOwnNamespace : clusterWide)
          .as("RBAC for %s (%s)", call, lease ? "Role in " + NAMESPACE : "ClusterRole")
          .contains(call);
    }
    Set<Call> unused = new LinkedHashSet<>(clusterWide);
    unused.addAll(inOwnNamespace);
    calls.forEach(unused::remove);
    // deletecollection is how a delete by label reaches the API; it stands with the delete lines.
    unused.removeIf(
        c ->
            c.verb().equals("deletecollection")
                && calls.contains(new Call("delete", c.group(), c.resource())));
    assertThat(unused).as("granted but never called").isEmpty();
    assertThat(clusterWide).noneMatch(c -> c.resource().equals("leases"));
  }

  @Test
  void deploymentRunsAsNonRootWithAReadOnlyRootAndNoEscalation() throws IOException {
    var deployment =
        manifests().stream()
            .filter(o -> o instanceof io.fabric8.kubernetes.api.model.apps.Deployment)
            .map(o -> (io.fabric8.kubernetes.api.model.apps.Deployment) o)
            .findFirst()
            .orElseThrow();
    var pod = deployment.getSpec().getTemplate().getSpec();
    assertThat(pod.getServiceAccountName()).isEqualTo(SERVICE_ACCOUNT);
    assertThat(pod.getSecurityContext().getRunAsNonRoot()).isTrue();
    var container = pod.getContainers().get(0);
    assertThat(container.getSecurityContext().getReadOnlyRootFilesystem()).isTrue();
    assertThat(container.getSecurityContext().getAllowPrivilegeEscalation()).isFalse();
    assertThat(container.getEnv())
        .extracting(e -> e.getName())
        .contains("PATCHOPS_ROLLOUT_CHECKPOINT_KEY", "PATCHOPS_NAMESPACE");
  }
}
