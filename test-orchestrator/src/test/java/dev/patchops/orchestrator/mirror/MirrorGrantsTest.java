package dev.patchops.orchestrator.mirror;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import io.fabric8.kubernetes.api.model.rbac.RoleBindingBuilder;
import io.fabric8.kubernetes.api.model.rbac.RoleBuilder;
import java.util.List;
import org.junit.jupiter.api.Test;

class MirrorGrantsTest {
  private static Role role(String name, String group, String resource, String... verbs) {
    return new RoleBuilder()
        .withNewMetadata()
        .withName(name)
        .endMetadata()
        .addNewRule()
        .withApiGroups(group)
        .withResources(resource)
        .withVerbs(verbs)
        .endRule()
        .build();
  }

  private static RoleBinding binding(String name, String kind, String role) {
    return new RoleBindingBuilder()
        .withNewMetadata()
        .withName(name)
        .endMetadata()
        .withNewRoleRef()
        .withApiGroup("rbac.authorization.k8s.io")
        .withKind(kind)
        .withName(role)
        .endRoleRef()
        .build();
  }

  @Test
  void rolesWithinWhatTheOrchestratorHoldsAreCopied() {
    List<HasMetadata> copies =
        List.of(
            role("config-reader", "", "configmaps", "get", "list"),
            role("leader", "coordination.k8s.io", "leases", "get", "update"),
            binding("reads-config", "Role", "config-reader"));
    assertThat(MirrorGrants.refusals(copies, MirrorGrants.HELD)).isEmpty();
    MirrorGrants.check(copies);
  }

  @Test
  void aRoleGrantingMoreThanItHoldsIsRefusedWithEveryMissingRight() {
    List<HasMetadata> copies =
        List.of(
            role("config-reader", "", "configmaps", "get"),
            role("everything", "*", "*", "*"),
            role("escalator", "rbac.authorization.k8s.io", "roles", "escalate", "bind", "list"),
            role("node-reader", "", "nodes", "get"));
    assertThat(MirrorGrants.refusals(copies, MirrorGrants.HELD))
        .containsExactly(
            "Role everything grants * */*, which the orchestrator does not hold in its mirrors",
            "Role escalator grants escalate rbac.authorization.k8s.io/roles,"
                + " bind rbac.authorization.k8s.io/roles, which the orchestrator does not hold in"
                + " its mirrors",
            "Role node-reader grants get core/nodes, which the orchestrator does not hold in its"
                + " mirrors");
    assertThatThrownBy(() -> MirrorGrants.check(copies))
        .isInstanceOf(MirrorRefusedException.class)
        .hasMessageStartingWith(
            "the orchestrator copies only RBAC it could have created itself: Role everything");
  }

  @Test
  void aBindingOfAClusterRoleIsRefused() {
    assertThat(
            MirrorGrants.refusals(
                List.of(binding("viewers", "ClusterRole", "view")), MirrorGrants.HELD))
        .containsExactly(
            "RoleBinding viewers binds ClusterRole view, which the orchestrator may not bind");
  }

  @Test
  void patchOpsOwnBindingsInProductionAreSkippedNotCopied() {
    assertThat(MirrorGrants.patchOpsOwn(binding("a", "ClusterRole", "patchops-rollout-target")))
        .isTrue();
    assertThat(
            MirrorGrants.patchOpsOwn(
                binding("b", "ClusterRole", "patchops-test-orchestrator-source")))
        .isTrue();
    assertThat(MirrorGrants.patchOpsOwn(binding("c", "ClusterRole", "view"))).isFalse();
    assertThat(MirrorGrants.patchOpsOwn(binding("d", "Role", "patchops-rollout-target"))).isFalse();
  }
}
