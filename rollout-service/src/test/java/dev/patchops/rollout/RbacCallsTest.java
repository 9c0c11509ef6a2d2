package dev.patchops.rollout;

import static org.assertj.core.api.Assertions.assertThat;

import dev.patchops.testing.RbacGrants;
import dev.patchops.testing.RbacGrants.Call;
import java.io.IOException;
import java.nio.file.Path;
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

  @Test
  void everyCallTheCodeMakesIsAllowedAndNothingElse() throws IOException {
    RbacGrants.Grants grants =
        RbacGrants.grants(RbacGrants.manifests(MANIFEST), SERVICE_ACCOUNT, NAMESPACE);
    List<Call> calls = RbacGrants.calls(RbacCallsTest.class);
    assertThat(calls).hasSizeGreaterThan(20);
    for (Call call : calls) {
      boolean lease = call.resource().equals("leases");
      assertThat(lease ? grants.inOwnNamespace() : grants.clusterWide())
          .as("RBAC for %s (%s)", call, lease ? "Role in " + NAMESPACE : "ClusterRole")
          .contains(call);
    }
    Set<Call> unused = RbacGrants.notListed(grants, calls);
    // deletecollection is how a delete by label reaches the API; it stands with the delete lines.
    unused.removeIf(
        c ->
            c.verb().equals("deletecollection")
                && calls.contains(new Call("delete", c.group(), c.resource())));
    assertThat(unused).as("granted but never called").isEmpty();
    assertThat(grants.clusterWide()).noneMatch(c -> c.resource().equals("leases"));
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
