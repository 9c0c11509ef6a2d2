package dev.patchops.platform.security;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Set;
import org.junit.jupiter.api.Test;

class RoleAugmentorTest {
  @Test
  void prefixedGroupsBecomeRolesAndMembership() {
    assertThat(RoleAugmentor.roles(Set.of("patchops-sre", "patchops-auditor"), "patchops-"))
        .containsExactlyInAnyOrder("sre", "auditor", Roles.MEMBER);
  }

  @Test
  void unprefixedUnknownAndMemberGroupsAreDropped() {
    assertThat(
            RoleAugmentor.roles(
                Set.of("admin", "patchops-root", "patchops-member", "xpatchops-admin", "patchops-"),
                "patchops-"))
        .isEmpty();
  }

  @Test
  void thePrefixIsTheConfiguredOne() {
    assertThat(RoleAugmentor.roles(Set.of("patchops-admin", "sec:admin"), "sec:"))
        .containsExactlyInAnyOrder("admin", Roles.MEMBER);
  }
}
