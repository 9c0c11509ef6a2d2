package dev.patchops.orchestrator;

import static org.assertj.core.api.Assertions.assertThat;

import dev.patchops.orchestrator.config.OrchestratorConfig;
import dev.patchops.orchestrator.run.k8s.PatchTest;
import dev.patchops.testing.RbacGrants;
import dev.patchops.testing.RbacGrants.Call;
import dev.patchops.testing.RbacGrants.Listed;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.smallrye.config.WithDefault;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The test-orchestrator's RBAC in deploy/ allows every call the code makes (the list kept beside
 * the code), cluster-wide except its PatchTests, which live in its own namespace, and grants
 * nothing the list does not name: not even a deletecollection beside a delete by name.
 */
class RbacCallsTest {
  static final Path MANIFEST = Path.of("../deploy/kubernetes/base/test-orchestrator.yaml");
  static final String SERVICE_ACCOUNT = "test-orchestrator";
  static final String NAMESPACE = "patchops";

  static boolean patchTests(Call call) {
    return call.group().equals(HasMetadata.getGroup(PatchTest.class))
        && call.resource().startsWith(HasMetadata.getPlural(PatchTest.class));
  }

  @Test
  void everyCallTheCodeMakesIsAllowedAndNothingElse() throws IOException {
    RbacGrants.Grants grants =
        RbacGrants.grants(RbacGrants.manifests(MANIFEST), SERVICE_ACCOUNT, NAMESPACE);
    List<Call> calls = RbacGrants.calls(RbacCallsTest.class);
    assertThat(calls).hasSizeGreaterThan(60).doesNotHaveDuplicates();
    for (Call call : calls) {
      boolean own = patchTests(call);
      assertThat(own ? grants.inOwnNamespace() : grants.clusterWide())
          .as("RBAC for %s (%s)", call, own ? "Role in " + NAMESPACE : "ClusterRole")
          .contains(call);
    }
    assertThat(RbacGrants.notListed(grants, calls)).as("granted but never called").isEmpty();
    assertThat(grants.clusterWide())
        .as("PatchTests cluster-wide")
        .noneMatch(RbacCallsTest::patchTests);
  }

  @Test
  void escalateAndBindOnlyToCopyProductionRbac() throws IOException {
    List<Listed> privileged =
        RbacGrants.listed(RbacCallsTest.class).stream()
            .filter(l -> l.call().verb().equals("escalate") || l.call().verb().equals("bind"))
            .toList();
    assertThat(privileged)
        .isNotEmpty()
        .allSatisfy(
            l -> {
              assertThat(l.call().group()).isEqualTo("rbac.authorization.k8s.io");
              assertThat(l.call().resource()).isEqualTo("roles");
              assertThat(l.where()).contains("copying production RBAC");
            });
  }

  @Test
  void patchTestsAreWrittenWhereTheRoleGrantsThem() throws Exception {
    String where =
        OrchestratorConfig.PatchTests.class
            .getMethod("namespace")
            .getAnnotation(WithDefault.class)
            .value();
    assertThat(where).isEqualTo(NAMESPACE);
    var deployment = RbacGrants.hardenedDeployment(RbacGrants.manifests(MANIFEST), SERVICE_ACCOUNT);
    assertThat(deployment.getMetadata().getNamespace()).isEqualTo(NAMESPACE);
    assertThat(deployment.getSpec().getTemplate().getSpec().getContainers().get(0).getEnv())
        .as("the PatchTest namespace is not moved away from the Role")
        .noneMatch(e -> e.getName().equals("ORCHESTRATOR_PATCH_TESTS_NAMESPACE"));
  }

  @Test
  void deploymentRunsAsNonRootWithAReadOnlyRootAndNoEscalation() throws IOException {
    var deployment = RbacGrants.hardenedDeployment(RbacGrants.manifests(MANIFEST), SERVICE_ACCOUNT);
    assertThat(deployment.getMetadata().getName()).isEqualTo(SERVICE_ACCOUNT);
  }
}
