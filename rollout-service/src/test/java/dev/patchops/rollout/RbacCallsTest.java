package dev.patchops.rollout;

import static org.assertj.core.api.Assertions.assertThat;

import dev.patchops.testing.RbacGrants;
import dev.patchops.testing.RbacGrants.Call;
import dev.patchops.testing.RbacGrants.Listed;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The rollout-service's RBAC in deploy/ allows every call the code makes (the list kept beside the
 * code): Secrets and ConfigMaps only through patchops-rollout-target, bound per target namespace,
 * the Lease only in its own namespace, the rest cluster-wide; and grants nothing the list does not
 * name.
 */
class RbacCallsTest {
  static final Path MANIFEST = Path.of("../deploy/kubernetes/base/rollout-service.yaml");
  static final String SERVICE_ACCOUNT = "rollout-service";
  static final String NAMESPACE = "patchops";
  static final String TARGET_ROLE = "patchops-rollout-target";

  @Test
  void everyCallTheCodeMakesIsAllowedAndNothingElse() throws IOException {
    var manifests = RbacGrants.manifests(MANIFEST);
    RbacGrants.Grants grants = RbacGrants.grants(manifests, SERVICE_ACCOUNT, NAMESPACE);
    Set<Call> target = RbacGrants.clusterRole(manifests, TARGET_ROLE);
    List<Listed> listed = RbacGrants.listed(RbacCallsTest.class);
    List<Call> calls = listed.stream().map(Listed::call).toList();
    assertThat(calls).hasSizeGreaterThan(20);
    for (Listed line : listed) {
      Call call = line.call();
      boolean lease = call.resource().equals("leases");
      boolean inTarget = line.where().startsWith("[target]");
      assertThat(lease ? grants.inOwnNamespace() : inTarget ? target : grants.clusterWide())
          .as(
              "RBAC for %s (%s)",
              call, lease ? "Role in " + NAMESPACE : inTarget ? TARGET_ROLE : "ClusterRole")
          .contains(call);
    }
    Set<Call> unused = RbacGrants.notListed(grants, calls);
    target.stream().filter(c -> !calls.contains(c)).forEach(unused::add);
    // deletecollection is how a delete by label reaches the API; it stands with the delete lines.
    unused.removeIf(
        c ->
            c.verb().equals("deletecollection")
                && calls.contains(new Call("delete", c.group(), c.resource())));
    assertThat(unused).as("granted but never called").isEmpty();
    assertThat(grants.clusterWide()).noneMatch(c -> c.resource().equals("leases"));
  }

  /** No Secret or ConfigMap anywhere but where a RoleBinding per target namespace grants it. */
  @Test
  void secretsAndConfigMapsOnlyInTargetNamespaces() throws IOException {
    var manifests = RbacGrants.manifests(MANIFEST);
    RbacGrants.Grants grants = RbacGrants.grants(manifests, SERVICE_ACCOUNT, NAMESPACE);
    assertThat(grants.all())
        .noneMatch(c -> c.resource().equals("secrets") || c.resource().equals("configmaps"));
    assertThat(RbacGrants.clusterRole(manifests, TARGET_ROLE))
        .allMatch(c -> c.resource().equals("secrets") || c.resource().equals("configmaps"));
    assertThat(manifests)
        .as("the target role is bound per namespace by the user, never cluster-wide")
        .noneMatch(
            o ->
                o instanceof io.fabric8.kubernetes.api.model.rbac.ClusterRoleBinding b
                    && b.getRoleRef().getName().equals(TARGET_ROLE));
  }

  @Test
  void deploymentRunsAsNonRootWithAReadOnlyRootAndNoEscalation() throws IOException {
    var deployment = RbacGrants.hardenedDeployment(RbacGrants.manifests(MANIFEST), SERVICE_ACCOUNT);
    var container = deployment.getSpec().getTemplate().getSpec().getContainers().get(0);
    assertThat(container.getEnv())
        .extracting(e -> e.getName())
        .contains("PATCHOPS_ROLLOUT_CHECKPOINT_KEY", "PATCHOPS_NAMESPACE");
  }
}
