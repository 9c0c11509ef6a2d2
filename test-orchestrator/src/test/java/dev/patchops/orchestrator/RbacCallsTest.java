package dev.patchops.orchestrator;

import static org.assertj.core.api.Assertions.assertThat;

import dev.patchops.orchestrator.config.OrchestratorConfig;
import dev.patchops.orchestrator.mirror.MirrorGrants;
import dev.patchops.orchestrator.run.k8s.PatchTest;
import dev.patchops.testing.RbacGrants;
import dev.patchops.testing.RbacGrants.Call;
import dev.patchops.testing.RbacGrants.Listed;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBinding;
import io.smallrye.config.WithDefault;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The test-orchestrator's RBAC in deploy/ allows every call the code makes (the list kept beside
 * the code), each where the list says: cluster-wide only what cannot know its namespace, the
 * mirror's work under the ClusterRole it binds to itself in namespaces it made, production reads
 * under the ClusterRole bound per source namespace, PatchTests in its own namespace. It grants
 * nothing the list does not name, but for the reads a copied Role may grant (MirrorGrants).
 */
class RbacCallsTest {
  static final Path MANIFEST = Path.of("../deploy/kubernetes/base/test-orchestrator.yaml");
  static final String SERVICE_ACCOUNT = "test-orchestrator";
  static final String NAMESPACE = "patchops";
  static final String SOURCE_ROLE = "patchops-test-orchestrator-source";

  static boolean patchTests(Call call) {
    return call.group().equals(HasMetadata.getGroup(PatchTest.class))
        && call.resource().startsWith(HasMetadata.getPlural(PatchTest.class));
  }

  private static String tag(Listed line) {
    return line.where().startsWith("[")
        ? line.where().substring(0, line.where().indexOf(']') + 1)
        : "";
  }

  private static Set<Call> held() {
    Set<Call> held = new LinkedHashSet<>();
    for (MirrorGrants.Rule rule : MirrorGrants.HELD) {
      for (String resource : rule.resources()) {
        for (String verb : rule.verbs()) {
          held.add(new Call(verb, rule.group(), resource));
        }
      }
    }
    return held;
  }

  @Test
  void everyCallTheCodeMakesIsAllowedWhereTheListSaysAndNothingElse() throws IOException {
    var manifests = RbacGrants.manifests(MANIFEST);
    RbacGrants.Grants grants = RbacGrants.grants(manifests, SERVICE_ACCOUNT, NAMESPACE);
    Set<Call> mirror = RbacGrants.clusterRole(manifests, MirrorGrants.CLUSTER_ROLE);
    Set<Call> source = RbacGrants.clusterRole(manifests, SOURCE_ROLE);
    List<Listed> listed = RbacGrants.listed(RbacCallsTest.class);
    List<Call> calls = listed.stream().map(Listed::call).toList();
    assertThat(calls).hasSizeGreaterThan(60).doesNotHaveDuplicates();
    for (Listed line : listed) {
      Call call = line.call();
      String tag = tag(line);
      if (patchTests(call)) {
        assertThat(grants.inOwnNamespace()).as("Role in %s for %s", NAMESPACE, call).contains(call);
        continue;
      }
      if (tag.isEmpty()) {
        assertThat(grants.clusterWide()).as("ClusterRole for %s", call).contains(call);
      }
      if (tag.contains("mirror")) {
        assertThat(mirror).as("%s for %s", MirrorGrants.CLUSTER_ROLE, call).contains(call);
      }
      if (tag.contains("source")) {
        assertThat(source).as("%s for %s", SOURCE_ROLE, call).contains(call);
      }
    }
    Set<Call> unused = RbacGrants.notListed(grants, calls);
    source.stream().filter(c -> !calls.contains(c)).forEach(unused::add);
    assertThat(unused).as("granted but never called").isEmpty();
    // The mirror role is what a copied Role may grant: the code's view of it is the manifest's.
    assertThat(mirror).as("MirrorGrants.HELD against deploy/").isEqualTo(held());
    assertThat(grants.clusterWide())
        .as("PatchTests cluster-wide")
        .noneMatch(RbacCallsTest::patchTests);
  }

  /** What the issue found: Secrets anywhere, and escalate/bind on Roles cluster-wide. */
  @Test
  void noSecretNorEscalateNorBindClusterWide() throws IOException {
    var manifests = RbacGrants.manifests(MANIFEST);
    RbacGrants.Grants grants = RbacGrants.grants(manifests, SERVICE_ACCOUNT, NAMESPACE);
    assertThat(grants.all())
        .noneMatch(c -> c.resource().equals("secrets") || c.resource().equals("configmaps"))
        .noneMatch(c -> c.verb().equals("escalate"))
        .allMatch(
            c ->
                !c.verb().equals("bind")
                    || c.resource().equals("clusterroles#" + MirrorGrants.CLUSTER_ROLE));
    assertThat(RbacGrants.clusterRole(manifests, MirrorGrants.CLUSTER_ROLE))
        .noneMatch(c -> c.verb().equals("escalate") || c.verb().equals("bind"));
    assertThat(manifests)
        .as("the mirror and source roles are bound per namespace, never cluster-wide")
        .noneMatch(
            o ->
                o instanceof ClusterRoleBinding b
                    && (b.getRoleRef().getName().equals(MirrorGrants.CLUSTER_ROLE)
                        || b.getRoleRef().getName().equals(SOURCE_ROLE)));
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
